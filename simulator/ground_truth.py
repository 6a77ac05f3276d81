"""The answers the pipeline must reproduce, computed from the world in memory.

`ground_truth.json` documents itself: `about` says what each part is;
`parameters` holds every assumption with a description; `metrics` one entry per
headline metric (METRICS.md) with its definition, grain, numerator and
denominator and rows per region and month (numerator and denominator, so they
can be re-aggregated); `planted_effects` the true effects of going live;
`defects` every defect injected, where, and what ingestion should do with it;
`counts` sizes and files per feed, for sanity checks.

Metrics are computed from the world before it is written: booking states as
known at the end of the last extract day (exactly what the time books say,
latest change wins), never by re-reading the files. The world is added batch
by batch (a region, or a chunk of one), so a streaming run never holds it all.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from simulator.aggregation import Aggregation
from simulator.batch import Batch, month_ends, month_of
from simulator.bookings import CANCELLED_BY_PATIENT, NO_SHOW
from simulator.care_catalogue import CHANNEL_INDEX, CHANNELS, TIME_TYPES, UNIT_TYPES
from simulator.contacts import Calls, Sessions
from simulator.defects import KINDS, DefectLog
from simulator.rollout import SERVICES as ROLLOUT_SERVICES
from simulator.world import World

_ESERVICE = CHANNEL_INDEX["eservice"]

METRICS: dict[str, dict[str, Any]] = {
    "no_show_rate": {
        "observable_from": (
            "the time books in any shape (booking_aggregates: DNA / (Attended + DNA) per "
            "BOOKING_CHANNEL)"),
        "description": "No-shows / (attended + no-shows) by region, month of the visit start "
        "(YYYY-MM) and booking channel (canonical code, tidbok.codes). A booking counts with "
        "its latest state known at the end of the last extract day (latest Ändrad wins); "
        "visits whose outcome is registered later, and visits after the period, are not "
        "counted yet.",
        "grain": ["month", "region", "channel"],
        "numerator": "bookings whose latest status is no_show (Uteblev)",
        "denominator": "bookings whose latest status is attended (Genomförd) or no_show "
        "(Uteblev)",
    },
    "late_cancellation_rate": {
        "observable_from": (
            "booking_csv, booking_events, booking_fhir (not booking_aggregates, which has no "
            "cancellations)"),
        "description": "Late patient cancellations / bookings that reached their start or "
        "were cancelled, by region and month of the (scheduled) start. Late = cancelled by "
        "the patient less than the region's threshold before the start (late_cancellation_"
        "threshold_hours: primary care units 24 h, specialist units 72 h, per region in "
        "parameters.regions). A rebooking cancels its old booking by the patient, so a late "
        "rebooking is a late cancellation. States as known at the cutoff.",
        "grain": ["month", "region"],
        "numerator": "bookings whose latest status is cancelled by the patient (Avbokad av "
        "Patient) with start - cancelled_at < the threshold",
        "denominator": "bookings whose latest status is attended, no_show or cancelled, or "
        "still booked with a start at or before the cutoff",
    },
    "digital_booking_share": {
        "observable_from": (
            "booking_csv, booking_fhir (creation channel, see "
            "creation_version_not_delivered), booking_events (every version)"),
        "description": "Bookings made in a 1177 e-service / all bookings, by region and month "
        "the booking was made; rebookings excluded (see digital_rebooking_share), refills of "
        "freed slots included (they are new bookings). The channel is the creation channel "
        "(first version). A delta extract (booking_csv, booking_fhir) shows only a day's last "
        "state: `creation_version_not_delivered` counts the bookings changed again the day "
        "they were made, whose creation channel the files cannot show.",
        "grain": ["month", "region"],
        "numerator": "bookings without Ombokad från whose creation channel is eservice (1177)",
        "denominator": "bookings without Ombokad från made in the month",
    },
    "digital_rebooking_share": {
        "observable_from": (
            "booking_csv (Ombokad från), booking_events (BookingMoved); booking_fhir does not"
            " link a rebooking to the booking it replaced"),
        "description": "Rebookings made in 1177 / all rebookings, by region and month of the "
        "rebooking (the new booking's Bokad).",
        "grain": ["month", "region"],
        "numerator": "bookings with Ombokad från made in 1177",
        "denominator": "bookings with Ombokad från",
    },
    "digital_cancellation_share": {
        "observable_from": (
            "booking_csv, booking_events; booking_fhir cannot tell a rebooking's "
            "cancellation from a cancellation (no link)"),
        "description": "Patient cancellations made in 1177 / all patient cancellations, by "
        "region and month of the cancellation; the cancellation of a booking that was rebooked "
        "is a rebooking, not counted here (its successor names it in Ombokad från).",
        "grain": ["month", "region"],
        "numerator": "bookings cancelled by the patient, not rebooked, whose cancellation "
        "channel is eservice (booking_csv Kanal 1177 on the cancelled row, FHIR pat-cpp)",
        "denominator": "bookings cancelled by the patient, not rebooked",
    },
    "booking_visibility_rate": {
        "observable_from": (
            "aggregator_requests and aggregator_responses joined to the time books "
            "(subjectOfCare, bookingId + unit), with connections and engagement_index for the"
            " reasons"),
        "description": "For every view of Bokade tider and every booking of the viewer that "
        "was upcoming at that minute in the time books: shown / all, by region and month of "
        "the view. Each pair not shown has exactly one reason, the first of: "
        "unit_not_connected (not in production on se_bokade_tider; includes units in test, "
        "whose bookings 1177 hides as SERVICE_NOT_ACTIVATED), time_book_not_connected, "
        "not_indexed (no live Engagemangsindex record of the resident at the unit, so the "
        "unit was not called), source_error (the call to the unit failed or timed out), "
        "hidden_time_type, no_reception_relation. Views are made by residents with a "
        "personnummer or samordningsnummer aged view_min_age or more.",
        "grain": ["month", "region"],
        "numerator": "view-booking pairs shown (a timeslotDetail in the view's response)",
        "denominator": "view-booking pairs: bookings upcoming (booked_at <= view < "
        "min(start, cancelled_at)) of the viewer at the view",
    },
    "ei_index_completeness": {
        "observable_from": (
            "engagement_index, the time books and connections (se_bokade_tider "
            "test/production dates, connected time books)"),
        "description": "Future bookings with a live Engagemangsindex record / future bookings "
        "that should be indexed, at the last minute of each month (the cutoff for the last "
        "month). Should be indexed: the unit is in test or production on se_bokade_tider "
        "(its bookings are loaded at 06:00 of that day) and the time book is connected. "
        "Bookings of residents with a reservnummer can never be indexed and count as "
        "missing.",
        "grain": ["month", "region"],
        "numerator": "bookings upcoming at the month's end with a live (created, not deleted) "
        "EI record",
        "denominator": "bookings upcoming at the month's end in time books that should be "
        "indexed",
    },
    "source_error_rate": {
        "observable_from": (
            "aggregator_requests (sources[].status, responseTimeMs)"),
        "description": "Aggregator calls to a unit's booking system that returned ERROR or "
        "TIMEOUT / all calls, by region of the unit and month of the call; with the p95 of "
        "responseTimeMs over all calls.",
        "grain": ["month", "region"],
        "numerator": "source calls with status ERROR or TIMEOUT",
        "denominator": "source calls (one per view and unit with a live EI record)",
    },
    "booking_lookup_calls_per_1000": {
        "observable_from": (
            "telephony (numerator) and the time books (denominator)"),
        "description": "Phone calls about an existing booking (Ärende 'Fråga om bokad tid', "
        "offered calls: Erbjudna samtal) per 1 000 upcoming bookings, by region and month. "
        "value = 1000 x numerator / denominator.",
        "grain": ["month", "region"],
        "numerator": "offered calls with Ärende 'Fråga om bokad tid' on days of the month",
        "denominator": "bookings upcoming at some moment of the month (made by its end, "
        "neither started nor cancelled before its start)",
    },
    "jump_out_dead_end_rate": {
        "observable_from": (
            "eservice_events (service uthopp, per sessionId)"),
        "description": "E-service sessions with a jump_out and no return_from_jump_out / "
        "sessions with a jump_out, by the resident's region and month of the jump.",
        "grain": ["month", "region"],
        "numerator": "sessions with jump_out and no return_from_jump_out",
        "denominator": "sessions with jump_out",
    },
    "units_connected_share": {
        "observable_from": (
            "connections and hsa_units"),
        "description": "Care units live on a service (produktion_datum <= day < "
        "avslutad_datum) / all active care units (hsa_units rows with ar_tidbok 0), on the "
        "last day of each month, per service.",
        "grain": ["month", "region", "service"],
        "numerator": "care units live on the service",
        "denominator": "active care units",
    },
    "slot_refill_rate": {
        "observable_from": (
            "the time books, approximately: a refill is not marked, a later booking of the "
            "same unit, time type and start after a cancellation is one (or a coincidence)"),
        "description": "Cancelled slots re-booked by another resident before the start / "
        "cancelled slots, by region and month of the start. A refill is a booking without "
        "Ombokad från at the same unit, time type and start, made after the cancellation.",
        "grain": ["month", "region"],
        "numerator": "cancelled bookings (any canceller, rebookings included) whose slot was "
        "refilled by a booking made by the cutoff",
        "denominator": "bookings cancelled by the cutoff",
    },
}

ABOUT = {
    "parameters": "Every parameter of the world: {name: {value, description}}.",
    "metrics": "Headline metrics (METRICS.md): definition, grain, numerator and denominator "
    "in words, and rows {grain..., numerator, denominator, value} per region and month.",
    "planted_effects": "The true effect of a unit going live (the natural experiment): the "
    "parameter, and the realised average effect on the treated computed from the world.",
    "defects": "Messy data: the rate per kind, counts, every injected defect with feed, file "
    "(relative to the landing folder), line or record, and what ingestion should do with it; "
    "and known contract gaps (not defects).",
    "counts": "Sizes of the world and the files and data rows delivered per feed.",
}


def _rate_rows(frame: pl.DataFrame, keys: list[str], scale: float = 1.0) -> list[dict]:
    frame = (frame.group_by(keys).agg(pl.col("numerator").sum(), pl.col("denominator").sum())
             .sort(keys))
    return frame.with_columns(
        pl.when(pl.col("denominator") > 0)
        .then((scale * pl.col("numerator") / pl.col("denominator")).round(6))
        .alias("value")).to_dicts()


class GroundTruth:
    """Collects metrics batch by batch, so a streaming run never holds all bookings."""

    def __init__(self, world: World):
        self.world = world
        self.parts: dict[str, list[pl.DataFrame]] = {}
        self.counts: Counter[str] = Counter()
        self.status_counts: Counter[str] = Counter()
        self.residents_with_booking = 0
        self.effects: dict[str, Counter[str]] = {}
        self.feeds: dict[str, dict[str, int]] = {}
        self.defect_log: DefectLog | None = None
        self.gaps: list[dict] = []

    def _add(self, name: str, frame: pl.DataFrame) -> None:
        self.parts.setdefault(name, []).append(frame)

    def _effect(self, name: str, **values: float) -> None:
        counter = self.effects.setdefault(name, Counter())
        for key, value in values.items():
            counter[key] += value

    # --- the time books -------------------------------------------------------------------
    def add_batch(self, batch: Batch) -> None:
        bookings, known = batch.bookings, batch.known
        region = batch.region
        self._add("no_show_rate", no_show_rate_rows(known))
        self.counts["bookings"] += bookings.height
        self.counts["rebookings"] += int((bookings["generation"] > 0).sum())
        self.counts["refills"] += int(bookings["refill_of"].is_not_null().sum())
        self.counts["referral_bookings"] += int(bookings["referral"].sum())
        self.counts["digital_bookings"] += int((bookings["channel"] == _ESERVICE).sum())
        self.counts["shifted_to_1177_at_go_live"] += int(bookings["shifted_to_1177"].sum())
        late = bookings["late_outcome_days"] > 0
        delivered = late & (bookings["fate_at"] <= batch.world.cutoff)
        # Messy data: outcomes registered late, by the cutoff (in a file) or after it (the
        # booking is still Bokad in every file).
        self.counts["late_outcomes_delivered"] += int(delivered.sum())
        self.counts["late_outcomes_after_cutoff"] += int((late & ~delivered).sum())
        self.residents_with_booking += bookings["resident_idx"].n_unique()
        for status, n in known.group_by("status").len().iter_rows():
            self.status_counts[status] += n
        threshold = _threshold_minutes(batch)
        self._late_cancellations(batch, threshold)
        self._digital_shares(batch)
        self._refills(batch)
        self._no_show_effect(batch)
        self.counts[f"bookings_{batch.profile.time_book_shape}"] += bookings.height
        del region

    def _late_cancellations(self, batch: Batch, threshold: np.ndarray) -> None:
        world = batch.world
        known = batch.known.with_columns(pl.Series("threshold", threshold))
        patient = (pl.col("status") == "cancelled") & (pl.col("cancelled_by") == "patient")
        late = patient & ((pl.col("start_at") - pl.col("cancelled_at")) < pl.col("threshold"))
        reached = pl.col("status").is_in(["attended", "no_show", "cancelled"]) | (
            (pl.col("status") == "booked") & (pl.col("start_at") <= world.cutoff))
        frame = known.filter(reached).with_columns(month_of(pl.col("start_at")).alias("month"))
        self._add("late_cancellation_rate", frame.group_by("month").agg(
            late.sum().cast(pl.Int64).alias("numerator"),
            pl.len().cast(pl.Int64).alias("denominator")).with_columns(
            pl.lit(batch.region).alias("region")))
        # The planted effect: treated = live on the effect's service when the booking
        # entered its late window.
        effect = world.params.planted_effects["late_cancellation"]
        unit = frame["unit_idx"].to_numpy()
        entered = np.maximum(frame["start_at"].to_numpy() - frame["threshold"].to_numpy(),
                             frame["booked_at"].to_numpy())
        treated = world.rollout.live(unit, effect["service"], entered)
        # Only cancellations without a rebooking draw their lateness (p_late).
        cancelled = (frame.select(patient).to_series().to_numpy()
                     & (frame["fate"] == CANCELLED_BY_PATIENT).to_numpy())
        p1 = np.nan_to_num(frame["p_late"].to_numpy())
        p0 = np.nan_to_num(frame["p_late0"].to_numpy())
        self._effect("late_cancellation", treated_bookings=int(treated.sum()),
                     treated_late=int((treated & frame.select(late).to_series().to_numpy())
                                      .sum()),
                     expected_late_with=float((p1 * (cancelled & treated)).sum()),
                     expected_late_without=float((p0 * (cancelled & treated)).sum()))

    def _digital_shares(self, batch: Batch) -> None:
        b = batch.bookings
        cutoff = batch.world.cutoff
        versions = batch.versions
        # Bookings changed again on the day they were made: their creation version is not
        # in a delta extract.
        day = versions.with_columns((pl.col("changed_at") // 1440).alias("d"))
        same_day = (day.filter(pl.col("version") > 0).join(
            day.filter(pl.col("version") == 0).select("seq", pl.col("d").alias("d0")), on="seq")
            .filter(pl.col("d") == pl.col("d0")).select("seq").unique())
        made = b.with_columns(month_of(pl.col("booked_at")).alias("month"),
                              pl.col("seq").is_in(same_day["seq"].implode()).alias("hidden"))
        first = made.filter(pl.col("rebooked_from").is_null())
        self._add("digital_booking_share", first.group_by("month").agg(
            (pl.col("channel") == _ESERVICE).sum().cast(pl.Int64).alias("numerator"),
            pl.len().cast(pl.Int64).alias("denominator"),
            pl.col("hidden").sum().cast(pl.Int64).alias("creation_version_not_delivered"),
        ).with_columns(pl.lit(batch.region).alias("region")))
        rebooked = made.filter(pl.col("rebooked_from").is_not_null())
        self._add("digital_rebooking_share", rebooked.group_by("month").agg(
            (pl.col("channel") == _ESERVICE).sum().cast(pl.Int64).alias("numerator"),
            pl.len().cast(pl.Int64).alias("denominator")).with_columns(
            pl.lit(batch.region).alias("region")))
        cancelled = b.filter((pl.col("fate") == CANCELLED_BY_PATIENT)
                             & (pl.col("fate_at") <= cutoff))
        self._add("digital_cancellation_share", cancelled.with_columns(
            month_of(pl.col("fate_at")).alias("month")).group_by("month").agg(
            (pl.col("action_channel") == _ESERVICE).sum().cast(pl.Int64).alias("numerator"),
            pl.len().cast(pl.Int64).alias("denominator")).with_columns(
            pl.lit(batch.region).alias("region")))
        self._effect("digital_shift_booking", shifted=int(b["shifted_to_1177"].sum()))

    def _refills(self, batch: Batch) -> None:
        b = batch.bookings
        cancelled = b.filter(pl.col("cancel_at") <= batch.world.cutoff)
        refilled = b["refill_of"].drop_nulls()
        self._add("slot_refill_rate", cancelled.with_columns(
            month_of(pl.col("start_at")).alias("month"),
            pl.col("booking_id").is_in(refilled.implode()).alias("refilled"),
        ).group_by("month").agg(pl.col("refilled").sum().cast(pl.Int64).alias("numerator"),
                                pl.len().cast(pl.Int64).alias("denominator"))
            .with_columns(pl.lit(batch.region).alias("region")))

    def _no_show_effect(self, batch: Batch) -> None:
        world = batch.world
        effect = world.params.planted_effects["no_show"]
        visits = batch.known.filter(pl.col("status").is_in(["attended", "no_show"]))
        treated = world.rollout.live(visits["unit_idx"].to_numpy(), effect["service"],
                                     visits["start_at"].to_numpy())
        p1 = visits["p_no_show"].to_numpy()
        p0 = visits["p_no_show0"].to_numpy()
        missed = (visits["status"] == "no_show").to_numpy()
        self._effect("no_show", treated_visits=int(treated.sum()),
                     treated_no_shows=int((missed & treated).sum()),
                     expected_no_shows_with=float(np.nansum(p1[treated])),
                     expected_no_shows_without=float(np.nansum(p0[treated])),
                     untreated_visits=int((~treated).sum()),
                     untreated_no_shows=int((missed & ~treated).sum()))

    # --- the aggregation layer, phones, e-services ---------------------------------------
    def add_aggregation(self, batch: Batch, aggregation: Aggregation) -> None:
        visibility = aggregation.visibility
        self._add("visibility", visibility)
        self._add("ei_index_completeness", aggregation.ei_completeness)
        calls = aggregation.source_calls
        self._add("source_error_rate", calls.group_by("month", "region").agg(
            (pl.col("status") != "OK").sum().cast(pl.Int64).alias("numerator"),
            pl.len().cast(pl.Int64).alias("denominator"),
            (pl.col("status") == "ERROR").sum().cast(pl.Int64).alias("errors"),
            (pl.col("status") == "TIMEOUT").sum().cast(pl.Int64).alias("timeouts")))
        # A histogram, not every call: p95 is exact and memory stays small at any scale.
        self._add("source_latency", calls.group_by("month", "region", "ms").len("n"))
        self.counts["bokade_tider_views"] += aggregation.requests.height
        self.counts["engagement_index_updates"] += aggregation.ei_updates.height

    def add_calls(self, calls: Calls, upcoming: pl.DataFrame) -> None:
        self._add("lookup_denominator", upcoming)
        lookups = calls.lookups
        self._effect("booking_lookup_calls",
                     treated_calls_without=int(lookups["treated_potential"].sum()),
                     treated_calls_with=int(lookups["treated_calls"].sum()))

    def add_telephony(self, region: str, rows: pl.DataFrame) -> None:
        lookups = rows.filter(pl.col("reason") == "Fråga om bokad tid").with_columns(
            pl.from_epoch(pl.col("day"), time_unit="d").dt.strftime("%Y-%m").alias("month"))
        self._add("lookup_numerator", lookups.group_by("month").agg(
            pl.col("offered").sum().cast(pl.Int64).alias("numerator")).with_columns(
            pl.lit(region).alias("region")))
        self.counts["phone_calls_offered"] += int(rows["offered"].sum())

    def add_sessions(self, sessions: Sessions) -> None:
        self._add("jump_out_dead_end_rate", sessions.jump_outs.select(
            "month", "region", pl.col("dead_ends").alias("numerator"),
            pl.col("sessions").alias("denominator")))
        self.counts["eservice_events"] += sessions.events.height

    def add_feeds(self, feeds: dict[str, dict[str, int]]) -> None:
        self.feeds = feeds

    def add_defects(self, log: DefectLog, gaps: list[dict]) -> None:
        self.defect_log = log
        self.gaps = gaps

    # --- the document ------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        world = self.world
        metrics: dict[str, Any] = {}
        metrics["no_show_rate"] = {**METRICS["no_show_rate"], "rows": _rate_rows(
            pl.concat(self.parts["no_show_rate"]), ["month", "region", "channel"])}
        for name in ("late_cancellation_rate", "digital_rebooking_share",
                     "digital_cancellation_share", "ei_index_completeness",
                     "jump_out_dead_end_rate", "slot_refill_rate"):
            metrics[name] = {**METRICS[name], "rows": _rate_rows(
                pl.concat(self.parts[name], how="vertical_relaxed"), ["month", "region"])}
        booking = pl.concat(self.parts["digital_booking_share"])
        rows = _rate_rows(booking, ["month", "region"])
        hidden = booking.group_by("month", "region").agg(
            pl.col("creation_version_not_delivered").sum())
        hidden_map = {(m, r): n for m, r, n in hidden.iter_rows()}
        for row in rows:
            row["creation_version_not_delivered"] = int(hidden_map[(row["month"],
                                                                    row["region"])])
        metrics["digital_booking_share"] = {**METRICS["digital_booking_share"], "rows": rows}
        metrics["booking_visibility_rate"] = self._visibility()
        metrics["source_error_rate"] = self._source_errors()
        metrics["booking_lookup_calls_per_1000"] = self._lookups()
        metrics["units_connected_share"] = {**METRICS["units_connected_share"],
                                            "rows": units_connected_rows(world)}
        ordered = {name: metrics[name] for name in METRICS}
        return {
            "about": ABOUT,
            "parameters": self._parameters(),
            "metrics": ordered,
            "planted_effects": self._planted_effects(),
            "defects": self._defects(),
            "counts": {
                "regions": len(world.regions),
                "care_units": world.units.units.height,
                "time_books": int((world.units.catalogue["ar_tidbok"] == 1).sum()),
                "residents_simulated": world.residents.frame.height,
                "residents_with_booking": self.residents_with_booking,
                "booking_chains": sum(world.chains_per_region.values()),
                **dict(sorted(self.counts.items())),
                "latest_status": dict(sorted(self.status_counts.items())),
                "feeds": self.feeds,
            },
        }

    def _visibility(self) -> dict[str, Any]:
        pairs = pl.concat(self.parts["visibility"])
        base = pairs.group_by("month", "region").agg(
            pl.col("pairs").filter(pl.col("reason") == "visible").sum().alias("numerator"),
            pl.col("pairs").sum().alias("denominator"))
        rows = _rate_rows(base, ["month", "region"])
        reasons = {(m, r, reason): n for m, r, reason, n in
                   pairs.group_by("month", "region", "reason").agg(pl.col("pairs").sum())
                   .iter_rows()}
        from simulator.aggregation import REASONS
        for row in rows:
            row["invisible_by_reason"] = {reason: int(reasons.get((row["month"], row["region"],
                                                                   reason), 0))
                                          for reason in REASONS}
        return {**METRICS["booking_visibility_rate"], "reasons": list(REASONS), "rows": rows}

    def _source_errors(self) -> dict[str, Any]:
        calls = pl.concat(self.parts["source_error_rate"])
        rows = _rate_rows(calls, ["month", "region"])
        extra = calls.group_by("month", "region").agg(pl.col("errors").sum(),
                                                      pl.col("timeouts").sum())
        histogram = (pl.concat(self.parts["source_latency"])
                     .group_by("month", "region", "ms").agg(pl.col("n").sum())
                     .sort("month", "region", "ms"))
        latency = histogram.group_by("month", "region", maintain_order=True).agg(
            _nearest_quantile(0.95).alias("p95"))
        extra_map = {(m, r): (e, t) for m, r, e, t in extra.iter_rows()}
        p95 = {(m, r): v for m, r, v in latency.iter_rows()}
        for row in rows:
            errors, timeouts = extra_map[(row["month"], row["region"])]
            row.update(errors=int(errors), timeouts=int(timeouts),
                       response_time_p95_ms=int(p95[(row["month"], row["region"])]))
        return {**METRICS["source_error_rate"], "rows": rows}

    def _lookups(self) -> dict[str, Any]:
        denominator = pl.concat(self.parts["lookup_denominator"]).group_by("month", "region").agg(
            pl.col("upcoming").sum().alias("denominator"))
        numerator = pl.concat(self.parts["lookup_numerator"]).group_by("month", "region").agg(
            pl.col("numerator").sum())
        frame = denominator.join(numerator, on=["month", "region"], how="left").with_columns(
            pl.col("numerator").fill_null(0))
        return {**METRICS["booking_lookup_calls_per_1000"],
                "rows": _rate_rows(frame, ["month", "region"], scale=1000.0)}

    def _planted_effects(self) -> dict[str, Any]:
        params = self.world.params
        e = {name: dict(counter) for name, counter in self.effects.items()}
        no_show = e.get("no_show", {})
        treated = no_show.get("treated_visits", 0)
        with_, without = (no_show.get("expected_no_shows_with", 0.0),
                          no_show.get("expected_no_shows_without", 0.0))
        late = e.get("late_cancellation", {})
        lookups = e.get("booking_lookup_calls", {})
        return {
            "no_show": {
                "parameter": params.planted_effects["no_show"],
                "description": "Visits at units live on the service at their start get `logit` "
                "added to their no-show logit. att_rate = (expected no-shows with the effect - "
                "without) / treated visits, over visits with a known outcome (rate points, "
                "negative = fewer no-shows); att_relative = with / without - 1.",
                "treated_visits": treated,
                "att_rate": round((with_ - without) / treated, 6) if treated else 0.0,
                "att_relative": round(with_ / without - 1, 6) if without else 0.0,
                **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in no_show.items()},
            },
            "late_cancellation": {
                "parameter": params.planted_effects["late_cancellation"],
                "description": "A patient cancellation is late with probability "
                "late_cancellation_share x (1 + relative) when the unit was live on the "
                "service as the booking entered its late window. att_rate = (expected late "
                "cancellations with - without) / treated bookings in the late_cancellation_rate "
                "denominator (rate points).",
                "att_rate": round((late.get("expected_late_with", 0.0)
                                   - late.get("expected_late_without", 0.0))
                                  / late["treated_bookings"], 6)
                if late.get("treated_bookings") else 0.0,
                **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in late.items()},
            },
            "booking_lookup_calls": {
                "parameter": params.planted_effects["booking_lookup_calls"],
                "description": "Each call about an upcoming booking made while its unit is live "
                "on the service is kept with probability 1 + relative. Counts are calls that "
                "got through, before abandoned calls are added; realised_relative = with / "
                "without - 1 among treated calls.",
                "realised_relative": round(lookups["treated_calls_with"]
                                           / lookups["treated_calls_without"] - 1, 6)
                if lookups.get("treated_calls_without") else 0.0,
                **lookups,
            },
            "digital_shift": {
                "parameter": params.digital_shift,
                "description": "Phone and front-desk actions moved to 1177 at units live on the "
                "service (ramping up over ramp_months). shifted_first_bookings counts bookings "
                "moved.",
                "shifted_first_bookings": e.get("digital_shift_booking", {}).get("shifted", 0),
            },
        }

    def _defects(self) -> dict[str, Any]:
        log = self.defect_log
        if log is None:
            return {}
        return {
            "rates": log.rates,
            "kinds": {name: {"unit": kind.unit, "description": kind.description}
                      for name, kind in KINDS.items()},
            "counts": log.counts(),
            "expected_values": {
                "loaded": "ingested as usual (the pipeline must cope downstream)",
                "row_quarantined": "the row (line) goes to the quarantine, the rest loads",
                "member_quarantined": "the ZIP member goes to the quarantine (row_number = "
                "member position, from 1)",
                "not_loaded": "not a booking: counted in the quarantine, not loaded",
                "file_rejected": "the whole file is rejected; see redelivered_as",
            },
            "injected": log.injected,
            "contract_gaps": self.gaps,
        }

    def _parameters(self) -> dict[str, Any]:
        world, scale = self.world, self.world.scale
        rollout = world.rollout
        return {
            "scale": {"value": scale.as_dict(), "description": "The scale row of "
                      "simulator/scales.py: period, booking target, unit density."},
            "seed": {"value": world.seed, "description": "Seed of every random stream; the "
                     "same (scale, seed, parameters) gives byte-identical files."},
            "period": {"value": {"start": scale.period_start.isoformat(),
                                 "end": scale.period_end.isoformat()},
                       "description": "First bookings are made in this period; visits may "
                       "fall after it and then stay Bokad. One booking_csv extract per region "
                       "and day of the period."},
            "knowledge_cutoff": {"value": f"{scale.period_end.isoformat()} 23:59",
                                 "description": "Changes after this minute are not delivered "
                                 "(a future outcome is not known yet)."},
            "time_zone": {"value": "Europe/Stockholm", "description": "All times are local "
                          "wall-clock times; feeds without an offset carry them as they are, "
                          "ISO feeds with the Stockholm offset of the moment."},
            "resident_sample_fraction": {
                "value": round(world.residents.sample_fraction, 8),
                "description": "Simulated residents / real population, from the booking "
                "target and bookings_per_resident_year."},
            "booking_chains_per_region": {
                "value": world.chains_per_region,
                "description": "Care episodes (a first booking and its rebookings) per "
                "region, split by population."},
            "regions": {
                "value": {code: {**profile.as_dict(),
                                 "rollout_start": _iso(rollout.region_start_day[code]),
                                 "reception_relation_required_until": _iso(
                                     rollout.relation_lifted_day[code])}
                          for code, profile in world.profiles.items()},
                "description": "Per-region traits: encoding and line ends of booking_csv, "
                "share of personnummer written with '-', digital multiplier, SMS reminder "
                "share, the region's no-show logit effect, its time-book shape, whether it "
                "signed the letter of intent, late-cancellation thresholds, hidden time types, "
                "booking systems (source systems with their failure rates), the first day a "
                "unit may go live, and the day it stopped requiring a reception relation "
                "(null = still does)."},
            "unit_types": {
                "value": {t.key: {"enhetstyp": t.enhetstyp, "specialist_care": t.specialist_care,
                                  "service_mix": t.service_mix,
                                  "time_books": [kind for kind, _ in t.time_books]}
                          for t in UNIT_TYPES},
                "description": "Care unit types (simulator/care_catalogue.py): the share of "
                "each care service in a unit's bookings, whether the late-cancellation "
                "threshold is the specialist one, and the time books a unit may split into."},
            "time_types": {
                "value": [t._asdict() for t in TIME_TYPES],
                "description": "Time types (Tidtyp, Tidtypsnamn) per care service with contact "
                "type, length in minutes and relative frequency within the service."},
            **world.params.describe(),
        }


def no_show_rate_rows(known: pl.DataFrame) -> pl.DataFrame:
    """Numerator and denominator per (month, region, channel) from known booking states."""
    visits = known.filter(pl.col("status").is_in(["attended", "no_show"]))
    return (
        visits.with_columns(
            month_of(pl.col("start_at")).alias("month"),
            pl.lit(pl.Series(CHANNELS)).gather(pl.col("channel")).alias("channel_code"),
        )
        .group_by("month", "region", "channel_code")
        .agg((pl.col("status") == "no_show").sum().cast(pl.Int64).alias("numerator"),
             pl.len().cast(pl.Int64).alias("denominator"))
        .rename({"channel_code": "channel"})
        .sort("month", "region", "channel")
    )


def units_connected_rows(world: World) -> list[dict]:
    rollout = world.rollout
    units = world.units.units
    region = units["region"].to_numpy()
    rows = []
    for month, minute in month_ends(world):
        day = minute // 1440
        for s, service in enumerate(ROLLOUT_SERVICES):
            live = (rollout.production_day[:, s] <= day) & (day < rollout.ended_day[:, s])
            for code in sorted(set(region)):
                mine = region == code
                n, d = int(live[mine].sum()), int(mine.sum())
                rows.append({"month": month, "region": code, "service": service,
                             "numerator": n, "denominator": d, "value": round(n / d, 6)})
    return rows


def _nearest_quantile(q: float) -> pl.Expr:
    """The q-quantile of a histogram (sorted `ms`, counts `n`) as Polars' quantile with
    interpolation='nearest' computes it over the values: the value at index
    round(q x (count - 1)), halves away from zero."""
    index = (pl.col("n").sum() - 1) * q
    position = index.round(mode="half_away_from_zero")
    return pl.col("ms").filter(pl.col("n").cum_sum() > position).first()


def _threshold_minutes(batch: Batch) -> np.ndarray:
    primary, specialist = batch.profile.late_threshold_hours
    return np.where(batch.known["specialist_care"].to_numpy(), specialist, primary) * 60


def _iso(day: int) -> str | None:
    from simulator.rollout import NEVER
    return None if day >= NEVER else str(np.datetime64(int(day), "D"))


def write_ground_truth(out: Path, truth: GroundTruth) -> Path:
    path = out / "ground_truth.json"
    text = json.dumps(truth.document(), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
    return path


__all__ = ["GroundTruth", "write_ground_truth", "no_show_rate_rows", "METRICS", "NO_SHOW"]
