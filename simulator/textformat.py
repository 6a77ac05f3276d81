"""Value formats shared by the feed writers: times in the feeds' shapes, ids that look
like the real ones, all as vectorised Polars expressions or numpy helpers.

World times are whole minutes since 1970-01-01 in Swedish wall-clock time (plus,
where a feed has them, a column of seconds).
"""

from __future__ import annotations

import numpy as np
import polars as pl

TIME_ZONE = "Europe/Stockholm"


def _wall(minutes: pl.Expr, seconds: pl.Expr | None = None) -> pl.Expr:
    total = minutes * 60 if seconds is None else minutes * 60 + seconds
    return pl.from_epoch(total, time_unit="s")


def local_text(minutes: pl.Expr, fmt: str = "%Y-%m-%d %H:%M",
               seconds: pl.Expr | None = None) -> pl.Expr:
    """Wall-clock time without offset, e.g. booking_csv's `YYYY-MM-DD HH:MM`."""
    return _wall(minutes, seconds).dt.strftime(fmt)


def ts_text(minutes: pl.Expr, seconds: pl.Expr | None = None) -> pl.Expr:
    """RIVTA TS: YYYYMMDDhhmmss, local time."""
    return local_text(minutes, "%Y%m%d%H%M%S", seconds)


def iso_offset_text(minutes: pl.Expr, seconds: pl.Expr | None = None) -> pl.Expr:
    """ISO 8601 with the Stockholm offset of that moment, e.g. 2025-03-04T08:15:00+01:00.

    A wall time in the hour skipped in spring keeps the winter offset; one in the hour
    repeated in autumn takes the first (summer) offset."""
    wall = _wall(minutes, seconds)
    zoned = wall.dt.replace_time_zone(TIME_ZONE, ambiguous="earliest", non_existent="null")
    return pl.coalesce(zoned.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
                       wall.dt.strftime("%Y-%m-%dT%H:%M:%S") + pl.lit("+01:00"))


def day_text(day: int) -> str:
    """Days since 1970 as an ISO date."""
    return str(np.datetime64(int(day), "D"))


def splitmix(values: np.ndarray, salt: int) -> np.ndarray:
    """A deterministic 64-bit hash of non-negative integers."""
    with np.errstate(over="ignore"):
        x = np.asarray(values, dtype=np.uint64) + np.uint64(salt & 0x7FFFFFFFFFFFFFFF)
        x = x * np.uint64(0x9E3779B97F4A7C15)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_NIBBLE_SHIFTS = np.arange(60, -4, -4, dtype=np.uint64)


def _hex(values: np.ndarray) -> pl.Series:
    """16 lowercase hex digits per 64-bit value."""
    nibbles = (np.asarray(values, dtype=np.uint64)[:, None] >> _NIBBLE_SHIFTS) & np.uint64(15)
    text = np.ascontiguousarray(_HEX_DIGITS[nibbles.astype(np.int64)]).view("S16").ravel()
    return pl.Series(text.tolist(), dtype=pl.Binary).cast(pl.String)


def uuid_like(keys: np.ndarray, salt: int) -> pl.Series:
    """UUID-shaped ids (8-4-4-4-12 lowercase hex) from unique integer keys.

    The last group starts with a letter so that no group is a run of digits that
    looks like a personal identity number to ingestion's scrubber."""
    keys = np.asarray(keys, dtype=np.uint64)
    high = _hex(splitmix(keys, salt))
    low = _hex(splitmix(keys, salt ^ 0x5DEECE66D))
    letter = pl.Series(np.array(list("abcdef"))[(splitmix(keys, salt + 7) % np.uint64(6))
                                                .astype(np.int64)])
    frame = pl.DataFrame({"h": high, "l": low, "c": letter})
    return frame.select(pl.concat_str([
        pl.col("h").str.slice(0, 8), pl.lit("-"), pl.col("h").str.slice(8, 4), pl.lit("-4"),
        pl.col("h").str.slice(13, 3), pl.lit("-"), pl.col("l").str.slice(0, 4), pl.lit("-"),
        pl.col("c"), pl.col("l").str.slice(5, 11)])).to_series()


def region_number(code: str) -> int:
    return int(code)
