"""`python -m benchmarks [name ...]`: run the benchmarks and print their reports.

Each benchmark module has `run(workdir: Path) -> dict` returning its figures,
including ratios against a baseline it measured in the same run. Reports are
also written to artifacts/benchmarks/<name>.json.
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
from pathlib import Path

BENCHMARKS = ["ingestion_bench"]
OPTIONAL = ["simulator_bench", "api_bench", "dashboard_bench"]


def main(argv: list[str]) -> int:
    names = argv or [n for n in BENCHMARKS + OPTIONAL
                     if (Path(__file__).parent / f"{n}.py").exists()]
    out = Path("artifacts/benchmarks")
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            report = module.run(Path(tmp))
        (out / f"{name}.json").write_text(json.dumps(report, indent=2, default=str))
        print(f"== {name}")
        print(json.dumps(report, indent=2, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
