"""The feeds tell one story: a booking in a time book is the same booking in
Engagemangsindex, in the aggregator's responses, in the platform's call counts, in
the e-service log and in the phone statistics; the four time-book shapes carry the
same world."""

from __future__ import annotations

import csv
import json
import zipfile
from collections import Counter
from typing import Any

import polars as pl

from tests.simulator.conftest import feed_files, read_delimited, read_json_lines
from tidbok.config import REGIONS_CSV


def test_every_request_has_its_response(tiny: dict[str, Any]) -> None:
    requests = read_json_lines(feed_files(tiny["out"], "aggregator_requests"))
    by_id = {r["requestId"]: r for r in requests}
    assert len(by_id) == len(requests) > 1000
    members = {}
    for path in feed_files(tiny["out"], "aggregator_responses", "*.zip"):
        day = path.stem.split("_")[1]
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                request_id = info.filename[:-4]
                members[request_id] = archive.read(info).decode("utf-8").count(
                    "<ns2:timeslotDetail>")
                assert by_id[request_id]["timestamp"][:10] == day
    assert members.keys() == by_id.keys()
    for request_id, shown in members.items():
        request = by_id[request_id]
        assert request["bookingsShown"] == shown
        returned = sum(s["bookingsReturned"] or 0 for s in request["sources"])
        assert returned == shown + len(request["bookingsHidden"])
        assert request["eiHits"] >= len(request["sources"])


def test_engagement_index_records_are_time_book_bookings(tiny: dict[str, Any],
                                                         latest_bookings: pl.DataFrame) -> None:
    lines = read_json_lines(feed_files(tiny["out"], "engagement_index"))
    ei = pl.DataFrame([{
        "Bokningsid": e["engagement"]["businessObjectInstanceIdentifier"],
        "Vårdenhet": e["engagement"]["logicalAddress"],
        "pnr": e["engagement"]["registeredResidentIdentification"],
        "start": e["engagement"]["mostRecentContent"], "delete": line["deleteFlag"],
        "at": e["engagement"]["updateTime"]} for line in lines for e in [line]])
    joined = ei.join(latest_bookings.with_columns(
        pl.col("Personnummer").str.replace("-", "").alias("pnr_csv"),
        pl.col("Starttid").str.replace_all(r"[-: ]", "").add("00").alias("start_csv")),
        on="Bokningsid", how="left")
    assert joined["Vårdenhet_right"].null_count() == 0  # every record is a real booking
    assert (joined["Vårdenhet"] == joined["Vårdenhet_right"]).all()
    assert (joined["pnr"] == joined["pnr_csv"]).all()
    assert (joined["start"] == joined["start_csv"]).all()
    # One record per booking, deleted at most once, after it was created.
    created = ei.filter(~pl.col("delete"))
    assert created["Bokningsid"].is_unique().all()
    deleted = ei.filter(pl.col("delete")).join(created.select("Bokningsid", "at"),
                                                on="Bokningsid", suffix="_created")
    assert (deleted["at"] >= deleted["at_created"]).all()
    # A passed or cancelled booking is deleted: at its start or its cancellation.
    deleted = deleted.join(latest_bookings, on="Bokningsid")
    until = pl.when(pl.col("Status") == "Avbokad").then(pl.col("Avbokad")).otherwise(
        pl.col("Starttid")).str.replace_all(r"[-: ]", "") + "00"
    assert (deleted["at"] == deleted.select(until).to_series()).all()


def test_platform_calls_follow_the_services(tiny: dict[str, Any]) -> None:
    calls: Counter[tuple[str, str]] = Counter()
    for path in feed_files(tiny["out"], "platform_stats"):
        document = json.loads(path.read_text(encoding="utf-8"))
        for entry in document["statistics"]:
            name = entry["namespace"].split(":")[-2].removesuffix("Responder")
            calls[(document["startDate"], name)] += entry["calls"]
    requests = read_json_lines(feed_files(tiny["out"], "aggregator_requests"))
    source_calls = Counter(r["timestamp"][:10] for r in requests for _ in r["sources"])
    for day, n in source_calls.items():
        assert calls[(day, "GetSubjectOfCareSchedule")] == n
    events = read_json_lines(feed_files(tiny["out"], "eservice_events"))
    booked = Counter(e["timestamp"][:10] for e in events if e["event"] == "book_completed")
    for day, n in booked.items():
        assert calls[(day, "MakeBooking")] + calls[(day, "MakeAppointment")] == n
    updates = Counter(line["engagement"]["updateTime"][:8] for line in read_json_lines(
        feed_files(tiny["out"], "engagement_index")))
    for day, n in updates.items():
        assert calls[(f"{day[:4]}-{day[4:6]}-{day[6:]}", "Update")] == n
    assert sum(calls[k] for k in calls if k[1] == "MakeAppointment") > 0  # new contract


