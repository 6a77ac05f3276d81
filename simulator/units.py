"""The care units and their time books: the HSA catalogue of the simulated world.

Units are created per region in proportion to population (scaled by the
scale's unit fraction), placed in real towns, named the Swedish way, and split
into time books; bookings later point at a unit and one of its time books.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.care_catalogue import SERVICE_INDEX, SERVICES, SPECIALTY_CLINICS, UNIT_TYPES
from simulator.geography import AREA_NAMES, HALSOCENTRAL_REGIONS, PLACES, Place
from simulator.identifiers import hsa_suffixes
from simulator.parameters import WorldParameters
from simulator.regions import Region
from simulator.scales import Scale
from simulator.seeding import rng_for

_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class UnitCatalogue:
    """Care units, time books, and where a booking of a given service is booked.

    `units`: one row per care unit (unit_idx is the row number). `catalogue`: the
    hsa_units rows (care units and time books). `tidbok_hsa`: every HSA-id a booking
    can name as Tidbok; `service_tidbok[unit_idx, service]` indexes into it.
    """

    units: pl.DataFrame
    catalogue: pl.DataFrame
    tidbok_hsa: np.ndarray
    service_tidbok: np.ndarray
    tidbok_unit: np.ndarray  # unit_idx of each Tidbok HSA-id
    tidbok_rank: np.ndarray  # 0 = the unit's own HSA-id or its first time book, 1 = second...

    def region_units(self, region_code: str) -> pl.DataFrame:
        return self.units.filter(pl.col("region") == region_code)


def unit_counts(population: int, scale: Scale, params: WorldParameters) -> dict[str, int]:
    """Units per type for one region: the total from density x population, split by D'Hondt."""
    density = params.unit_density_per_100k
    total = round(population / 100_000 * sum(density.values()) * scale.unit_fraction)
    total = max(total, scale.min_units_per_region)
    if scale.max_units_per_region is not None:
        total = min(total, scale.max_units_per_region)
    seats = {key: 0 for key in density}
    # Highest averages: every next unit goes to the type whose density per unit already
    # given is largest, so a region with 2 units gets a vårdcentral and a specialist
    # clinic, and the full count comes out proportional to the densities.
    for _ in range(total):
        key = max(density, key=lambda k: (density[k] / (seats[k] + 1), -list(density).index(k)))
        seats[key] += 1
    return seats


def _days(date: dt.date) -> int:
    return (date - _EPOCH).days


def _iso(days: np.ndarray) -> list[str]:
    return [(_EPOCH + dt.timedelta(days=int(d))).isoformat() for d in days]


def build_units(regions: list[Region], scale: Scale, params: WorldParameters,
                seed: int) -> UnitCatalogue:
    unit_rows: list[dict[str, object]] = []
    book_rows: list[dict[str, object]] = []
    tidbok_hsa: list[str] = []
    tidbok_unit: list[int] = []
    tidbok_rank: list[int] = []
    service_tidbok: list[list[int]] = []
    type_by_key = {unit_type.key: unit_type for unit_type in UNIT_TYPES}
    book_count_choices = np.array([int(k) for k in params.time_books_per_unit])
    book_count_p = np.array(list(params.time_books_per_unit.values()))
    book_count_p = book_count_p / book_count_p.sum()

    for region in regions:
        rng = rng_for(seed, "units", region.code)
        counts = unit_counts(region.population, scale, params)
        keys = [key for key, count in counts.items() for _ in range(count)]
        n = len(keys)
        places = PLACES[region.code]
        place_p = np.array([place.population_k for place in places], dtype=float)
        place_idx = rng.choice(len(places), size=n, p=place_p / place_p.sum())
        namer = _UnitNamer(region.code, places, rng)
        sizes = np.exp(rng.normal(0.0, params.unit_size_spread, size=n))
        valid_from = rng.integers(_days(dt.date(1998, 1, 1)), _days(dt.date(2022, 12, 31)),
                                  size=n)
        n_books = rng.choice(book_count_choices, size=n, p=book_count_p)
        closed_book = rng.random(n) < params.closed_time_book_share
        suffixes = iter(hsa_suffixes(n + int(n_books.sum()) + int(closed_book.sum()), rng))

        for i, key in enumerate(keys):
            unit_type = type_by_key[key]
            place = places[place_idx[i]]
            unit_hsa = f"{region.hsa_prefix}-{next(suffixes)}"
            name = namer.name(unit_type.name_prefix, key, place)
            spread = 0.01 + 0.00005 * place.population_k  # bigger towns spread wider
            unit_rows.append({
                "unit_idx": len(unit_rows), "hsa_id": unit_hsa, "name": name,
                "region": region.code, "kommunkod": place.kommunkod, "unit_type": key,
                "enhetstyp": unit_type.enhetstyp, "specialist_care": unit_type.specialist_care,
                "latitude": round(place.latitude + rng.normal(0, spread), 5),
                "longitude": round(place.longitude + rng.normal(0, spread * 2), 5),
                "valid_from": int(valid_from[i]), "capacity": params.unit_capacity[key] * sizes[i],
            })
            # Where each care service of this unit is booked.
            kinds = unit_type.time_books[: int(n_books[i])]
            if not kinds:
                own = len(tidbok_hsa)
                tidbok_hsa.append(unit_hsa)
                tidbok_unit.append(len(unit_rows) - 1)
                tidbok_rank.append(0)
                service_tidbok.append([own] * len(SERVICES))
            else:
                # A service goes to the first time book that takes it, else to the first.
                first = len(tidbok_hsa)
                row = [first] * len(SERVICES)
                placed: set[str] = set()
                for k, (kind, services) in enumerate(kinds):
                    book_hsa = f"{region.hsa_prefix}-{next(suffixes)}"
                    tidbok_hsa.append(book_hsa)
                    tidbok_unit.append(len(unit_rows) - 1)
                    tidbok_rank.append(k)
                    for service in sorted(services - placed):
                        row[SERVICE_INDEX[service]] = first + k
                    placed |= services
                    book_rows.append(_book_row(book_hsa, unit_rows[-1], f"{name}, {kind}",
                                               int(valid_from[i]) + int(rng.integers(0, 1000)),
                                               None))
                service_tidbok.append(row)
            if closed_book[i]:
                start = int(valid_from[i])
                book_rows.append(_book_row(
                    f"{region.hsa_prefix}-{next(suffixes)}", unit_rows[-1],
                    f"{name}, Tidbok (avslutad)", start,
                    start + 365 + int(rng.integers(0, 365)),
                ))

    units = pl.DataFrame(unit_rows)
    catalogue = _catalogue(units, pl.DataFrame(book_rows, schema=_BOOK_SCHEMA))
    return UnitCatalogue(units, catalogue, np.array(tidbok_hsa),
                         np.array(service_tidbok, dtype=np.int64),
                         np.array(tidbok_unit, dtype=np.int64),
                         np.array(tidbok_rank, dtype=np.int64))


