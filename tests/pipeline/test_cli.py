import sys

import pytest

from tidbok.cli import build_parser, serve_command


def test_serve_commands_are_real_servers_on_the_given_port():
    assert serve_command("api", 8123)[:4] == [sys.executable, "-m", "uvicorn",
                                             "aggregator_api.app:app"]
    assert "8123" in serve_command("api", 8123)
    dashboard = serve_command("dashboard", 8502)
    assert dashboard[2:4] == ["streamlit", "run"] and "8502" in dashboard
    assert "false" == dashboard[dashboard.index("--browser.gatherUsageStats") + 1]
    ui = serve_command("ui", 3001)
    assert ui[2:4] == ["dagster", "dev"] and "pipelines.definitions" in ui


def test_unknown_service_is_refused():
    with pytest.raises(ValueError):
        serve_command("ftp", 21)


def test_parser_knows_every_command():
    parser = build_parser()
    for argv in (["simulate", "--scale", "tiny", "--seed", "3", "--out", "x"], ["run"],
                 ["serve", "api", "--port", "9"], ["demo", "--no-serve"], ["rollback"]):
        assert parser.parse_args(argv).command == argv[0]
