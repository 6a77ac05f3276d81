"""The change history of every booking, independent of any feed's format.

Each booking has a version when it is made, one when it is cancelled, rebooked
or gets an outcome, and one more when a wrongly registered no-show is corrected.
Only changes at or before the knowledge cutoff exist: a later outcome is not
known yet. Feed writers render these versions (booking_csv rows, booking_events
events, booking_fhir resource versions), and the ground truth reads the last one.
"""

from __future__ import annotations

import polars as pl

from simulator.bookings import (
    ATTENDED,
    CANCELLED_BY_PATIENT,
    CANCELLED_BY_PROVIDER,
    NO_SHOW,
    NONE,
    REBOOKED,
)
from simulator.care_catalogue import (
    PATIENT_CANCEL_REASONS,
    PROVIDER_CANCEL_REASONS,
    REBOOKING_REASON,
)

VERSION_COLUMNS = ("seq", "version", "changed_at", "status", "kanal_channel", "cancelled_at",
                   "cancelled_by", "cancel_reason")


def booking_versions(bookings: pl.DataFrame, cutoff: int) -> pl.DataFrame:
    """One row per (booking, change) up to `cutoff` (minutes), canonical codes.

    status: booked / cancelled / attended / no_show; kanal_channel: channel index of
    the booking, or of the cancelling action on a cancelled version.
    """
    fate = pl.col("fate")
    made = bookings.select(
        "seq", pl.lit(0).alias("version"), pl.col("booked_at").alias("changed_at"),
        pl.lit("booked").alias("status"), pl.col("channel").alias("kanal_channel"),
        pl.lit(None, pl.Int64).alias("cancelled_at"), pl.lit(None, pl.String).alias("cancelled_by"),
        pl.lit(None, pl.String).alias("cancel_reason"),
    )
    cancelled = fate.is_in([REBOOKED, CANCELLED_BY_PATIENT, CANCELLED_BY_PROVIDER])
    patient_reason = pl.lit(pl.Series(PATIENT_CANCEL_REASONS)).gather(
        pl.col("reason").clip(0, None))
    provider_reason = pl.lit(pl.Series(PROVIDER_CANCEL_REASONS)).gather(
        pl.col("reason").clip(0, None))
    changed = bookings.filter((pl.col("fate_at") != NONE) & (pl.col("fate_at") <= cutoff)).select(
        "seq", pl.lit(1).alias("version"), pl.col("fate_at").alias("changed_at"),
        pl.when(cancelled).then(pl.lit("cancelled"))
        .when((fate == NO_SHOW) | ((fate == ATTENDED) & (pl.col("correction_at") != NONE)))
        .then(pl.lit("no_show"))  # a corrected visit is first registered as missed
        .otherwise(pl.lit("attended")).alias("status"),
        pl.when(cancelled).then(pl.col("action_channel")).otherwise(pl.col("channel"))
        .alias("kanal_channel"),
        pl.when(cancelled).then(pl.col("fate_at")).alias("cancelled_at"),
        pl.when(fate == CANCELLED_BY_PROVIDER).then(pl.lit("provider"))
        .when(cancelled).then(pl.lit("patient")).alias("cancelled_by"),
        pl.when(fate == REBOOKED).then(pl.lit(REBOOKING_REASON))
        .when(fate == CANCELLED_BY_PATIENT).then(patient_reason)
        .when(fate == CANCELLED_BY_PROVIDER).then(provider_reason).alias("cancel_reason"),
    )
    corrected = bookings.filter(
        (pl.col("correction_at") != NONE) & (pl.col("correction_at") <= cutoff)).select(
        "seq", pl.lit(2).alias("version"), pl.col("correction_at").alias("changed_at"),
        pl.lit("attended").alias("status"), pl.col("channel").alias("kanal_channel"),
        pl.lit(None, pl.Int64).alias("cancelled_at"), pl.lit(None, pl.String).alias("cancelled_by"),
        pl.lit(None, pl.String).alias("cancel_reason"),
    )
    return pl.concat([made, changed, corrected], how="vertical_relaxed").sort(["seq", "version"])


def known_state(bookings: pl.DataFrame, cutoff: int,
                versions: pl.DataFrame | None = None) -> pl.DataFrame:
    """Each booking's latest version at the cutoff, joined to the booking's fixed fields."""
    versions = booking_versions(bookings, cutoff) if versions is None else versions
    # Versions are sorted by booking and version, and a booking's versions by time.
    latest = versions.unique("seq", keep="last", maintain_order=True)
    return bookings.join(latest, on="seq", how="inner").sort("seq")
