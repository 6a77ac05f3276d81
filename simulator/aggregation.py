"""The aggregation layer: Engagemangsindex, the views of "Bokade tider", the calls
to the regions' booking systems, and what each resident was shown (SOURCES.md 2).

Engagemangsindex holds a record per upcoming booking of a unit connected to
Bokade tider (from its test date), unless the update was missed. A view asks the
index for the resident's records, calls each unit (logical address) that has
one, and shows what the units return, minus bookings 1177 hides. Each pair of a
view and an upcoming booking of its resident is either shown or invisible for
exactly one reason (the visibility metric of METRICS.md D).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.batch import Batch, month_ends, month_of
from simulator.bookings import MINUTES_PER_DAY
from simulator.care_catalogue import CHANNEL_INDEX, SERVICE_NAMES, SERVICES, TIME_TYPES
from simulator.rollout import NEVER, pair_uniform
from simulator.textformat import uuid_like

CONSUMER_1177_BOKADE_TIDER = "T-SERVICES-SE165565594230-10SZ"
AGGREGATOR_CONSUMER = "T-SERVICES-SE165565594230-1023"
EI_HSA_ID = "SE165565594230-1000"
# Invisibility reasons, in the order they are decided: each invisible pair gets the first.
REASONS = ("unit_not_connected", "time_book_not_connected", "not_indexed", "source_error",
           "hidden_time_type", "no_reception_relation")
HIDDEN_CODE = {"unit_not_connected": "SERVICE_NOT_ACTIVATED",
               "hidden_time_type": "HIDDEN_TIME_TYPE",
               "no_reception_relation": "NO_RECEPTION_RELATION"}
_INITIAL_LOAD_MINUTE = 6 * 60  # a unit's bookings are loaded into the index at 06:00
_RELATION_SALT = 0x52454C


@dataclass
class Aggregation:
    ei_updates: pl.DataFrame  # one row per Engagemangsindex update line
    requests: pl.DataFrame  # one row per view of Bokade tider (a request-log line)
    shown: pl.DataFrame  # one row per booking shown in a view (a timeslotDetail)
    source_calls: pl.DataFrame  # one row per call from the aggregator to a unit
    visibility: pl.DataFrame  # month, region, reason, pairs
    ei_completeness: pl.DataFrame  # month, region, numerator, denominator


def simulate_aggregation(batch: Batch) -> Aggregation:
    world, params = batch.world, batch.world.params
    rollout = world.rollout
    b = batch.bookings
    unit = b["unit_idx"].to_numpy()
    indexed_from = rollout.indexed_from_day(unit)
    indexed_from_minute = np.where(indexed_from >= NEVER, NEVER,
                                   indexed_from * MINUTES_PER_DAY + _INITIAL_LOAD_MINUTE)
    tidbok_ok = rollout.tidbok_connected[b["tidbok_idx"].to_numpy()]
    rng = batch.rng("engagement-index")
    missed = rng.random(b.height) < params.ei_miss_share
    index_at = np.maximum(b["booked_at"].to_numpy(), indexed_from_minute)
    until = b["until"].to_numpy()
    has_record = (b["national_id"].to_numpy() & tidbok_ok & ~missed & (index_at < until)
                  & (index_at <= world.cutoff))
    b = b.with_columns(pl.Series("index_at", index_at), pl.Series("has_record", has_record),
                       pl.Series("tidbok_connected", tidbok_ok),
                       pl.Series("indexed_from", indexed_from_minute))
    ei = _ei_updates(batch, b)
    completeness = _ei_completeness(batch, b)
    views = _views(batch, b)
    pairs = _pairs(batch, b, views)
    requests, shown, calls, visibility = _evaluate(batch, views, pairs)
    return Aggregation(ei, requests, shown, calls, visibility, completeness)


# ----------------------------------------------------------------------------- the index


def _ei_updates(batch: Batch, b: pl.DataFrame) -> pl.DataFrame:
    world = batch.world
    units = world.units.units
    systems = [s.hsa_id for s in batch.profile.source_systems]
    unit_system = world.rollout.unit_system
    records = b.filter(pl.col("has_record")).select(
        "booking_id", "identity", "unit_idx", "start_at", "index_at", "until",
        pl.lit(units["hsa_id"]).gather(pl.col("unit_idx")).alias("unit_hsa"),
        pl.lit(pl.Series(np.array(systems, dtype=object)[unit_system], dtype=pl.String)
               ).gather(pl.col("unit_idx")).alias("system_hsa"),
    )
    keys = records["booking_id"].str.slice(2).cast(pl.UInt64).to_numpy()
    records = records.with_columns(
        uuid_like(keys, int(batch.region) * 1_000_003 + 11).alias("process_id"))
    created = records.with_columns(pl.lit(False).alias("delete"),
                                   pl.col("index_at").alias("at"))
    deleted = records.filter(pl.col("until") <= world.cutoff).with_columns(
        pl.lit(True).alias("delete"), pl.col("until").alias("at"))
    org = batch.profile.region.organisation_number.replace("-", "")
    return (pl.concat([created, deleted])
            .with_columns((pl.col("at") // MINUTES_PER_DAY).alias("day"),
                          pl.lit(org).alias("data_controller"))
            .sort("at", "booking_id", "delete"))


def _ei_completeness(batch: Batch, b: pl.DataFrame) -> pl.DataFrame:
    """Upcoming bookings at each month's end in time books that should be indexed (unit
    in test or production on se_bokade_tider, time book connected), and how many have a
    live record."""
    rows = []
    for month, minute in month_ends(batch.world):
        upcoming = (pl.col("booked_at") <= minute) & (pl.col("until") > minute)
        should = upcoming & pl.col("tidbok_connected") & (pl.col("indexed_from") <= minute)
        live = should & pl.col("has_record") & (pl.col("index_at") <= minute)
        counts = b.select(should.sum().alias("d"), live.sum().alias("n")).row(0)
        rows.append((month, batch.region, int(counts[1]), int(counts[0])))
    return pl.DataFrame(rows, orient="row", schema={
        "month": pl.String, "region": pl.String, "numerator": pl.Int64,
        "denominator": pl.Int64})


# ----------------------------------------------------------------------------- views


def _views(batch: Batch, b: pl.DataFrame) -> pl.DataFrame:
    """Views of Bokade tider, each triggered by one upcoming booking of its resident."""
    params = batch.world.params
    rng = batch.rng("bokade-tider-views")
    eligible = (b["national_id"] & (b["age"] >= params.view_min_age)).to_numpy()
    rate = params.bokade_tider_views_per_booking * np.where(
        b["channel"].to_numpy() == CHANNEL_INDEX["eservice"], params.view_digital_factor, 1.0)
    booked = b["booked_at"].to_numpy()
    window_end = np.minimum(b["until"].to_numpy(), batch.world.cutoff + 1)
    count = rng.poisson(rate)
    count[~eligible | (window_end <= booked)] = 0
    source = np.repeat(np.arange(b.height), count)
    at = booked[source] + (rng.random(len(source)) * (window_end - booked)[source]).astype(
        np.int64)
    second = rng.integers(0, 60, size=len(source))
    views = (b.select("resident_idx", "identity", "age")[source]
             .with_columns(pl.Series("at", at, dtype=pl.Int64),
                           pl.Series("second", second, dtype=pl.Int64))
             .sort("at", "second", "resident_idx"))
    keys = (np.uint64(int(batch.region)) << np.uint64(56)) + (np.uint64(batch.chunk.index)
                                                              << np.uint64(48)) + np.arange(
        views.height, dtype=np.uint64)
    return views.with_columns(uuid_like(keys, 0xB0CADE).alias("request_id"),
                              pl.int_range(pl.len(), dtype=pl.Int64).alias("view"))


def _pairs(batch: Batch, b: pl.DataFrame, views: pl.DataFrame) -> pl.DataFrame:
    """Each view with each booking of its resident upcoming at that minute."""
    columns = b.select("resident_idx", "seq", "booking_id", "unit_idx", "tidbok_idx",
                       "time_type", "service", "channel", "contact", "booked_at", "start_at",
                       "end_at", "until", "has_record", "index_at", "tidbok_connected",
                       "specialist_care")
    # Join on (resident, week) rather than resident alone: a heavy user's bookings of the
    # whole year would otherwise meet each of their views.
    week = 7 * MINUTES_PER_DAY
    columns = columns.filter(pl.col("until") > pl.col("booked_at")).with_columns(
        pl.int_ranges(pl.col("booked_at") // week, (pl.col("until") - 1) // week + 1)
        .alias("week")).explode("week")
    return (views.select("view", "resident_idx", "at", (pl.col("at") // week).alias("week"))
            .join(columns, on=["resident_idx", "week"], how="inner")
            .filter((pl.col("booked_at") <= pl.col("at")) & (pl.col("at") < pl.col("until")))
            .drop("week")
            .sort("view", "seq"))


def _evaluate(batch: Batch, views: pl.DataFrame, pairs: pl.DataFrame):
    world, params = batch.world, batch.world.params
    rollout, profile = world.rollout, batch.profile
    rng = batch.rng("source-calls")
    unit = pairs["unit_idx"].to_numpy()
    at = pairs["at"].to_numpy()
    in_production = rollout.live(unit, "se_bokade_tider", at)
    ei_live = (pairs["has_record"] & (pairs["index_at"] <= pairs["at"])).to_numpy()
    pairs = pairs.with_columns(pl.Series("ei_live", ei_live),
                               pl.Series("in_production", in_production))

    # One call per view and unit with a live record.
    calls = (pairs.filter(pl.col("ei_live")).group_by("view", "unit_idx")
             .agg(pl.len().alias("records"), pl.col("at").first())
             .sort("view", "unit_idx"))
    systems = profile.source_systems
    call_system = rollout.unit_system[calls["unit_idx"].to_numpy()]
    error_rate = np.array([s.error_rate for s in systems])[call_system]
    timeout_rate = np.array([s.timeout_rate for s in systems])[call_system]
    latency = params.source_latency_ms
    u = rng.random(calls.height)
    status = np.where(u < error_rate, "ERROR",
                      np.where(u < error_rate + timeout_rate, "TIMEOUT", "OK"))
    factor = np.array([s.latency_factor for s in systems])[call_system]
    ok_ms = np.minimum(latency["median"] * factor
                       * np.exp(rng.normal(0.0, latency["sigma"], size=calls.height)),
                       latency["timeout_ms"] - 1)
    error_ms = rng.integers(20, 400, size=calls.height)
    ms = np.where(status == "OK", np.round(ok_ms), np.where(
        status == "ERROR", error_ms, latency["timeout_ms"])).astype(np.int64)
    calls = calls.with_columns(
        pl.Series("status", status), pl.Series("ms", ms),
        pl.Series("system_hsa", [systems[k].hsa_id for k in call_system], dtype=pl.String))

    pairs = pairs.join(calls.select("view", "unit_idx", "status"), on=["view", "unit_idx"],
                       how="left", maintain_order="left")
    hidden_types = np.zeros(len(TIME_TYPES), dtype=bool)
    hidden_types[list(profile.hidden_time_types)] = True
    share = params.no_reception_relation_share
    relation_share = np.where(pairs["specialist_care"].to_numpy(), share["specialist"],
                              share["primary"])
    no_relation = pair_uniform(pairs["resident_idx"].to_numpy(), unit,
                               world.seed * 7919 + _RELATION_SALT) < relation_share
    lifted = rollout.relation_lifted_day[batch.region]
    requires = at < (lifted * MINUTES_PER_DAY if lifted < NEVER else NEVER)
    hidden_type = hidden_types[pairs["time_type"].to_numpy()]
    no_relation_hidden = no_relation & requires
    called = pairs["status"].is_not_null().to_numpy()
    ok = (pairs["status"] == "OK").fill_null(False).to_numpy()
    tidbok_ok = pairs["tidbok_connected"].to_numpy()
    returned = called & ok & tidbok_ok
    reason = np.select(
        [~in_production, ~tidbok_ok, ~called, ~ok, hidden_type, no_relation_hidden],
        list(REASONS), default="visible")
    # What 1177 itself hides among returned bookings (and says why in the request log).
    hidden_code = np.select([~in_production, hidden_type, no_relation_hidden],
                            ["SERVICE_NOT_ACTIVATED", "HIDDEN_TIME_TYPE", "NO_RECEPTION_RELATION"],
                            default="")
    pairs = pairs.with_columns(
        pl.Series("returned", returned), pl.Series("reason", reason),
        pl.Series("hidden_code", np.where(returned, hidden_code, "")))

    units = world.units.units
    unit_hsa = pl.lit(units["hsa_id"]).gather(pl.col("unit_idx"))
    sources = (calls.join(pairs.filter(pl.col("returned")).group_by("view", "unit_idx")
                          .agg(pl.len().alias("returned")), on=["view", "unit_idx"],
                          how="left", maintain_order="left")
               .with_columns(unit_hsa.alias("logicalAddress"))
               .sort("view", "logicalAddress")
               .group_by("view", maintain_order=True)
               .agg(pl.struct(
                   pl.col("logicalAddress"),
                   pl.col("system_hsa").alias("sourceSystemHsaId"),
                   pl.col("status"),
                   pl.col("ms").alias("responseTimeMs"),
                   pl.when(pl.col("status") == "OK").then(pl.col("returned").fill_null(0))
                   .alias("bookingsReturned")).alias("sources"),
                   pl.col("records").sum().alias("ei_hits")))
    # (Columns are computed before grouping: a literal gathered inside an aggregation is
    # evaluated once per group.)
    hidden = (pairs.filter(pl.col("returned") & (pl.col("hidden_code") != ""))
              .with_columns(unit_hsa.alias("logicalAddress"))
              .group_by("view", maintain_order=True)
              .agg(pl.struct(pl.col("booking_id").alias("bookingId"),
                             pl.col("logicalAddress"),
                             pl.col("hidden_code").alias("reason")).alias("hidden")))
    shown_pairs = pairs.filter(pl.col("returned") & (pl.col("hidden_code") == ""))
    shown_count = shown_pairs.group_by("view").len("shown")
    empty_sources = pl.lit([], dtype=sources.schema["sources"])
    empty_hidden = pl.lit([], dtype=hidden.schema["hidden"])
    requests = (views.join(sources, on="view", how="left", maintain_order="left")
                .join(hidden, on="view", how="left", maintain_order="left")
                .join(shown_count, on="view", how="left", maintain_order="left")
                .with_columns(pl.col("sources").fill_null(empty_sources),
                              pl.col("hidden").fill_null(empty_hidden),
                              pl.col("ei_hits").fill_null(0).cast(pl.Int64),
                              pl.col("shown").fill_null(0).cast(pl.Int64),
                              (pl.col("at") // MINUTES_PER_DAY).alias("day")))
    shown = _shown_details(batch, shown_pairs, views)
    calls = calls.with_columns((pl.col("at") // MINUTES_PER_DAY).alias("day"),
                               unit_hsa.alias("unit_hsa"),
                               month_of(pl.col("at")).alias("month"),
                               pl.lit(batch.region).alias("region"))
    visibility = (pairs.with_columns(month_of(pl.col("at")).alias("month"))
                  .group_by("month", "reason").len("pairs")
                  .with_columns(pl.lit(batch.region).alias("region"))
                  .select("month", "region", "reason", pl.col("pairs").cast(pl.Int64))
                  .sort("month", "reason"))
    return requests, shown, calls, visibility


def _shown_details(batch: Batch, shown: pl.DataFrame, views: pl.DataFrame) -> pl.DataFrame:
    """The timeslotDetail fields of every shown booking."""
    world = batch.world
    units = world.units.units
    rollout = world.rollout
    unit = shown["unit_idx"].to_numpy()
    at = shown["at"].to_numpy()
    threshold = np.where(shown["specialist_care"].to_numpy(),
                         batch.profile.late_threshold_hours[1],
                         batch.profile.late_threshold_hours[0]) * 60
    early = (shown["start_at"].to_numpy() - at) > threshold
    # Systems other than the region's main one do not send the unit's name.
    named = rollout.unit_system[unit] == 0
    return shown.join(views.select("view", "request_id", "identity"), on="view",
                      how="left", maintain_order="left").with_columns(
        (pl.col("at") // MINUTES_PER_DAY).alias("day"),
        pl.lit(units["hsa_id"]).gather(pl.col("unit_idx")).alias("unit_hsa"),
        pl.when(pl.Series(named)).then(pl.lit(units["name"]).gather(pl.col("unit_idx")))
        .alias("unit_name"),
        pl.lit(pl.Series([t.code for t in TIME_TYPES])).gather(pl.col("time_type"))
        .alias("time_type_code"),
        pl.lit(pl.Series([t.name for t in TIME_TYPES])).gather(pl.col("time_type"))
        .alias("time_type_name"),
        pl.lit(pl.Series(list(SERVICES))).gather(pl.col("service")).alias("care_type_code"),
        pl.lit(pl.Series([SERVICE_NAMES[s] for s in SERVICES])).gather(pl.col("service"))
        .alias("care_type_name"),
        pl.Series("cancel_allowed", rollout.live(unit, "avboka", at) & early),
        pl.Series("rebook_allowed", rollout.live(unit, "omboka", at) & early),
        pl.Series("message_allowed", units["unit_type"].to_numpy()[unit] == "vardcentral"),
        (pl.col("channel") == CHANNEL_INDEX["invitation"]).alias("invitation"),
    )
