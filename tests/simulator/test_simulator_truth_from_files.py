"""The ground truth is computed from the world, before any file is written; here each
headline metric is recomputed independently from the delivered files (the way a
pipeline would) and must agree. Where a delta extract cannot show a value (the
creation channel of a booking changed again the same day) the truth says how many
such bookings there are, and the files must agree within that bound."""

from __future__ import annotations

import zipfile
from typing import Any

import polars as pl
import pytest

from tests.simulator.conftest import feed_files, read_delimited, read_json_lines

CUTOFF = "2025-03-31 23:59"
MONTH_ENDS = {"2025-01": "2025-01-31 23:59", "2025-02": "2025-02-28 23:59",
              "2025-03": "2025-03-31 23:59"}
MONTH_STARTS = {"2025-01": "2025-01-01 00:00", "2025-02": "2025-02-01 00:00",
                "2025-03": "2025-03-01 00:00"}


def truth_rows(truth: dict[str, Any], metric: str, keys: tuple[str, ...] = ("month", "region")
               ) -> dict[tuple, tuple[int, int]]:
    return {tuple(r[k] for k in keys): (r["numerator"], r["denominator"])
            for r in truth["metrics"][metric]["rows"]}


def as_dict(frame: pl.DataFrame, keys: tuple[str, ...] = ("month", "region")
            ) -> dict[tuple, tuple[int, int]]:
    return {tuple(r[k] for k in keys): (r["numerator"], r["denominator"])
            for r in frame.iter_rows(named=True) if r["denominator"]}


@pytest.fixture(scope="module")
def bookings(latest_bookings: pl.DataFrame) -> pl.DataFrame:
    """Latest state per booking with `until`: when it stopped being upcoming (its start,
    or its cancellation), as YYYY-MM-DD HH:MM text (which sorts like time)."""
    cancelled = pl.col("Status") == "Avbokad"
    return latest_bookings.with_columns(
        pl.when(cancelled & (pl.col("Avbokad") < pl.col("Starttid"))).then(pl.col("Avbokad"))
        .otherwise(pl.col("Starttid")).alias("until"),
        pl.col("Personnummer").str.replace("-", "").alias("pnr"))


@pytest.fixture(scope="module")
def units(tiny: dict[str, Any]) -> pl.DataFrame:
    return read_delimited(feed_files(tiny["out"], "hsa_units"))


def test_every_metric_documents_itself(tiny: dict[str, Any]) -> None:
    truth = tiny["truth"]
    assert set(truth["about"]) == {"parameters", "metrics", "planted_effects", "defects",
                                   "counts"}
    for name, metric in truth["metrics"].items():
        for key in ("description", "grain", "numerator", "denominator", "observable_from",
                    "rows"):
            assert metric[key], (name, key)
        assert metric["rows"], name
        for row in metric["rows"][:20]:
            assert set(metric["grain"]) | {"numerator", "denominator", "value"} <= set(row)
            assert 0 <= row["numerator"] and row["denominator"] >= 0
    assert set(truth["metrics"]) >= {
        "no_show_rate", "late_cancellation_rate", "digital_booking_share",
        "digital_cancellation_share", "booking_visibility_rate", "ei_index_completeness",
        "source_error_rate", "booking_lookup_calls_per_1000", "jump_out_dead_end_rate",
        "units_connected_share"}
    for name in ("no_show", "late_cancellation", "booking_lookup_calls"):
        assert truth["planted_effects"][name]["parameter"]
        assert truth["planted_effects"][name]["description"]


def test_late_cancellation_rate(tiny: dict[str, Any], bookings: pl.DataFrame,
                                units: pl.DataFrame) -> None:
    truth = tiny["truth"]
    specialist_types = {t["enhetstyp"] for t in truth["parameters"]["unit_types"]["value"]
                        .values() if t["specialist_care"]}
    thresholds = {code: r["late_cancellation_threshold_hours"]
                  for code, r in truth["parameters"]["regions"]["value"].items()}
    specialist = units.select(pl.col("hsaId").alias("Vårdenhet"),
                              pl.col("enhetstyp").is_in(list(specialist_types)).alias("spec"))
    frame = bookings.join(specialist, on="Vårdenhet").with_columns(
        pl.struct("region", "spec").map_elements(
            lambda r: thresholds[r["region"]]["specialist" if r["spec"] else "primary"],
            return_dtype=pl.Int64).alias("hours"),
        (pl.col("Starttid").str.to_datetime("%Y-%m-%d %H:%M")
         - pl.col("Avbokad").str.to_datetime("%Y-%m-%d %H:%M")).dt.total_minutes()
        .alias("before"))
    reached = pl.col("Status").is_in(["Genomförd", "Uteblev", "Avbokad"]) | (
        (pl.col("Status") == "Bokad") & (pl.col("Starttid") <= CUTOFF))
    late = ((pl.col("Status") == "Avbokad") & (pl.col("Avbokad av") == "Patient")
            & (pl.col("before") < pl.col("hours") * 60))
    recomputed = frame.filter(reached).group_by(
        pl.col("Starttid").str.slice(0, 7).alias("month"), "region").agg(
        late.sum().alias("numerator"), pl.len().alias("denominator"))
    assert as_dict(recomputed) == truth_rows(truth, "late_cancellation_rate")
    assert recomputed["numerator"].sum() > 50


