"""The plain shell (`tidbok sql --plain`, Harlequin's fallback)."""

from __future__ import annotations

import io

from tidbok.analyst.session import run_shell
from tidbok.cli import main


def shell(text: str) -> str:
    out = io.StringIO()
    assert run_shell(stdin=io.StringIO(text), stdout=out, prompt=False) == 0
    return out.getvalue()


def test_statements_span_lines_and_dot_commands_help(served):
    out = shell("SELECT region_code,\n  sum(denominator) AS visits\nFROM no_show_rate\n"
                "GROUP BY ALL ORDER BY ALL;\n.tables\n.describe no_show_rate\n.version\n")
    assert "01          |   1200" in out and "(2 rows)" in out
    assert "analyst.no_show_rate  (metric; one row per region_code, month, booking_channel" in out
    assert "numerator       | BIGINT    | No-shows (Uteblev)." in out
    assert out.count("version ") >= 2  # banner and .version


def test_errors_are_reported_and_the_shell_goes_on(served, tmp_path):
    out = shell(f"COPY (SELECT 1) TO '{tmp_path}/x.csv';\nDROP VIEW no_show_rate;\n"
                ".nonsense\nSELECT 42 AS answer;\n")
    assert "disabled by configuration" in out
    assert "read-only" in out
    assert "Unknown command .nonsense" in out
    assert "42" in out.splitlines()[-2]
    assert not (tmp_path / "x.csv").exists()


def test_quit_stops_reading(served):
    out = shell(".quit\nSELECT 'after quit' AS x;\n")
    assert "after quit" not in out


def test_plain_sql_without_a_terminal_uses_the_shell(served, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT count(*) AS n FROM dim_regions;\n"))
    assert main(["sql"]) == 0
    out = capsys.readouterr().out
    assert "plain shell" in out and "(1 row)" in out