_BOOK_SCHEMA = {"hsaId": pl.String, "parentHsaId": pl.String, "namn": pl.String,
                "regionkod": pl.String, "kommunkod": pl.String, "latitud": pl.Float64,
                "longitud": pl.Float64, "from_day": pl.Int64, "to_day": pl.Int64}


def _book_row(hsa_id: str, unit: dict[str, object], name: str, from_day: int,
              to_day: int | None) -> dict[str, object]:
    return {"hsaId": hsa_id, "parentHsaId": unit["hsa_id"], "namn": name,
            "regionkod": unit["region"], "kommunkod": unit["kommunkod"],
            "latitud": unit["latitude"], "longitud": unit["longitude"],
            # A time book opened within a few years of its unit, never after mid-2024, so
            # every open book is valid through the whole simulated period.
            "from_day": min(from_day, _days(dt.date(2024, 6, 30))), "to_day": to_day}


def _catalogue(units: pl.DataFrame, books: pl.DataFrame) -> pl.DataFrame:
    """The hsa_units rows: each care unit followed by its time books."""
    unit_part = units.select(
        pl.col("hsa_id").alias("hsaId"), pl.lit(None, pl.String).alias("parentHsaId"),
        pl.col("name").alias("namn"), pl.col("region").alias("regionkod"), "kommunkod",
        "enhetstyp", pl.lit(0).alias("ar_tidbok"), pl.col("latitude").alias("latitud"),
        pl.col("longitude").alias("longitud"), pl.col("valid_from").alias("from_day"),
        pl.lit(None, pl.Int64).alias("to_day"),
        pl.col("hsa_id").alias("_group"),
    )
    book_part = books.select(
        "hsaId", "parentHsaId", "namn", "regionkod", "kommunkod",
        pl.lit("Tidbok").alias("enhetstyp"), pl.lit(1).alias("ar_tidbok"), "latitud",
        "longitud", "from_day", "to_day", pl.col("parentHsaId").alias("_group"),
    )
    rows = pl.concat([unit_part, book_part]).sort(["regionkod", "_group", "ar_tidbok", "hsaId"])
    return rows.with_columns(
        pl.Series("giltig_from", _iso(rows["from_day"].to_numpy())),
        pl.Series("giltig_tom", [None if d is None else _iso([d])[0] for d in rows["to_day"]],
                  dtype=pl.String),
    ).drop("from_day", "to_day", "_group")


class _UnitNamer:
    """Plausible, distinct unit names: 'Vårdcentralen Centrum Uppsala', 'Hudmottagningen Lund'."""

    def __init__(self, region_code: str, places: tuple[Place, ...], rng: np.random.Generator):
        self.rng = rng
        self.primary_care = ("Hälsocentralen" if region_code in HALSOCENTRAL_REGIONS
                             else "Vårdcentralen")
        plain, compound = AREA_NAMES[:8], list(AREA_NAMES[8:])
        self.areas = {}
        for place in places:
            order = rng.permutation(len(compound))
            self.areas[place.town] = list(plain) + [compound[j] for j in order]
        self.used: dict[tuple[str, str], int] = {}

    def name(self, prefix: str, key: str, place: Place) -> str:
        if key == "vardcentral":
            prefix = self.primary_care
        elif not prefix:
            prefix = SPECIALTY_CLINICS[int(self.rng.integers(len(SPECIALTY_CLINICS)))]
        count = self.used.get((prefix, place.town), 0)
        self.used[(prefix, place.town)] = count + 1
        # Primary care centres always carry an area; other clinics only when the town
        # already has one of the same kind.
        if key != "vardcentral":
            if count == 0:
                return f"{prefix} {place.town}"
            count -= 1
        areas = self.areas[place.town]
        area = areas[count % len(areas)]
        extra = f" {count // len(areas) + 1}" if count >= len(areas) else ""
        return f"{prefix} {area}{extra} {place.town}"
