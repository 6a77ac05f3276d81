"""A sensor that starts the pipeline when new files land.

It looks only at file names, sizes and modification times (cheap at any
scale); the run itself decides what is new by content hash, so a file touched
without changing is still ingested once.
"""

from __future__ import annotations

import json

import dagster as dg

from ingestion.runner import discover
from tidbok import config


def landing_fingerprint() -> dict[str, list[float]]:
    """relative path -> [size, mtime] for every delivered file."""
    landing = config.landing_dir()
    return {str(path.relative_to(landing)): [path.stat().st_size, path.stat().st_mtime]
            for _, _, path in discover(landing)}


def new_deliveries(previous: dict[str, list[float]], current: dict[str, list[float]]) -> list[str]:
    return sorted(p for p, stamp in current.items() if previous.get(p) != stamp)


def build_landing_sensor(job: dg.JobDefinition | dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
               description="Runs the pipeline when files are delivered to landing/.")
    def landing_files_sensor(context: dg.SensorEvaluationContext):
        previous = json.loads(context.cursor) if context.cursor else {}
        current = landing_fingerprint()
        changed = new_deliveries(previous, current)
        if not changed:
            return dg.SkipReason("no new files under landing/")
        context.update_cursor(json.dumps(current))
        run_key = f"landing-{len(current)}-{max(s[1] for s in current.values()):.0f}"
        return dg.RunRequest(run_key=run_key, tags={"tidbok/new_files": str(len(changed))})

    return landing_files_sensor
