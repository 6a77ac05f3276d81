"""Ingestion of the tiny simulated world (every feed), with and without the
Great Expectations gate: wall time, files and rows per second, and how many
Great Expectations validations ran.

    uv run --frozen python -m benchmarks.gate_bench            # gate on and off
    uv run --frozen python -m benchmarks.gate_bench --gate on  # one of them
    uv run --frozen python -m benchmarks.gate_bench --world /tmp/world --profile 25

The world is simulated once (`tidbok simulate --scale tiny`, ~7,900 small files
over 14 feeds) into a work folder, then copied to a fresh TIDBOK_HOME's landing
for each measured ingestion, so every run starts from an empty lake.
`--every N` keeps every N-th file only (a quicker, partial measurement).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _world(path: Path | None, workdir: Path) -> Path:
    if path is not None and path.exists():
        return path
    from simulator.generate import simulate

    target = path or workdir / "world"
    simulate(target, scale="tiny", seed=7)
    return target


def _count_validations() -> dict:
    """Wrap the one place Great Expectations validates, to count its runs."""
    from data_tests import validation

    counter = {"validations": 0}
    original = validation.TableValidator._validate

    def counted(self, *args, **kwargs):
        counter["validations"] += 1
        return original(self, *args, **kwargs)

    validation.TableValidator._validate = counted
    return counter


_ADAPTER_TIME = {"seconds": 0.0}


def _time_adapters() -> dict:
    """Wrap every adapter's `read` to add up the time spent inside it (the
    adapters' own cost, which the runner does not control)."""
    from ingestion import registry

    spent = _ADAPTER_TIME
    for cls in registry.adapter_classes().values():
        if getattr(cls.read, "_timed", False):
            continue
        original = cls.read

        def timed(self, file, _original=original):
            iterator = iter(_original(self, file))
            while True:
                start = time.perf_counter()
                try:
                    batch = next(iterator)
                except StopIteration:
                    spent["seconds"] += time.perf_counter() - start
                    return
                spent["seconds"] += time.perf_counter() - start
                yield batch

        timed._timed = True
        cls.read = timed
    return spent


def measure(world: Path, workdir: Path, *, gate: bool, every: int = 1,
            profile: int = 0, runner=None) -> dict:
    home = workdir / ("home-gate" if gate else "home-nogate")
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copytree(world, home / "landing",
                    ignore=shutil.ignore_patterns("ground_truth.json", ".work"))
    os.environ["TIDBOK_HOME"] = str(home)
    os.environ.setdefault("TIDBOK_PSEUDONYM_KEY", "benchmark-key")
    if runner is None:
        from ingestion import runner

    counter = _count_validations()
    adapters = _time_adapters()
    seen = {"n": 0}

    def select(feed, region, path) -> bool:
        seen["n"] += 1
        return (seen["n"] - 1) % every == 0

    runner.GATE_ENABLED = gate
    profiler = cProfile.Profile() if profile else None
    start, cpu = time.perf_counter(), time.process_time()
    adapters["seconds"] = 0.0
    if profiler:
        profiler.enable()
    summary = runner.ingest_landing(select=select) if every > 1 else runner.ingest_landing()
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    files = summary.files_ingested
    report = {
        "gate": gate, "every": every, "seconds": round(elapsed, 2), "files": files,
        "files_rejected": summary.files_rejected, "rows_read": summary.rows_read,
        "rows_loaded": summary.rows_loaded, "rows_quarantined": summary.rows_quarantined,
        "ms_per_file": round(1000 * elapsed / max(files, 1), 2),
        "cpu_seconds": round(cpu, 2),
        # Time inside the adapters' read(); the rest is the runner and the gate.
        "adapter_seconds": round(adapters["seconds"], 2),
        "runner_ms_per_file": round(1000 * (elapsed - adapters["seconds"]) / max(files, 1), 2),
        "rows_per_second": round(summary.rows_read / elapsed),
        "gx_validations": counter["validations"],
    }
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(profile)
    return report


def run(workdir: Path, gates=(False, True), world: Path | None = None, every: int = 1,
        profile: int = 0) -> dict:
    source = _world(world, workdir)
    return {"world": str(source),
            "runs": [measure(source, workdir, gate=g, every=every, profile=profile)
                     for g in gates]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gate", choices=("on", "off", "both"), default="both")
    parser.add_argument("--world", type=Path, help="a simulated tiny world to reuse")
    parser.add_argument("--every", type=int, default=1, help="ingest every N-th file only")
    parser.add_argument("--profile", type=int, default=0, help="print the top N of a profile")
    args = parser.parse_args(argv)
    gates = {"on": (True,), "off": (False,), "both": (False, True)}[args.gate]
    with tempfile.TemporaryDirectory(prefix="gate-bench-") as tmp:
        report = run(Path(tmp), gates, args.world, args.every, args.profile)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