def test_phone_calls_follow_actions_by_phone(tiny: dict[str, Any],
                                             latest_bookings: pl.DataFrame) -> None:
    phone = read_delimited(feed_files(tiny["out"], "telephony")).with_columns(
        pl.col("Erbjudna samtal").cast(pl.Int64), pl.col("Besvarade samtal").cast(pl.Int64))
    assert (phone["Besvarade samtal"] <= phone["Erbjudna samtal"]).all()
    assert set(phone["Ärende"]) == {"Boka", "Omboka", "Avboka", "Fråga om bokad tid",
                                    "Rådgivning", "Övrigt"}
    answered = {(d, u): n for d, u, n in phone.filter(pl.col("Ärende") == "Avboka").select(
        "Datum", "Vårdenhet", "Besvarade samtal").iter_rows()}
    rebooked = set(latest_bookings["Ombokad från"].drop_nulls())
    by_phone = latest_bookings.filter(
        (pl.col("Status") == "Avbokad") & (pl.col("Avbokad av") == "Patient")
        & (pl.col("Kanal") == "Telefon") & ~pl.col("Bokningsid").is_in(list(rebooked)))
    expected = Counter(zip(by_phone["Avbokad"].str.slice(0, 10), by_phone["Vårdenhet"],
                           strict=True))
    assert answered == dict(expected)
    moved = latest_bookings.filter(pl.col("Ombokad från").is_not_null()
                                   & (pl.col("first_kanal") == "Telefon"))
    assert phone.filter(pl.col("Ärende") == "Omboka")["Besvarade samtal"].sum() >= 0
    assert moved.height > 0


def test_digital_bookings_are_in_the_time_books(tiny: dict[str, Any],
                                                tiny_rows: pl.DataFrame) -> None:
    events = [e for e in read_json_lines(feed_files(tiny["out"], "eservice_events"))
              if e["event"] == "book_completed"]
    assert len(events) > 200
    # A booking changed again the day it was made has no row in state Bokad (a delta
    # extract shows the day's last state), but its Bokad column still says when.
    first = tiny_rows.sort("Ändrad").group_by("region", "Bokningsid").agg(pl.all().first())
    made = {(p.replace("-", ""), u, t, b): (s, k) for p, u, t, b, s, k in first.select(
        "Personnummer", "Vårdenhet", "Tidtyp", "Bokad", "Status", "Kanal").iter_rows()}
    for e in events:
        when = e["timestamp"][:16].replace("T", " ")
        status, kanal = made[(e["subjectOfCare"], e["unitHsaId"], e["timeTypeId"], when)]
        assert kanal == "1177" or status != "Bokad", e


def test_connections_name_catalogued_units(tiny: dict[str, Any]) -> None:
    units = read_delimited(feed_files(tiny["out"], "hsa_units"))
    connections = read_delimited(feed_files(tiny["out"], "connections"))
    parent = dict(zip(units["hsaId"], units["parentHsaId"], strict=True))
    for row in connections.iter_rows(named=True):
        assert parent.get(row["vardenhet"], "missing") is None  # a care unit
        assert row["tidbok"] is None or parent[row["tidbok"]] == row["vardenhet"]
        dates = [row[k] for k in ("ansokan_datum", "test_datum", "produktion_datum")
                 if row[k]]
        assert row["ansokan_datum"] and dates[0] == min(dates)
        assert row["avslutad_datum"] is None or row["avslutad_datum"] > row["produktion_datum"]
    regions = {parent_region for parent_region in
               units.filter(pl.col("hsaId").is_in(connections["vardenhet"].to_list()))
               ["regionkod"]}
    letter = tiny["truth"]["parameters"]["letter_of_intent_missing"]["value"]
    assert len(letter) == 3 and not regions & set(letter)
    assert len(regions) == 18
    assert set(connections["tjanst"]) == {"se_bokade_tider", "avboka", "omboka", "boka"}


