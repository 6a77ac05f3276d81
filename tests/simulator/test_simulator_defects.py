"""Messy data on purpose: defects are off by default, every kind appears when asked for,
each is logged in the ground truth where it is, the file shows it, and ingestion
treats it as the log says."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from simulator.defects import KINDS, defect_rates
from simulator.parameters import WorldParameters, preset


def lines_of(path: Path) -> list[str]:
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return text.replace("\r\n", "\n").split("\n")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(digits[-10:]):
        product = int(char) * (2 - i % 2)
        total += product // 10 + product % 10
    return total % 10 == 0


def test_defects_are_off_by_default(tiny: dict[str, Any]) -> None:
    defects = tiny["truth"]["defects"]
    assert set(defects["rates"].values()) == {0.0}
    assert defects["injected"] == [] and defects["contract_gaps"] == []
    assert tiny["summary"]["defects_injected"] == 0
    assert defect_rates(WorldParameters())["truncated_file"] == 0.0


def test_rates_come_from_the_parameters() -> None:
    rates = defect_rates(WorldParameters(defect_rate=0.01, defects={"truncated_file": 0.2}))
    assert rates["truncated_file"] == 0.2 and rates["malformed_row"] == 0.01
    assert preset("messy").defect_rate > 0
    with pytest.raises(ValueError, match="unknown defect kinds"):
        defect_rates(WorldParameters(defects={"gremlins": 1.0}))


def test_every_kind_appears_and_is_counted(messy: dict[str, Any]) -> None:
    defects = messy["truth"]["defects"]
    counts = defects["counts"]["by_kind"]
    assert set(counts) == set(KINDS)
    assert all(n > 0 for n in counts.values()), counts
    injected = defects["injected"]
    assert len(injected) == sum(counts.values()) == messy["summary"]["defects_injected"]
    by_feed = defects["counts"]["by_feed"]
    for entry in injected:
        assert entry["kind"] in KINDS
        assert (messy["out"] / entry["file"]).is_file(), entry
        assert entry["expected"] in defects["expected_values"]
    assert sum(sum(kinds.values()) for kinds in by_feed.values()) == len(injected)
    assert messy["truth"]["counts"]["late_outcomes_delivered"] == counts["late_outcome"]


def test_each_defect_shows_in_its_file(messy: dict[str, Any]) -> None:
    out = messy["out"]
    seen = defaultdict(int)
    for d in messy["truth"]["defects"]["injected"]:
        kind = d["kind"]
        if seen[(kind, d["feed"])] >= 5:
            continue
        seen[(kind, d["feed"])] += 1
        path = out / d["file"]
        if kind == "invalid_personnummer":
            line = lines_of(path)[d["line"] - 1]
            numbers = re.findall(r"(?<![0-9])((?:19|20)\d{6})-?(\d{4})(?![0-9])", line)
            assert any(not luhn_ok(a + b) for a, b in numbers), d
        elif kind == "malformed_row" and d["feed"] != "aggregator_responses":
            line = lines_of(path)[d["line"] - 1]
            if d["field"] == "(row)":
                header = lines_of(path)[0]
                separator = ";" if ";" in header else ","
                assert line.count(separator) != header.count(separator), d
            else:
                with pytest.raises(json.JSONDecodeError):
                    json.loads(line)
        elif kind == "malformed_row":
            with zipfile.ZipFile(path) as archive:
                member = archive.infolist()[d["line"] - 1]
                assert member.filename == d["member"]
                assert not archive.read(member).rstrip().endswith(b">")
        elif kind in ("duplicated_row", "duplicated_event"):
            lines = lines_of(path)
            assert lines[d["line"] - 1] == lines[d["duplicate_of"] - 1]
        elif kind == "out_of_order_event":
            event = json.loads(lines_of(path)[d["line"] - 1])
            assert event["eventTime"][:10] == d["event_day"] < path.stem[-10:]
        elif kind == "late_outcome" and "line" in d:
            line = lines_of(path)[d["line"] - 1]
            assert d["key"] in line and d["days_after_visit"] >= 11
        elif kind == "corrected_redelivery":
            wrong = lines_of(path)[d["line"] - 1].split(";")
            right = lines_of(out / d["corrected_in"])[d["corrected_line"] - 1].split(";")
            assert {wrong[13], right[13]} == {"Genomförd", "Uteblev"}
            assert right[19] > wrong[19] and wrong[0] == right[0] == d["key"]
        elif kind == "renamed_column":
            broken = path.read_bytes()
            again = (out / d["redelivered_as"]).read_bytes()
            renamed = d["renamed_to"].encode("utf-8")
            assert renamed in broken and renamed not in again.replace(
                d["column"].encode("utf-8"), b"")
        elif kind == "wrong_encoding":
            raw = path.read_bytes()
            assert not raw.startswith(codecs.BOM_UTF8)
            raw.decode(d["delivered_as"])
            if d["delivered_as"] == "cp1252":
                with pytest.raises(UnicodeDecodeError):
                    raw.decode("utf-8")
        elif kind == "truncated_file":
            broken = path.read_bytes()
            again = (out / d["redelivered_as"]).read_bytes()
            assert again.startswith(broken) and len(again) > len(broken)
            assert not broken.endswith(b"\n")
        elif kind == "fhir_not_a_booking":
            resource = json.loads(lines_of(path)[d["line"] - 1])
            assert resource["status"] == d["status"] and resource["id"] == d["key"]


def test_ingestion_treats_each_defect_as_logged(messy: dict[str, Any], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The log's `expected` is what the ingestion adapters do (a sample per kind and feed)."""
    from ingestion import registry
    from ingestion.delimited import FileRejected
    from ingestion.feeds.base import LandingFile

    monkeypatch.setenv("TIDBOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TIDBOK_PSEUDONYM_KEY", "simulator-test-key")
    out = messy["out"]
    results: dict[str, Any] = {}

    def ingest(relative: str) -> Any:
        if relative not in results:
            feed = relative.split("/")[0]
            path = out / relative
            adapter = registry.adapter_for(feed, tmp_path / "work")
            file = LandingFile(feed, path.parent.name, path, relative,
                               hashlib.sha256(path.read_bytes()).hexdigest())
            try:
                rejected = {}
                for batch in adapter.read(file):
                    rejected.update({r["row_number"]: r["field"]
                                     for r in batch.rejected.iter_rows(named=True)})
                results[relative] = rejected
            except FileRejected as exc:
                results[relative] = str(exc)
        return results[relative]

    seen: dict[tuple[str, str], int] = defaultdict(int)
    defects = messy["truth"]["defects"]
    for d in defects["injected"] + defects["contract_gaps"]:
        key = (d["kind"], d["feed"])
        if seen[key] >= 3:
            continue
        seen[key] += 1
        result = ingest(d["file"])
        if d["expected"] == "file_rejected":
            assert isinstance(result, str), d
            assert ingest(d["redelivered_as"]) == {}, d
            continue
        assert isinstance(result, dict), (d, result)
        if d["expected"] == "loaded":
            assert d.get("line") not in result, (d, result)
        else:  # row_quarantined, member_quarantined, not_loaded
            assert d["line"] in result, (d, result)
            if d.get("field") and d["kind"] != "malformed_row":
                assert result[d["line"]].startswith(d["field"].split("(")[0]), (d, result)
    assert len(seen) >= 30