def test_digital_shares(tiny: dict[str, Any], bookings: pl.DataFrame,
                        tiny_rows: pl.DataFrame) -> None:
    truth = tiny["truth"]
    rebooked = set(bookings["Ombokad från"].drop_nulls())
    cancelled = bookings.filter((pl.col("Status") == "Avbokad")
                                & (pl.col("Avbokad av") == "Patient")
                                & ~pl.col("Bokningsid").is_in(list(rebooked)))
    recomputed = cancelled.group_by(pl.col("Avbokad").str.slice(0, 7).alias("month"),
                                    "region").agg(
        (pl.col("Kanal") == "1177").sum().alias("numerator"), pl.len().alias("denominator"))
    assert as_dict(recomputed) == truth_rows(truth, "digital_cancellation_share")

    # Creation channel: the first delivered row shows it unless the booking changed again
    # the day it was made (then only the day's last state was extracted).
    first = tiny_rows.sort("Ändrad").group_by("region", "Bokningsid").agg(pl.all().first())
    first = first.with_columns(
        (pl.col("Status") != "Bokad").alias("hidden"),
        pl.col("Bokad").str.slice(0, 7).alias("month"))
    for metric, rows in (("digital_booking_share", first.filter(pl.col("Ombokad från")
                                                                  .is_null())),
                         ("digital_rebooking_share", first.filter(pl.col("Ombokad från")
                                                                    .is_not_null()))):
        files = rows.group_by("month", "region").agg(
            ((pl.col("Kanal") == "1177") & ~pl.col("hidden")).sum().alias("known"),
            pl.col("hidden").sum().alias("hidden"), pl.len().alias("denominator"))
        expected = {(r["month"], r["region"]): r for r in truth["metrics"][metric]["rows"]}
        assert set(expected) == {(m, r) for m, r in files.select("month", "region").iter_rows()}
        for row in files.iter_rows(named=True):
            want = expected[(row["month"], row["region"])]
            assert want["denominator"] == row["denominator"]
            assert row["known"] <= want["numerator"] <= row["known"] + row["hidden"]
            if metric == "digital_booking_share":
                assert want["creation_version_not_delivered"] == row["hidden"]


def _requests(tiny: dict[str, Any]) -> pl.DataFrame:
    records = read_json_lines(feed_files(tiny["out"], "aggregator_requests"))
    return pl.DataFrame([{
        "requestId": r["requestId"],
        "view": r["timestamp"][:16].replace("T", " "),
        "pnr": r["subjectOfCare"], "sources": r["sources"]} for r in records])


def test_booking_visibility_rate(tiny: dict[str, Any], bookings: pl.DataFrame) -> None:
    requests = _requests(tiny)
    shown = []
    for path in feed_files(tiny["out"], "aggregator_responses", "*.zip"):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                text = archive.read(info).decode("utf-8")
                for booking in text.split("<bookingId>")[1:]:
                    shown.append((info.filename[:-4], booking.split("<")[0]))
    shown_frame = pl.DataFrame(shown, schema=["requestId", "Bokningsid"], orient="row")
    pairs = (requests.select("requestId", "view", "pnr")
             .join(bookings.select("region", "Bokningsid", "pnr", "Bokad", "until"), on="pnr")
             .filter((pl.col("Bokad") <= pl.col("view")) & (pl.col("view") < pl.col("until")))
             .join(shown_frame.with_columns(pl.lit(True).alias("shown")),
                   on=["requestId", "Bokningsid"], how="left"))
    # Every booking shown was one of the viewer's upcoming bookings in the time books.
    assert pairs["shown"].sum() == shown_frame.height > 100
    recomputed = pairs.group_by(pl.col("view").str.slice(0, 7).alias("month"), "region").agg(
        pl.col("shown").sum().alias("numerator"), pl.len().alias("denominator"))
    truth = tiny["truth"]
    assert as_dict(recomputed) == truth_rows(truth, "booking_visibility_rate")
    for row in truth["metrics"]["booking_visibility_rate"]["rows"]:
        assert sum(row["invisible_by_reason"].values()) == row["denominator"] - row["numerator"]
    reasons = {k for r in truth["metrics"]["booking_visibility_rate"]["rows"]
               for k, v in r["invisible_by_reason"].items() if v}
    assert {"unit_not_connected", "not_indexed", "source_error", "hidden_time_type",
            "no_reception_relation"} <= reasons


