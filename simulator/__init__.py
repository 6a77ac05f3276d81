"""Synthetic source generator: a simulated booking ecosystem written in the landing
formats of SOURCES.md, together with the ground truth the pipeline must reproduce.

Entry point: `simulator.generate.simulate`. The world model (`world.py` and the
modules it builds on) is separate from the feed writers (`feeds/`).
"""
