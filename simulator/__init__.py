"""Synthetic source generator: a simulated national booking ecosystem written in the
landing formats of SOURCES.md, together with the ground truth the pipeline must
reproduce.

Entry point: `simulator.generate.simulate(out, scale, seed, params=None, profile=None,
regions=None, feeds=None)`. The world model (regions, care units, residents, the
rollout of the new services, every booking's history: `world.py`, `bookings.py`,
`versions.py`, `rollout.py`; the aggregation layer, phones and e-services:
`aggregation.py`, `contacts.py`, `capacity.py`) is separate from the feed writers
(`feeds/`). `ground_truth.py` computes every headline metric from the world before
anything is written; `defects.py` injects messy data on request and logs each defect.
Every number that drives behaviour is a documented parameter (`parameters.py`);
presets: clean (default), realistic (all four time-book shapes), messy (plus defects),
no_effect (no planted effects).
"""
