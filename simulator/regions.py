"""The 21 regions and the traits that make each one's data different.

Regions run different systems and habits: their encoding, how they write a
personnummer, how digital their residents are, how often they send SMS
reminders, how often their patients miss visits. A profile per region holds
those traits so every feed writer and the ground truth use the same ones.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.care_catalogue import TIME_TYPES
from simulator.parameters import TIME_BOOK_SHAPES, WorldParameters
from simulator.seeding import rng_for
from tidbok.config import REGIONS_CSV

ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    organisation_number: str
    hsa_prefix: str
    population: int


@dataclass(frozen=True)
class SourceSystem:
    """A regional booking system the aggregating service calls (kallsystem)."""

    hsa_id: str
    share: float  # of the region's care units
    error_rate: float
    timeout_rate: float
    latency_factor: float

    def as_dict(self) -> dict[str, object]:
        return {"hsa_id": self.hsa_id, "share_of_units": self.share,
                "error_rate": round(self.error_rate, 6),
                "timeout_rate": round(self.timeout_rate, 6),
                "latency_factor": round(self.latency_factor, 6)}


@dataclass(frozen=True)
class RegionProfile:
    region: Region
    encoding: str  # "utf-8-sig" (UTF-8 with BOM) or "cp1252"
    line_terminator: str
    personnummer_dash_share: float
    digital_multiplier: float
    sms_reminder_share: float
    no_show_effect: float  # added to the no-show logit
    time_book_shape: str = "booking_csv"  # which time-book feed the region delivers
    letter_of_intent: bool = True  # signed: its units may go live on the new services
    late_threshold_hours: tuple[int, int] = (24, 72)  # (primary care, specialist care)
    hidden_time_types: tuple[int, ...] = ()  # indices into TIME_TYPES hidden from Bokade tider
    source_systems: tuple[SourceSystem, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.region.name,
            "population": self.region.population,
            "hsa_prefix": self.region.hsa_prefix,
            "encoding": self.encoding,
            "line_terminator": "CRLF" if self.line_terminator == "\r\n" else "LF",
            "personnummer_dash_share": self.personnummer_dash_share,
            "digital_multiplier": round(self.digital_multiplier, 6),
            "sms_reminder_share": round(self.sms_reminder_share, 6),
            "no_show_effect": round(self.no_show_effect, 6),
            "time_book_shape": self.time_book_shape,
            "letter_of_intent": self.letter_of_intent,
            "late_cancellation_threshold_hours": {"primary": self.late_threshold_hours[0],
                                                  "specialist": self.late_threshold_hours[1]},
            "hidden_time_types": [TIME_TYPES[i].code for i in self.hidden_time_types],
            "source_systems": [system.as_dict() for system in self.source_systems],
        }


def load_regions(path: Path = REGIONS_CSV) -> list[Region]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    regions = [
        Region(row["regionkod"], row["namn"], row["organisationsnummer"], row["hsa_prefix"],
               int(row["folkmangd_2024_ca"]))
        for row in rows
    ]
    return sorted(regions, key=lambda region: region.code)


def default_encoding(position: int, every_nth: int) -> str:
    return "cp1252" if every_nth > 0 and position % every_nth == 1 % every_nth else "utf-8-sig"


def region_profiles(regions: list[Region], params: WorldParameters,
                    seed: int) -> dict[str, RegionProfile]:
    """One profile per region; random traits come from the seed, encodings from parameters."""
    unknown = set(params.encodings) - {region.code for region in regions}
    if unknown:
        raise ValueError(f"encodings given for unknown regions: {sorted(unknown)}")
    bad = {enc for enc in params.encodings.values() if enc not in ENCODINGS}
    if bad:
        raise ValueError(f"unsupported encodings {sorted(bad)}; use {ENCODINGS}")

    codes = {region.code for region in regions}
    for name in ("time_book_shapes", "late_cancellation_threshold_by_region"):
        unknown = set(getattr(params, name)) - codes
        if unknown:
            raise ValueError(f"{name} given for unknown regions: {sorted(unknown)}")
    bad = {shape for shape in params.time_book_shapes.values() if shape not in TIME_BOOK_SHAPES}
    if bad:
        raise ValueError(f"unknown time-book shapes {sorted(bad)}; use {TIME_BOOK_SHAPES}")

    profiles = {}
    for position, region in enumerate(regions):
        rng = rng_for(seed, "region-profile", region.code)
        encoding = params.encodings.get(
            region.code, default_encoding(position, params.cp1252_every_nth_region))
        low, high = params.sms_reminder_share_range
        profiles[region.code] = RegionProfile(
            region=region,
            encoding=encoding,
            # Windows-1252 exports come from Windows systems, which end lines with CRLF.
            line_terminator="\r\n" if encoding == "cp1252" else "\n",
            personnummer_dash_share=float(rng.choice(params.personnummer_dash_styles)),
            digital_multiplier=float(np.exp(rng.normal(0.0, params.region_digital_spread))),
            sms_reminder_share=float(rng.uniform(low, high)),
            no_show_effect=float(rng.normal(0.0, params.no_show_model["region_effect_sd"])),
            **_system_traits(region, params, seed),
        )
    return profiles


def _system_traits(region: Region, params: WorldParameters, seed: int) -> dict[str, object]:
    """Traits added with the aggregation layer; drawn from their own stream so the
    traits above keep their values."""
    rng = rng_for(seed, "region-systems", region.code)
    thresholds = {**params.late_cancellation_threshold_hours,
                  **params.late_cancellation_threshold_by_region.get(region.code, {})}
    hidden = np.flatnonzero(rng.random(len(TIME_TYPES)) < params.hidden_time_type_share)
    failure, latency = params.source_failure_rates, params.source_latency_ms
    shares = np.array(params.source_system_shares, dtype=float)
    systems = []
    for k, share in enumerate(shares / shares.sum()):
        factor = float(np.exp(rng.normal(0.0, failure["spread"])))
        systems.append(SourceSystem(
            hsa_id=f"{region.hsa_prefix}-TB{k + 1:02d}", share=float(round(share, 6)),
            error_rate=min(0.5, failure["error"] * factor),
            timeout_rate=min(0.5, failure["timeout"] * factor),
            latency_factor=float(np.exp(rng.normal(0.0, latency["system_sigma"]))),
        ))
    return {
        "time_book_shape": params.time_book_shapes.get(region.code, "booking_csv"),
        "letter_of_intent": region.code not in params.letter_of_intent_missing,
        "late_threshold_hours": (int(thresholds["primary"]), int(thresholds["specialist"])),
        "hidden_time_types": tuple(int(i) for i in hidden),
        "source_systems": tuple(systems),
    }
