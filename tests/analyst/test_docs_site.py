"""`tidbok docs`: the dbt docs site, built against a copy of the serving file."""

from __future__ import annotations

import threading
import urllib.request

from tidbok import config
from tidbok.analyst.docs import DOCS_TARGET, docs_generate_command, docs_server


def test_docs_are_generated_into_tidbok_home_with_the_docs_target(tidbok_home):
    target, logs = tidbok_home / "dbt_docs" / "target", tidbok_home / "dbt_docs" / "logs"
    cmd = docs_generate_command(target, logs)
    assert cmd[1:3] == ["docs", "generate"]
    assert cmd[cmd.index("--target") + 1] == DOCS_TARGET == "docs"
    # Never dbt/target, where the pipeline keeps the manifest Dagster reads.
    assert cmd[cmd.index("--target-path") + 1] == str(target)
    assert cmd[cmd.index("--log-path") + 1] == str(logs)
    assert cmd[cmd.index("--project-dir") + 1] == str(config.DBT_PROJECT_DIR)
    assert "--static" in cmd


def test_the_docs_profile_reads_a_copy_never_the_warehouse():
    import yaml

    profile = yaml.safe_load((config.DBT_PROJECT_DIR / "profiles.yml").read_text())["tidbok"]
    assert profile["target"] == "warehouse"  # the pipeline's default is unchanged
    assert profile["outputs"]["docs"]["path"].endswith("/dbt_docs/catalog.duckdb")


def test_the_docs_server_serves_the_site(tmp_path):
    (tmp_path / "index.html").write_text("<html>dbt docs</html>")
    (tmp_path / "manifest.json").write_text("{}")
    server = docs_server(tmp_path, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        with urllib.request.urlopen(f"http://{host}:{port}/", timeout=10) as response:
            assert b"dbt docs" in response.read()
        with urllib.request.urlopen(f"http://{host}:{port}/manifest.json", timeout=10) as r:
            assert r.read() == b"{}"
    finally:
        server.shutdown()
        server.server_close()


def test_every_exposure_refers_to_a_model_of_the_project():
    import re

    import yaml

    exposures = yaml.safe_load((config.DBT_PROJECT_DIR / "models" / "exposures.yml").read_text())
    models = {p.stem for p in (config.DBT_PROJECT_DIR / "models").rglob("*.sql")}
    names = {e["name"] for e in exposures["exposures"]}
    assert {"streamlit_dashboards", "aggregation_api", "analyst_sql"} <= names
    for exposure in exposures["exposures"]:
        refs = [re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in exposure["depends_on"]]
        assert refs and set(refs) <= models, f"{exposure['name']}: {set(refs) - models}"
        assert "no_show_rate" in refs and exposure["owner"]["name"]
