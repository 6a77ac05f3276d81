"""Simulator throughput: seconds, CPU seconds, peak memory and rows per second per feed.

`python -m benchmarks simulator_bench` measures scales tiny and small, each in its
own process (so peak RSS is that scale's). The national scale (about 100 M
bookings; hundreds of GB on disk) runs only on request:

    python -m benchmarks.simulator_bench national            # the whole country
    python -m benchmarks.simulator_bench national --regions 01  # one region, streamed
    python -m benchmarks.simulator_bench small --profile messy

Wall time on a shared machine depends on the other work on it; CPU seconds
(user + system) are the steadier figure. Per-feed seconds are wall seconds spent
writing that feed (the world model is reported as `world`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCALES = ("tiny", "small")


def _child(out: str, scale: str, seed: int, profile: str | None,
           regions: list[str] | None) -> dict[str, Any]:
    from simulator.generate import simulate

    started = time.perf_counter()
    cpu = time.process_time()
    summary = simulate(Path(out), scale=scale, seed=seed, profile=profile, regions=regions)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - started
    return {"summary": summary, "wall_seconds": round(wall, 3),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "process_cpu_seconds": round(time.process_time() - cpu, 3),
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}


def measure(scale: str, workdir: Path, seed: int = 11, profile: str | None = None,
            regions: list[str] | None = None) -> dict[str, Any]:
    """Run one scale in a fresh process and report its figures."""
    out = workdir / f"landing-{scale}"
    args = [sys.executable, "-m", "benchmarks.simulator_bench", "--child", str(out), scale,
            "--seed", str(seed)]
    if profile:
        args += ["--profile", profile]
    if regions:
        args += ["--regions", ",".join(regions)]
    done = subprocess.run(args, capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    summary = result.pop("summary")
    feeds = {}
    steps = summary["seconds_by_step"]
    cpu_steps = summary["cpu_seconds_by_step"]
    for feed, rows in summary["rows"].items():
        seconds, cpu = steps.get(feed), cpu_steps.get(feed)
        feeds[feed] = {"files": summary["files"][feed], "rows": rows,
                       "write_seconds": seconds, "write_cpu_seconds": cpu,
                       "rows_per_second": round(rows / seconds) if seconds else None,
                       "rows_per_cpu_second": round(rows / cpu) if cpu else None}
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "scale": scale, "profile": profile or "clean", "regions": regions or "all",
        "bookings": summary["bookings"],
        "bookings_per_second": round(summary["bookings"] / result["wall_seconds"]),
        "bookings_per_cpu_second": round(summary["bookings"] / result["cpu_seconds"]),
        **result,
        "output_mib": round(size / 2**20, 1),
        "seconds_by_step": steps,
        "cpu_seconds_by_step": cpu_steps,
        "feeds": feeds,
        "load_average": os.getloadavg(),
    }


def run(workdir: Path) -> dict[str, Any]:
    """The `python -m benchmarks` entry: tiny and small."""
    return {"machine": {"cpus": os.cpu_count()},
            "scales": {scale: measure(scale, workdir) for scale in SCALES}}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", nargs="?", default=None, help="tiny, small or national")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--profile", default=None)
    parser.add_argument("--regions", default=None, help="comma-separated region codes")
    parser.add_argument("--workdir", default=None, help="keep the output here")
    args = parser.parse_args(argv)
    regions = args.regions.split(",") if args.regions else None
    if args.child:
        if args.scale is None:
            parser.error("a scale is needed")
        print(json.dumps(_child(args.child, args.scale, args.seed, args.profile, regions)))
        return 0
    scales = [args.scale] if args.scale else list(SCALES)
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        report = {s: measure(s, workdir, args.seed, args.profile, regions) for s in scales}
    else:
        with tempfile.TemporaryDirectory(prefix="bench-simulator-") as tmp:
            report = {s: measure(s, Path(tmp), args.seed, args.profile, regions)
                      for s in scales}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
