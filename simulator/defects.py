"""Messy data on purpose: the defect kinds the simulator can inject, and the log of
every defect injected, for the ground truth.

Defects are off by default (rate 0). A kind with a rate above 0 is injected at
that rate (per row or event, per file, or per registered outcome, see KINDS) and
at least once. Every injection is logged with its feed, file (relative to the
landing folder), line or record number, and what ingestion is expected to do
with it, so ingestion tests can check each is handled with the right reason.

Row defects are applied to a file's lines as they are written (`corrupt_lines`);
file defects once a file is complete (`finish_files`); `late_outcome` changes the
world itself (bookings.py), since an outcome registered after the cutoff is not
known yet.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulator.parameters import WorldParameters
from simulator.seeding import rng_for


@dataclass(frozen=True)
class DefectKind:
    name: str
    unit: str  # what the rate applies to: row, event, file, outcome, resource, member
    description: str


KINDS: dict[str, DefectKind] = {k.name: k for k in (
    DefectKind("malformed_row", "row",
               "A row that cannot be parsed: a CSV row with a field separator missing (wrong "
               "field count), a JSON line cut off mid-object, an XML member that is not "
               "well-formed. Expected: the row (member) is quarantined, the rest of the file "
               "loaded."),
    DefectKind("invalid_personnummer", "row",
               "A personnummer or samordningsnummer whose check digit is wrong (Luhn fails). "
               "Expected: the row is quarantined at the identifier field."),
    DefectKind("duplicated_row", "row",
               "A row delivered twice, byte for byte, in the same file (booking_csv: the same "
               "version again, harmless once deduplicated; booking_aggregates: the same cell "
               "twice, which would double-count). Expected: booking_csv loaded (dbt keeps one "
               "version), booking_aggregates the second copy quarantined as a duplicate."),
    DefectKind("duplicated_event", "event",
               "An event delivered twice with the same eventId (again later in the same "
               "file). Expected: both loaded, one kept downstream (one version per eventId)."),
    DefectKind("out_of_order_event", "event",
               "An event delivered late, in the file of a later day (1-3 days), among events "
               "that happened after it. Expected: loaded; ordered by eventTime downstream."),
    DefectKind("late_outcome", "outcome",
               "An outcome (attended or no-show) registered 11-40 days after the visit, so the "
               "booking stays Bokad meanwhile (and is still unknown if after the cutoff). This "
               "changes the world, and the ground truth's metrics include it. Expected: "
               "loaded; the incremental models' look-back window must reach it."),
    DefectKind("corrected_redelivery", "file",
               "A booking_csv extract delivered with wrong statuses in some rows, then "
               "re-delivered complete and corrected (file name ending _rattad, corrected rows "
               "with Ändrad one minute later). Expected: both files loaded; the latest Ändrad "
               "wins, so the corrections hold."),
    DefectKind("renamed_column", "file",
               "A column (CSV) or field (JSON Lines) renamed in a whole file: schema drift. "
               "Expected: the file is rejected naming the column; a correct re-delivery "
               "(_omleverans) follows and is loaded."),
    DefectKind("wrong_encoding", "file",
               "A CSV file in the other encoding than its region normally uses (Windows-1252 "
               "instead of UTF-8 or the reverse), undeclared. Expected: detected and loaded."),
    DefectKind("truncated_file", "file",
               "A file cut off mid-line (a delivery interrupted while written): no line break "
               "at the end, the last row incomplete (a ZIP or JSON document cut short). "
               "Expected: the file is rejected; a complete re-delivery (_omleverans) follows "
               "and is loaded."),
    DefectKind("fhir_not_a_booking", "resource",
               "booking_fhir: an extra Appointment that is not a booking by contract "
               "(entered-in-error, proposed or waitlist). Expected: not loaded, counted in "
               "the quarantine with field status."),
)}

# Which kinds each feed can carry.
FEED_KINDS: dict[str, tuple[str, ...]] = {
    "booking_csv": ("malformed_row", "invalid_personnummer", "duplicated_row",
                    "corrected_redelivery", "renamed_column", "wrong_encoding",
                    "truncated_file"),
    "booking_events": ("malformed_row", "invalid_personnummer", "duplicated_event",
                       "out_of_order_event", "renamed_column", "truncated_file"),
    "booking_fhir": ("malformed_row", "invalid_personnummer", "fhir_not_a_booking",
                     "truncated_file"),
    "booking_aggregates": ("malformed_row", "duplicated_row", "truncated_file"),
    "timeslots": ("malformed_row", "renamed_column", "wrong_encoding", "truncated_file"),
    "telephony": ("malformed_row", "renamed_column", "wrong_encoding", "truncated_file"),
    "engagement_index": ("malformed_row", "invalid_personnummer", "truncated_file"),
    "aggregator_requests": ("malformed_row", "invalid_personnummer", "truncated_file"),
    "aggregator_responses": ("malformed_row", "truncated_file"),
    "eservice_events": ("malformed_row", "invalid_personnummer", "duplicated_event",
                        "renamed_column", "truncated_file"),
    "platform_stats": ("truncated_file",),
}


def defect_rates(params: WorldParameters) -> dict[str, float]:
    """The rate of every kind: `defects` overrides `defect_rate`."""
    unknown = set(params.defects) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown defect kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    return {kind: float(params.defects.get(kind, params.defect_rate)) for kind in KINDS}


@dataclass
class DefectLog:
    """Every defect injected, in injection order (deterministic)."""

    rates: dict[str, float]
    injected: list[dict[str, Any]] = field(default_factory=list)

    def active(self, kind: str) -> bool:
        return self.rates.get(kind, 0.0) > 0

    def any_active(self, feed: str) -> bool:
        return any(self.active(kind) for kind in FEED_KINDS.get(feed, ()))

    def add(self, kind: str, feed: str, file: str, expected: str, **detail: Any) -> None:
        self.injected.append({"kind": kind, "feed": feed, "file": file, "expected": expected,
                              **detail})

    def counts(self) -> dict[str, Any]:
        by_kind = Counter(d["kind"] for d in self.injected)
        by_feed: dict[str, Counter[str]] = {}
        for d in self.injected:
            by_feed.setdefault(d["feed"], Counter())[d["kind"]] += 1
        return {"by_kind": {k: by_kind.get(k, 0) for k in KINDS},
                "by_feed": {f: dict(sorted(c.items())) for f, c in sorted(by_feed.items())}}


# ----------------------------------------------------------------------------- helpers


def luhn_break(identity: str) -> str:
    """The same number with its check digit changed (so Luhn fails)."""
    last = identity[-1]
    if not last.isdigit():
        return identity
    return identity[:-1] + str((int(last) + 5) % 10)


@dataclass
class LineInfo:
    """What a defect needs to know about one line of a file."""

    key: str | None = None  # booking id, event id, request id...
    identity: str | None = None  # the clear identity number on the line, if any
    identity_kind: int = -1  # simulator.identifiers kind


class FileDefects:
    """Row defects of one feed, drawn from the feed's own stream so that turning one
    feed's defects on does not change another's."""

    def __init__(self, log: DefectLog, feed: str, seed: int):
        self.log = log
        self.feed = feed
        self.kinds = [k for k in FEED_KINDS.get(feed, ()) if log.active(k)]
        self.rng = rng_for(seed, "defects", feed)
        self.seen: Counter[str] = Counter()

    def rate(self, kind: str) -> float:
        return self.log.rates.get(kind, 0.0) if kind in self.kinds else 0.0

    def draw(self, kind: str, n: int) -> np.ndarray:
        """Which of n candidates get `kind`; the first candidate when none would and
        the kind has not appeared in this feed yet."""
        rate = self.rate(kind)
        chosen = self.rng.random(n) < rate
        if rate > 0 and n and not chosen.any() and not self.seen[kind]:
            chosen[0] = True
        self.seen[kind] += int(chosen.sum())
        return chosen


def redeliver(path: Path, suffix: str) -> Path:
    """Copy a complete file as its re-delivery, `<stem><suffix><ext>`."""
    name = path.name
    stem, dot, ext = name.partition(".")
    target = path.with_name(f"{stem}{suffix}{dot}{ext}")
    shutil.copyfile(path, target)
    return target


def truncate(path: Path, rng: np.random.Generator, binary: bool = False) -> int:
    """Cut a file short as an interrupted write does; returns the bytes kept. A text file
    is cut inside its last line of two or more characters (no line break left at the
    end); a binary file (ZIP) somewhere in its second half."""
    data = path.read_bytes()
    if binary:
        cut = int(rng.integers(len(data) // 2, len(data) - 1))
        path.write_bytes(data[:cut])
        return cut
    end = len(data.rstrip(b"\r\n"))
    while True:
        start = data.rfind(b"\n", 0, end) + 1
        if end - start >= 2 or start == 0:
            break
        end = len(data[:start].rstrip(b"\r\n"))
    cut = int(rng.integers(start + 1, end)) if end - start >= 2 else max(1, end - 1)
    # Never cut inside a multi-byte UTF-8 character: keep the damage to one line.
    while cut > start + 1 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    path.write_bytes(data[:cut])
    return cut
