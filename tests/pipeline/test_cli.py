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


def test_simulate_writes_only_the_feeds_and_regions_asked_for(tmp_path):
    from tidbok.cli import main

    out = tmp_path / "landing"
    assert main(["simulate", "--out", str(out), "--feeds", "booking_csv,hsa_units",
                 "--regions", "01,13", "--profile", "messy"]) == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["booking_csv", "hsa_units"]
    # messy regions use several time-book shapes; only 01 and 13 may have written any
    assert {p.name for p in (out / "booking_csv").iterdir()} <= {"01", "13"}
    assert any((out / "booking_csv").iterdir())
    assert (out / "ground_truth.json").exists()


def test_simulate_refuses_an_unknown_feed(tmp_path):
    from tidbok.cli import main

    with pytest.raises(ValueError, match="unknown feeds"):
        main(["simulate", "--out", str(tmp_path), "--feeds", "bookings_csv"])
