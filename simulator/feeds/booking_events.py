"""Feed 1b, `booking_events`: a region's booking event stream, one JSON Lines file per day.

Every version of a booking (versions.py) is one event: made (BookingCreated, or
BookingMoved for a rebooking, with the replaced booking's start), cancelled,
attended (VisitCompleted, or PatientArrived at units that check patients in),
missed (PatientNoShow), and a wrongly registered no-show corrected
(VisitCompleted). An event is in the file of the day it happened, in time order;
with defects on, some arrive days late or twice.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.batch import Batch
from simulator.bookings import MINUTES_PER_DAY
from simulator.care_catalogue import CHANNELS, CONTACT_TYPES, REMINDERS, SERVICES, TIME_TYPES
from simulator.feeds.files import Delivery, RowInfo
from simulator.identifiers import RESERVNUMMER
from simulator.rollout import pair_uniform
from simulator.textformat import iso_offset_text, uuid_like

FEED = "booking_events"
FIELDS = ("eventId", "eventType", "eventTime", "bookingId", "careUnitId", "timeBookId",
          "patientId", "timeTypeId", "timeTypeName", "careService", "contactType", "startTime",
          "endTime", "channel", "referralId", "cancelledBy", "cancelReason",
          "previousStartTime", "reminder", "cancelAllowed", "rescheduleAllowed")
_CHECK_IN_SHARE = 0.4  # visits closed by a check-in (PatientArrived)


def _label(column: str, labels) -> pl.Expr:
    return pl.lit(pl.Series(list(labels))).gather(pl.col(column))


def event_frame(batch: Batch) -> pl.DataFrame:
    """One row per event with its JSON line and the day it is delivered."""
    world = batch.world
    units = world.units
    b = batch.bookings
    starts = b.select(pl.col("booking_id").alias("rebooked_from"),
                      pl.col("start_at").alias("previous_start"))
    fixed = b.join(starts, on="rebooked_from", how="left", maintain_order="left").select(
        "seq", "booking_id", "unit_idx", "tidbok_idx", "identity", "id_kind", "time_type",
        "service", "contact", "start_at", "end_at", "referral_id", "reminder", "generation",
        "previous_start", "fate_at", "late_outcome_days")
    v = batch.versions.join(fixed, on="seq", how="left", maintain_order="left")
    unit = v["unit_idx"].to_numpy()
    at = v["changed_at"].to_numpy()
    # Some visits are closed by the patient's check-in (a kiosk or the 1177 app) rather
    # than by the clinician: drawn per booking, the same in every run.
    check_in = pair_uniform(v["seq"].to_numpy(), np.full(v.height, int(batch.region)),
                            0xC4EC) < _CHECK_IN_SHARE
    status, version = pl.col("status"), pl.col("version")
    event_type = (
        pl.when(version == 0).then(
            pl.when(pl.col("generation") > 0).then(pl.lit("BookingMoved"))
            .otherwise(pl.lit("BookingCreated")))
        .when(status == "cancelled").then(pl.lit("BookingCancelled"))
        .when(status == "no_show").then(pl.lit("PatientNoShow"))
        .when(pl.Series(check_in) & (version == 1)).then(pl.lit("PatientArrived"))
        .otherwise(pl.lit("VisitCompleted")))
    keys = ((np.uint64(int(batch.region)) << np.uint64(56))
            + (v["seq"].to_numpy().astype(np.uint64) << np.uint64(2))
            + v["version"].to_numpy().astype(np.uint64))
    numeric = pl.col("id_kind") != RESERVNUMMER
    patient = pl.when(numeric).then(pl.col("identity").str.slice(0, 8) + "-"
                                    + pl.col("identity").str.slice(8)).otherwise(
        pl.col("identity"))
    frame = v.with_columns(
        uuid_like(keys, 0xB00C).alias("eventId"),
        event_type.alias("eventType"),
        iso_offset_text(pl.col("changed_at")).alias("eventTime"),
        pl.col("booking_id").alias("bookingId"),
        pl.lit(units.units["hsa_id"]).gather(pl.col("unit_idx")).alias("careUnitId"),
        pl.lit(pl.Series(units.tidbok_hsa)).gather(pl.col("tidbok_idx")).alias("timeBookId"),
        patient.alias("patientId"),
        _label("time_type", [t.code for t in TIME_TYPES]).alias("timeTypeId"),
        _label("time_type", [t.name for t in TIME_TYPES]).alias("timeTypeName"),
        _label("service", SERVICES).alias("careService"),
        _label("contact", CONTACT_TYPES).alias("contactType"),
        iso_offset_text(pl.col("start_at")).alias("startTime"),
        iso_offset_text(pl.col("end_at")).alias("endTime"),
        _label("kanal_channel", CHANNELS).alias("channel"),
        pl.col("referral_id").alias("referralId"),
        pl.col("cancelled_by").alias("cancelledBy"),
        pl.col("cancel_reason").alias("cancelReason"),
        pl.when((version == 0) & pl.col("previous_start").is_not_null())
        .then(iso_offset_text(pl.col("previous_start"))).alias("previousStartTime"),
        _label("reminder", REMINDERS).alias("reminder"),
        pl.Series("cancelAllowed", world.rollout.live(unit, "avboka", at)),
        pl.Series("rescheduleAllowed", world.rollout.live(unit, "omboka", at)),
        (pl.col("changed_at") // MINUTES_PER_DAY).alias("day"),
        pl.when(numeric).then(patient).alias("_identity"),
    )
    return frame.with_columns(pl.struct(list(FIELDS)).struct.json_encode().alias("line")
                              ).select(
        "day", "changed_at", "seq", "version", "line", "_identity", "bookingId", "eventId",
        pl.when((pl.col("version") == 1) & pl.col("status").is_in(["attended", "no_show"]))
        .then(pl.col("late_outcome_days")).otherwise(0).alias("_late_days"))


def write_events(delivery: Delivery, batch: Batch, create_all: bool = True) -> None:
    world = batch.world
    code = batch.region
    frame = event_frame(batch).sort("changed_at", "seq", "version")
    defects = delivery.defects(FEED)
    late = np.zeros(frame.height, dtype=bool)
    delay = np.zeros(frame.height, dtype=np.int64)
    if "out_of_order_event" in defects.kinds:
        delay = defects.rng.integers(1, 4, size=frame.height)
        can = (frame["day"].to_numpy() + delay) <= world.last_day
        candidates = np.flatnonzero(can)
        late[candidates[defects.draw("out_of_order_event", len(candidates))]] = True
    frame = frame.with_columns(
        pl.Series("late", late),
        (pl.col("day") + pl.Series(np.where(late, delay, 0))).alias("file_day"))
    # Each file: the day's events in time order, then events arriving late.
    frame = frame.sort("file_day", "late", "changed_at", "seq", "version")
    days = frame["file_day"].to_numpy()
    lines = frame["line"].to_list()
    identity = frame["_identity"].to_list()
    keys = frame["eventId"].to_list()
    late_list = frame["late"].to_list()
    event_days = frame["day"].to_list()
    late_days = frame["_late_days"].to_list()
    bookings = frame["bookingId"].to_list()
    bounds = np.searchsorted(days, np.arange(world.first_day, world.last_day + 2))
    for offset, day in enumerate(range(world.first_day, world.last_day + 1)):
        lo, hi = int(bounds[offset]), int(bounds[offset + 1])
        if lo == hi and not create_all:
            continue
        tags = {i - lo: {"kind": "out_of_order_event", "expected": "loaded", "key": keys[i],
                         "event_day": str(np.datetime64(event_days[i], "D")),
                         "days_late": int(day - event_days[i])}
                for i in range(lo, hi) if late_list[i]}
        tags.update({i - lo: {"kind": "late_outcome", "expected": "loaded",
                              "key": bookings[i], "days_after_visit": int(late_days[i])}
                     for i in range(lo, hi) if late_days[i] and not late_list[i]})
        date = str(np.datetime64(day, "D"))
        delivery.write_rows(FEED, code, f"events_{code}_{date}.jsonl", lines[lo:hi],
                            fmt="jsonl", info=RowInfo(identity[lo:hi], keys[lo:hi]), tags=tags)