def test_source_error_rate(tiny: dict[str, Any], units: pl.DataFrame) -> None:
    region_of = dict(zip(units["hsaId"], units["regionkod"], strict=True))
    calls = pl.DataFrame([{"month": r["view"][:7], "region": region_of[s["logicalAddress"]],
                           "status": s["status"], "ms": s["responseTimeMs"]}
                          for r in _requests(tiny).iter_rows(named=True) for s in r["sources"]])
    recomputed = calls.group_by("month", "region").agg(
        (pl.col("status") != "OK").sum().alias("numerator"), pl.len().alias("denominator"),
        pl.col("ms").quantile(0.95, interpolation="nearest").alias("p95"))
    truth = tiny["truth"]
    assert as_dict(recomputed) == truth_rows(truth, "source_error_rate")
    p95 = {(r["month"], r["region"]): r["response_time_p95_ms"]
           for r in truth["metrics"]["source_error_rate"]["rows"]}
    assert {(m, r): v for m, r, *_, v in recomputed.iter_rows()} == p95


def test_booking_lookup_calls_per_1000(tiny: dict[str, Any], bookings: pl.DataFrame) -> None:
    calls = read_delimited(feed_files(tiny["out"], "telephony"))
    numerator = (calls.filter(pl.col("Ärende") == "Fråga om bokad tid")
                 .group_by(pl.col("Datum").str.slice(0, 7).alias("month"),
                           pl.col("folder").alias("region"))
                 .agg(pl.col("Erbjudna samtal").cast(pl.Int64).sum().alias("numerator")))
    rows = []
    for month, end in MONTH_ENDS.items():
        start = MONTH_STARTS[month]
        upcoming = bookings.filter((pl.col("Bokad") <= end) & (pl.col("until") > start)
                                   & (pl.col("until") > pl.col("Bokad")))
        rows.append(upcoming.group_by("region").len("denominator").with_columns(
            pl.lit(month).alias("month")))
    recomputed = pl.concat(rows).join(numerator, on=["month", "region"], how="left").with_columns(
        pl.col("numerator").fill_null(0))
    truth = tiny["truth"]
    assert as_dict(recomputed) == truth_rows(truth, "booking_lookup_calls_per_1000")
    row = truth["metrics"]["booking_lookup_calls_per_1000"]["rows"][0]
    assert row["value"] == pytest.approx(1000 * row["numerator"] / row["denominator"], abs=1e-5)


def test_jump_out_dead_end_rate(tiny: dict[str, Any]) -> None:
    events = pl.DataFrame([{k: e[k] for k in ("sessionId", "event", "timestamp", "_folder")}
                           for e in read_json_lines(feed_files(tiny["out"], "eservice_events"))
                           if e["service"] == "uthopp"])
    sessions = events.group_by("sessionId", "_folder").agg(
        pl.col("timestamp").filter(pl.col("event") == "jump_out").first().alias("jump"),
        (pl.col("event") == "return_from_jump_out").any().alias("returned"))
    recomputed = sessions.filter(pl.col("jump").is_not_null()).group_by(
        pl.col("jump").str.slice(0, 7).alias("month"), pl.col("_folder").alias("region")).agg(
        (~pl.col("returned")).sum().alias("numerator"), pl.len().alias("denominator"))
    assert as_dict(recomputed) == truth_rows(tiny["truth"], "jump_out_dead_end_rate")


def _connections(tiny: dict[str, Any]) -> pl.DataFrame:
    return read_delimited(feed_files(tiny["out"], "connections"))


