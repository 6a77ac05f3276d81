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

from simulator.parameters import WorldParameters
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
class RegionProfile:
    region: Region
    encoding: str  # "utf-8-sig" (UTF-8 with BOM) or "cp1252"
    line_terminator: str
    personnummer_dash_share: float
    digital_multiplier: float
    sms_reminder_share: float
    no_show_effect: float  # added to the no-show logit

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
        )
    return profiles
