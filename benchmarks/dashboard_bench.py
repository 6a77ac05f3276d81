"""Dashboard page render time, against a page that renders only static text (the baseline,
measured in the same run, in the same AppTest harness).

Each page is rendered with Streamlit's AppTest against a serving file the real pipeline
built (`tidbok simulate --scale $BENCH_DASHBOARD_SCALE`, default tiny: on a shared 2-core
machine even tiny takes half an hour to ingest, small several hours; then `tidbok run`).
Set BENCH_DASHBOARD_HOME to a TIDBOK_HOME that already has a serving file to skip the build.

- cold: the first render after a publish (empty caches: every table is read and protected);
- warm: a rerun with the caches filled (what a viewer waits for when changing a filter back
  and forth, or the next viewer of the same view): the median of BENCH_DASHBOARD_REPEATS.

Targets (issue #7: pages stay responsive): a warm render within TARGET_WARM_SECONDS and a
cold one within TARGET_COLD_SECONDS. The ratios to the static page are reported beside
them; they are large because a static page costs the harness only milliseconds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboards" / "streamlit_app.py"
PAGES = ("benefits", "coverage", "channel_shift", "no_shows", "risks", "effects",
         "data_quality", "about_metrics", "metric")
TARGET_WARM_SECONDS = 1.0
TARGET_COLD_SECONDS = 10.0
TIMEOUT_SECONDS = 600
BASELINE_PAGE = '''import streamlit as st

st.title("Baseline")
st.caption("A page with static text only: what the harness itself costs.")
st.write("Nothing is read, cached or charted here.")
'''


def _build_home(workdir: Path, scale: str) -> Path:
    home = workdir / "home"
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "TIDBOK_HOME": str(home), "PATH": path,  # `dbt` from this venv
           "TIDBOK_PSEUDONYM_KEY": os.environ.get("TIDBOK_PSEUDONYM_KEY", "benchmark-key")}
    tidbok = [sys.executable, "-m", "tidbok.cli"]
    for step in (["simulate", "--out", str(home / "landing"), "--scale", scale, "--seed", "7"],
                 ["run"]):
        subprocess.run([*tidbok, *step], env=env, check=True, capture_output=True)
    return home


def _render(app, page: str | None) -> float:
    start = time.perf_counter()
    if page is None:
        app.run()
    else:
        app.switch_page(f"app_pages/{page}.py").run()
    elapsed = time.perf_counter() - start
    if app.exception:
        raise RuntimeError(f"{page} raised: {[e.value for e in app.exception]}")
    return elapsed


def _baseline(workdir: Path, repeats: int) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    script = workdir / "baseline_page.py"
    script.write_text(BASELINE_PAGE, encoding="utf-8")
    AppTest.from_file(str(script), default_timeout=TIMEOUT_SECONDS).run()  # imports, once
    app = AppTest.from_file(str(script), default_timeout=TIMEOUT_SECONDS)
    cold = _render(app, None)
    warm = statistics.median(_render(app, None) for _ in range(repeats))
    return {"cold": cold, "warm": warm}


def _page_times(page: str, repeats: int) -> dict[str, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tidbok.serving import SERVING_FILES

    st.cache_data.clear()
    SERVING_FILES.close_all()  # the per-version memo (protected tables) goes with it
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT_SECONDS)
    app.run()  # the router's default page first (AppTest needs it to keep the sidebar)
    st.cache_data.clear()
    SERVING_FILES.close_all()
    cold = _render(app, page)
    warm = statistics.median(_render(app, None) for _ in range(repeats))
    return {"cold": cold, "warm": warm}


def run(workdir: Path) -> dict:
    scale = os.environ.get("BENCH_DASHBOARD_SCALE", "tiny")
    repeats = int(os.environ.get("BENCH_DASHBOARD_REPEATS", "3"))
    reused = os.environ.get("BENCH_DASHBOARD_HOME")
    home = Path(reused) if reused else _build_home(workdir, scale)
    os.environ["TIDBOK_HOME"] = str(home)
    os.environ.pop("TIDBOK_CATALOGUE_DIR", None)
    os.environ.pop("TIDBOK_DASHBOARD_USERS", None)
    baseline = _baseline(workdir, repeats)
    pages = {}
    for page in PAGES:
        times = _page_times(page, repeats)
        pages[page] = {
            "cold_seconds": round(times["cold"], 3),
            "warm_seconds": round(times["warm"], 3),
            "cold_ratio_to_baseline": round(times["cold"] / baseline["cold"], 1),
            "warm_ratio_to_baseline": round(times["warm"] / baseline["warm"], 1),
        }
    worst_warm = max(p["warm_seconds"] for p in pages.values())
    worst_cold = max(p["cold_seconds"] for p in pages.values())
    return {
        "serving_file": str(home / "serving.duckdb"),
        "scale": "reused home" if reused else scale,
        "repeats": repeats,
        "baseline_static_page_cold_seconds": round(baseline["cold"], 3),
        "baseline_static_page_warm_seconds": round(baseline["warm"], 3),
        "pages": pages,
        "worst_warm_seconds": worst_warm,
        "worst_cold_seconds": worst_cold,
        "target_warm_seconds": TARGET_WARM_SECONDS,
        "target_cold_seconds": TARGET_COLD_SECONDS,
        "meets_targets": worst_warm <= TARGET_WARM_SECONDS and worst_cold <= TARGET_COLD_SECONDS,
    }
