"""Feeds 2a and 2b: the aggregating service's request log (JSON Lines) and what each
citizen was shown (a ZIP per day of RIVTA crm:scheduling 1.1 responses), both
national, one file per day, regions appended one after another."""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.aggregation import CONSUMER_1177_BOKADE_TIDER, Aggregation
from simulator.feeds.engagement_index import _write_daily
from simulator.feeds.files import Delivery
from simulator.feeds.zipfiles import MAX_MEMBERS, append_members, member_count
from simulator.textformat import iso_offset_text, ts_text

REQUESTS = "aggregator_requests"
RESPONSES = "aggregator_responses"
RESPONDER_NS = "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1"
CORE_NS = "urn:riv:crm:scheduling:1"
EXT_NS = "urn:riv:crm:scheduling:1.1"
_OPEN = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         f'<ns2:GetSubjectOfCareScheduleResponse xmlns:ns2="{RESPONDER_NS}" '
         f'xmlns="{CORE_NS}" xmlns:ns3="{EXT_NS}">')
_CLOSE = "</ns2:GetSubjectOfCareScheduleResponse>"


def write_requests(delivery: Delivery, world, aggregation: Aggregation) -> None:
    requests = aggregation.requests.filter(
        (pl.col("day") >= world.first_day) & (pl.col("day") <= world.last_day))
    line = pl.struct(
        pl.col("request_id").alias("requestId"),
        iso_offset_text(pl.col("at"), pl.col("second")).alias("timestamp"),
        pl.lit(CONSUMER_1177_BOKADE_TIDER).alias("consumerHsaId"),
        pl.col("identity").alias("subjectOfCare"),
        pl.col("ei_hits").alias("eiHits"),
        pl.col("sources"),
        pl.col("shown").alias("bookingsShown"),
        pl.col("hidden").alias("bookingsHidden"),
    ).struct.json_encode()
    lines = requests.select("day", "identity", "request_id", line.alias("line"))
    _write_daily(delivery, REQUESTS, "national", "requests", world, lines, key="request_id")


def _xml_text(expr: pl.Expr) -> pl.Expr:
    return (expr.str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True))


def _element(name: str, value: pl.Expr, prefix: str = "") -> pl.Expr:
    tag = f"{prefix}{name}"
    return pl.when(value.is_not_null()).then(
        pl.lit(f"<{tag}>") + value + pl.lit(f"</{tag}>")).otherwise(pl.lit(""))


def _bool(column: str) -> pl.Expr:
    return pl.when(pl.col(column)).then(pl.lit("true")).otherwise(pl.lit("false"))


def response_members(aggregation: Aggregation) -> pl.DataFrame:
    """One XML document per request: a timeslotDetail per booking shown, in the element
    order of crm:scheduling 1.1 TimeslotType."""
    shown = aggregation.shown.sort("view", "start_at", "booking_id")
    detail = pl.concat_str([
        pl.lit("<ns2:timeslotDetail>"),
        _element("startTimeInclusive", ts_text(pl.col("start_at"))),
        _element("endTimeExclusive", ts_text(pl.col("end_at"))),
        _element("healthcare_facility", pl.col("unit_hsa")),
        _element("bookingId", pl.col("booking_id")),
        _element("subject_of_care", pl.col("identity")),
        _element("healthcare_facility_name", _xml_text(pl.col("unit_name"))),
        _element("timeTypeName", _xml_text(pl.col("time_type_name"))),
        _element("timeTypeID", pl.col("time_type_code")),
        _element("careTypeName", _xml_text(pl.col("care_type_name"))),
        _element("careTypeID", pl.col("care_type_code")),
        _element("cancel_booking_allowed", _bool("cancel_allowed")),
        _element("rebooking_allowed", _bool("rebook_allowed")),
        _element("message_allowed", _bool("message_allowed")),
        _element("isInvitation", _bool("invitation"), "ns3:"),
        pl.lit("</ns2:timeslotDetail>"),
    ])
    details = (shown.select("view", detail.alias("detail"))
               .group_by("view", maintain_order=True).agg(pl.col("detail").str.join("")))
    return (aggregation.requests.select("view", "day", "request_id")
            .join(details, on="view", how="left", maintain_order="left")
            .with_columns((pl.lit(_OPEN) + pl.col("detail").fill_null("") + pl.lit(_CLOSE))
                          .alias("xml")))


def write_responses(delivery: Delivery, world, aggregation: Aggregation) -> None:
    members = response_members(aggregation).filter(
        (pl.col("day") >= world.first_day) & (pl.col("day") <= world.last_day))
    defects = delivery.defects(RESPONSES)
    broken = np.zeros(members.height, dtype=bool)
    if "malformed_row" in defects.kinds:
        broken = defects.draw("malformed_row", members.height)
    days = members["day"].to_numpy()
    ids = members["request_id"].to_list()
    xml = members["xml"].cast(pl.Binary).to_list()  # UTF-8 bytes
    bounds = np.searchsorted(days, np.arange(world.first_day, world.last_day + 2))
    for offset, day in enumerate(range(world.first_day, world.last_day + 1)):
        lo, hi = int(bounds[offset]), int(bounds[offset + 1])
        if lo == hi:
            continue
        date = np.datetime64(day, "D").astype(object)
        batch = []
        for i in range(lo, hi):
            data = xml[i]
            if broken[i]:
                data = data[: len(data) // 2]  # not well-formed: cut mid-document
            batch.append((f"{ids[i]}.xml", data, bool(broken[i]), ids[i]))
        part = 1
        while batch:
            name = (f"GetSubjectOfCareSchedule_{date.isoformat()}.zip" if part == 1 else
                    f"GetSubjectOfCareSchedule_{date.isoformat()}_part{part}.zip")
            path = delivery.path(RESPONSES, "national", name)
            room = MAX_MEMBERS - member_count(path)
            take, batch = batch[:room], batch[room:]
            part += 1
            if not take:
                continue
            first = member_count(path) + 1
            append_members(path, [(n, d) for n, d, _, _ in take],
                           (date.year, date.month, date.day))
            delivery.register(path, RESPONSES, len(take), "zip")
            for k, (member, _, bad, key) in enumerate(take):
                if bad:
                    delivery.log.add("malformed_row", RESPONSES, delivery.relative(path),
                                     "member_quarantined", line=first + k, member=member,
                                     field="(member)", key=key)
