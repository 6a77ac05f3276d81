"""The `tidbok` command line: simulate, run, serve, demo."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tidbok import config
from tidbok.runtime import prepare_environment

DEFAULT_PORTS = {"api": 8000, "dashboard": 8501, "ui": 3000}


def cmd_simulate(args: argparse.Namespace) -> int:
    from simulator.generate import simulate

    out = Path(args.out) if args.out else config.landing_dir()
    summary = simulate(out, scale=args.scale, seed=args.seed,
                       profile=getattr(args, "profile", None),
                       regions=_split(getattr(args, "regions", None)),
                       feeds=_split(getattr(args, "feeds", None)))
    print(json.dumps(summary, indent=2, default=str))
    return 0


def _split(value: str | None) -> list[str] | None:
    """`--feeds a,b` → ["a", "b"]; unset → None (everything)."""
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


def cmd_run(args: argparse.Namespace) -> int:
    from ingestion import registry
    from tidbok.pipeline_run import PipelineFailed, run_pipeline

    landing = config.landing_dir()
    present = sorted(p.name for p in landing.iterdir() if p.is_dir()) if landing.exists() else []
    skipped = [f for f in present if f in registry.KNOWN_FEEDS and f not in registry.supported_feeds()]
    if skipped:
        print("feeds not supported yet, skipped: " + ", ".join(skipped), file=sys.stderr)
    try:
        result = run_pipeline()
    except PipelineFailed as exc:
        print(f"tidbok run failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


def serve_command(what: str, port: int, host: str = "127.0.0.1") -> list[str]:
    """The process that serves one part of the product (pure; unit-tested)."""
    python = sys.executable
    if what == "api":
        return [python, "-m", "uvicorn", "aggregator_api.app:app", "--host", host,
                "--port", str(port), "--workers", "1", "--no-access-log"]
    if what == "dashboard":
        app = str(config.REPO_ROOT / "dashboards" / "streamlit_app.py")
        return [python, "-m", "streamlit", "run", app, "--server.port", str(port),
                "--server.address", host, "--server.headless", "true",
                "--browser.gatherUsageStats", "false"]
    if what == "ui":
        return [python, "-m", "dagster", "dev", "-m", "pipelines.definitions",
                "-h", host, "-p", str(port)]
    raise ValueError(f"unknown service {what!r}: choose api, dashboard or ui")


def cmd_serve(args: argparse.Namespace) -> int:
    prepare_environment()
    if args.what == "ui":
        from tidbok.pipeline_run import prepare_dbt_manifest

        prepare_dbt_manifest()
    port = args.port or DEFAULT_PORTS[args.what]
    os.chdir(config.REPO_ROOT)
    command = serve_command(args.what, port, args.host)
    # Become the server (exec), so a SIGTERM or Ctrl-C to `tidbok serve` reaches it and no
    # orphaned server is left behind.
    os.execv(command[0], command)


def cmd_demo(args: argparse.Namespace) -> int:
    prepare_environment()
    landing = config.landing_dir()
    if not any(landing.glob("*/*/*")):
        print(f"simulating a {args.scale} dataset (seed {args.seed}) into {landing} …", flush=True)
        cmd_simulate(argparse.Namespace(out=str(landing), scale=args.scale, seed=args.seed))
    print("running the pipeline (ingest, build, check, publish) …", flush=True)
    if cmd_run(args) != 0:
        return 1
    if args.no_serve:
        return 0
    from tidbok.pipeline_run import prepare_dbt_manifest

    prepare_dbt_manifest()
    os.chdir(config.REPO_ROOT)
    ports = {"api": args.api_port, "dashboard": args.dashboard_port, "ui": args.ui_port}
    procs = {name: subprocess.Popen(serve_command(name, port), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
             for name, port in ports.items()}
    print("\ntidbok-analytics demo is up:")
    print(f"  Dashboards (Streamlit):  http://127.0.0.1:{ports['dashboard']}/")
    print(f"  Aggregation API:         http://127.0.0.1:{ports['api']}/docs")
    print(f"  Example:  curl 'http://127.0.0.1:{ports['api']}/v1/metrics/no_show_rate/values"
          "?region=13&by=channel'")
    print(f"  Dagster UI (lineage):    http://127.0.0.1:{ports['ui']}/")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while all(p.poll() is None for p in procs.values()):
            time.sleep(1)
        dead = [n for n, p in procs.items() if p.poll() is not None]
        print(f"stopped: {', '.join(dead)} exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def cmd_rollback(args: argparse.Namespace) -> int:
    from tidbok.publish import rollback

    prepare_environment()
    print(f"serving.duckdb is now version {rollback(args.version)}")
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    """Re-ingest a range of delivery days idempotently (pipelines/defs/ingestion_partitions.py)."""
    import datetime as dt

    prepare_environment()
    from pipelines.defs.ingestion_partitions import backfill_days

    try:
        summaries = backfill_days(dt.date.fromisoformat(args.first),
                                  dt.date.fromisoformat(args.last), feed=args.feed,
                                  region=args.region)
    except ValueError as exc:
        print(f"tidbok backfill: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({feed: s.as_dict() for feed, s in summaries.items()}, indent=2, default=str))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tidbok", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="write a synthetic landing dataset with its ground truth")
    sim.add_argument("--out", help="target folder (default $TIDBOK_HOME/landing)")
    sim.add_argument("--scale", default="tiny", choices=["tiny", "small", "national"],
                     help="tiny: tests, seconds; small: demo, about 1 M bookings; "
                          "national: a year, about 100 M bookings (benchmarks)")
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--profile", choices=["clean", "realistic", "messy", "no_effect"],
                     help="parameter preset (default clean)")
    sim.add_argument("--regions", help="comma-separated region codes, e.g. 01,13 (default all 21)")
    sim.add_argument("--feeds", help="comma-separated feeds to write (default every feed)")
    sim.set_defaults(func=cmd_simulate)

    run = sub.add_parser("run", help="ingest new landing files, build, check and publish")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="serve the API, the dashboards or the Dagster UI")
    serve.add_argument("what", choices=["api", "dashboard", "ui"])
    serve.add_argument("--port", type=int)
    serve.add_argument("--host", default="127.0.0.1")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="simulate, run and serve everything on localhost")
    demo.add_argument("--scale", default="tiny", choices=["tiny", "small"])
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--api-port", type=int, default=DEFAULT_PORTS["api"])
    demo.add_argument("--dashboard-port", type=int, default=DEFAULT_PORTS["dashboard"])
    demo.add_argument("--ui-port", type=int, default=DEFAULT_PORTS["ui"])
    demo.add_argument("--no-serve", action="store_true", help="stop after the pipeline run")
    demo.set_defaults(func=cmd_demo)

    back = sub.add_parser("rollback", help="re-publish a kept earlier serving version")
    back.add_argument("version", nargs="?")
    back.set_defaults(func=cmd_rollback)

    fill = sub.add_parser("backfill", help="re-ingest a range of delivery days (idempotent)")
    fill.add_argument("first", help="first day, YYYY-MM-DD")
    fill.add_argument("last", help="last day, YYYY-MM-DD (inclusive)")
    fill.add_argument("--feed", help="one feed (default every supported feed)")
    fill.add_argument("--region", help="one region code (default every region)")
    fill.set_defaults(func=cmd_backfill)

    # Analysts (issue #8): `sql`, `docs`, `export`; their logic lives in tidbok/analyst/.
    from tidbok.analyst.commands import register as register_analyst_commands

    register_analyst_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