def test_units_connected_share(tiny: dict[str, Any], units: pl.DataFrame) -> None:
    connections = _connections(tiny)
    care_units = units.filter(pl.col("ar_tidbok") == "0").group_by("regionkod").len("n")
    region_of = dict(zip(units["hsaId"], units["regionkod"], strict=True))
    recomputed = {}
    for month, end in MONTH_ENDS.items():
        day = end[:10]
        live = connections.filter(
            (pl.col("produktion_datum") <= day)
            & (pl.col("avslutad_datum").is_null() | (pl.col("avslutad_datum") > day)))
        counts = live.select("vardenhet", "tjanst").unique().with_columns(
            pl.col("vardenhet").replace_strict(region_of).alias("region")).group_by(
            "region", "tjanst").len("n")
        found = {(r, s): n for r, s, n in counts.iter_rows()}
        for region, total in care_units.iter_rows():
            for service in ("se_bokade_tider", "avboka", "omboka", "boka"):
                n = found.get((region, service), 0)
                recomputed[(month, region, service)] = (n, total)
    assert recomputed == truth_rows(tiny["truth"], "units_connected_share",
                                    ("month", "region", "service"))
    # Not every unit is live, nor none: the rollout is under way.
    shares = [n / d for n, d in recomputed.values()]
    assert 0 < sum(shares) / len(shares) < 1


def test_ei_index_completeness(tiny: dict[str, Any], bookings: pl.DataFrame) -> None:
    connections = _connections(tiny).filter(pl.col("tjanst") == "se_bokade_tider").with_columns(
        pl.min_horizontal("test_datum", "produktion_datum").alias("from_day"))
    unit_level = connections.filter(pl.col("tidbok").is_null()).select(
        pl.col("vardenhet").alias("Tidbok"), "from_day")
    book_level = connections.filter(pl.col("tidbok").is_not_null()).select(
        pl.col("tidbok").alias("Tidbok"), "from_day")
    indexed = pl.concat([unit_level, book_level]).with_columns(
        (pl.col("from_day") + " 06:00").alias("indexed_from"))
    created = pl.DataFrame([
        {"Bokningsid": line["engagement"]["businessObjectInstanceIdentifier"],
         "Vårdenhet": line["engagement"]["logicalAddress"],
         "created": line["engagement"]["creationTime"]}
        for line in read_json_lines(feed_files(tiny["out"], "engagement_index"))
        if not line["deleteFlag"]]).with_columns(
        pl.col("created").str.to_datetime("%Y%m%d%H%M%S").dt.strftime("%Y-%m-%d %H:%M"))
    frame = (bookings.join(indexed, on="Tidbok", how="left")
             .join(created, on=["Bokningsid", "Vårdenhet"], how="left"))
    rows = []
    for month, end in MONTH_ENDS.items():
        should = frame.filter((pl.col("Bokad") <= end) & (pl.col("until") > end)
                              & (pl.col("indexed_from") <= end))
        rows.append(should.group_by("region").agg(
            (pl.col("created") <= end).sum().alias("numerator"),
            pl.len().alias("denominator")).with_columns(pl.lit(month).alias("month")))
    truth = truth_rows(tiny["truth"], "ei_index_completeness")
    assert as_dict(pl.concat(rows)) == {k: v for k, v in truth.items() if v[1]}


def test_slot_refills_are_visible_in_the_time_books(tiny: dict[str, Any],
                                                    bookings: pl.DataFrame) -> None:
    """Refills are not marked in the files: a later booking of the same unit, time type
    and start after a cancellation is one (or a coincidence, so files find at least as
    many as the truth)."""
    cancelled = bookings.filter(pl.col("Status") == "Avbokad")
    later = bookings.filter(pl.col("Ombokad från").is_null()).select(
        "region", "Vårdenhet", "Tidtyp", "Starttid", pl.col("Bokad").alias("other_bokad"))
    found = (cancelled.join(later, on=["region", "Vårdenhet", "Tidtyp", "Starttid"], how="left")
             .group_by("region", "Bokningsid", "Starttid")
             .agg((pl.col("other_bokad") > pl.col("Avbokad").first()).any().alias("refilled")))
    files = found.group_by(pl.col("Starttid").str.slice(0, 7).alias("month"), "region").agg(
        pl.col("refilled").sum().alias("numerator"), pl.len().alias("denominator"))
    truth = truth_rows(tiny["truth"], "slot_refill_rate")
    for key, (numerator, denominator) in as_dict(files).items():
        assert truth[key][1] == denominator
        assert truth[key][0] <= numerator
    assert sum(n for n, _ in truth.values()) > 50