def test_timeslots_count_the_visits(tiny: dict[str, Any],
                                    latest_bookings: pl.DataFrame) -> None:
    slots = read_delimited(feed_files(tiny["out"], "timeslots")).with_columns(
        pl.col("Antal tider", "Webbokningsbara", "Bokade", "Lediga vid start").cast(pl.Int64))
    assert (slots["Bokade"] <= slots["Antal tider"]).all()
    assert (slots["Webbokningsbara"] <= slots["Antal tider"]).all()
    assert (slots["Lediga vid start"] <= slots["Antal tider"]).all()
    kept = latest_bookings.filter(
        (pl.col("Starttid") <= "2025-03-31 23:59")
        & ((pl.col("Status") != "Avbokad") | (pl.col("Avbokad") >= pl.col("Starttid"))))
    visits = Counter(zip(kept["Starttid"].str.slice(0, 10), kept["Tidbok"], kept["Tidtyp"],
                         strict=True))
    booked = {(d, b, t): n for d, b, t, n in slots.select("Datum", "Tidbok", "Tidtyp",
                                                          "Bokade").iter_rows() if n}
    assert booked == dict(visits)


def test_population_matches_the_regions(tiny: dict[str, Any]) -> None:
    population = read_delimited(feed_files(tiny["out"], "population"), separator=",")
    with REGIONS_CSV.open(encoding="utf-8") as fh:
        expected = {r["regionkod"]: int(r["folkmangd_2024_ca"]) for r in csv.DictReader(fh)}
    totals = population.group_by("regionkod").agg(pl.col("antal").cast(pl.Int64).sum())
    assert dict(totals.iter_rows()) == expected
    assert set(population["aldersgrupp"]) == {"0-17", "18-29", "30-49", "50-64", "65-79", "80+"}
    women = population.filter(pl.col("kon") == "2")["antal"].cast(pl.Int64).sum()
    assert 0.49 < women / sum(expected.values()) < 0.52


def test_the_four_shapes_carry_the_same_world(realistic: dict[str, Any]) -> None:
    truth = realistic["truth"]
    shapes = {code: r["time_book_shape"] for code, r in
              truth["parameters"]["regions"]["value"].items()}
    assert set(shapes.values()) == {"booking_csv", "booking_events", "booking_fhir",
                                    "booking_aggregates"}
    out = realistic["out"]
    for shape in ("booking_csv", "booking_events", "booking_fhir", "booking_aggregates"):
        folders = {p.name for p in (out / shape).iterdir()}
        assert folders == {c for c, s in shapes.items() if s == shape}
    # Bookings per shape: every booking of an event region is created by one event.
    events = read_json_lines(feed_files(out, "booking_events"))
    created = {e["bookingId"] for e in events if e["eventType"] in ("BookingCreated",
                                                                      "BookingMoved")}
    assert len(created) == truth["counts"]["bookings_booking_events"]
    fhir = {r["id"] for r in read_json_lines(feed_files(out, "booking_fhir"))}
    assert len(fhir) == truth["counts"]["bookings_booking_fhir"]
    # Monthly counts: attended and missed visits equal the no-show truth of those regions.
    counts = read_delimited(feed_files(out, "booking_aggregates"), separator=",")
    months = {"JAN2025": "2025-01", "FEB2025": "2025-02", "MAR2025": "2025-03"}
    dna = counts.with_columns(pl.col("COUNT_OF_APPOINTMENTS").cast(pl.Int64),
                              pl.col("Appointment_Month").replace_strict(months).alias("month"))
    got = dna.filter(pl.col("APPT_STATUS") != "Unknown").group_by(
        "month", pl.col("REGION_CODE").alias("region"),
        pl.col("BOOKING_CHANNEL").alias("channel")).agg(
        pl.col("COUNT_OF_APPOINTMENTS").filter(pl.col("APPT_STATUS") == "DNA").sum()
        .alias("numerator"), pl.col("COUNT_OF_APPOINTMENTS").sum().alias("denominator"))
    want = {(r["month"], r["region"], r["channel"]): (r["numerator"], r["denominator"])
            for r in truth["metrics"]["no_show_rate"]["rows"]
            if shapes[r["region"]] == "booking_aggregates"}
    assert {(m, r, c): (n, d) for m, r, c, n, d in got.iter_rows()} == want
