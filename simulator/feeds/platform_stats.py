"""Feed 2d, `platform_stats`: the national service platform's daily call statistics, in
exactly the shape of skltp's *.STAT.json (keys, key order, 2-space indentation,
integer average response times).

Calls are collected from every batch (aggregator calls to the units, 1177's booking
actions, Engagemangsindex updates) and written once the whole world is done.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from simulator.aggregation import AGGREGATOR_CONSUMER, CONSUMER_1177_BOKADE_TIDER, Aggregation
from simulator.contacts import CONSUMER_1177_WEBBTIDBOK
from simulator.feeds.files import Delivery
from simulator.rollout import Rollout

FEED = "platform_stats"
PLATFORM = "NTJP-PROD"
V1 = "urn:riv:crm:scheduling:{}Responder:1"
V2 = "urn:riv:supportprocess:logistics:scheduling:{}Responder:2"
EI_UPDATE = "urn:riv:itintegration:engagementindex:UpdateResponder:1"
EI_LOGICAL_ADDRESS = "5565594230"
# 1177 event -> (interaction on crm:scheduling 1, on logistics:scheduling 2, the service
# whose go-live moves the unit to the new contract)
ACTIONS = {
    "book_completed": ("MakeBooking", "MakeAppointment", "boka"),
    "rebook_completed": ("UpdateBooking", "UpdateAppointment", "omboka"),
    "cancel_completed": ("CancelBooking", "CancelAppointment", "avboka"),
    "error": ("CancelBooking", "CancelAppointment", "avboka"),
    "search_slots": ("GetAvailableTimeslots", "GetAvailableTimeslots", "boka"),
}
# Traffic that is not about bookings: kept by ingestion, not counted as booking calls.
OTHER = (
    ("T-SERVICES-SE165565594230-10JQ", "T-SERVICES-SE165565594230-1023",
     "urn:riv:informationsecurity:auditing:log:GetAccessLogsForPatientResponder:2", 400),
    ("T-SERVICES-SE165565594230-10SZ", "T-SERVICES-SE165565594230-10SZ",
     "urn:riv:crm:scheduling:GetAllTimeTypesResponder:1", 1200),
    ("T-SERVICES-SE165565594230-10JQ", "T-SERVICES-SE165565594230-1023",
     "urn:riv:clinicalprocess:healthcond:description:GetCareDocumentationResponder:2", 900),
)
_KEYS = ["day", "kind", "address"]


class PlatformCalls:
    """Calls per day and entry, summed as batches arrive. Entries are kept as integer
    keys (kind of call, unit or system) and named only when written, so a national year
    fits in memory."""

    def __init__(self):
        self.kinds: list[tuple[str, str, str]] = []  # (originalConsumerId, consumerId, ns)
        self._kind_index: dict[tuple[str, str, str], int] = {}
        self.systems: list[str] = []  # booking systems updating the index
        self._system_index: dict[str, int] = {}
        self.total: pl.DataFrame | None = None

    def _kind(self, original: str, consumer: str, namespace: str) -> int:
        key = (original, consumer, namespace)
        if key not in self._kind_index:
            self._kind_index[key] = len(self.kinds)
            self.kinds.append(key)
        return self._kind_index[key]

    def _add(self, part: pl.DataFrame) -> None:
        part = part.select(pl.col("day").cast(pl.Int32), pl.col("kind").cast(pl.Int32),
                           pl.col("address").cast(pl.Int32), pl.col("calls").cast(pl.Int64),
                           pl.col("total_ms").cast(pl.Int64))
        frames = [part] if self.total is None else [self.total, part]
        self.total = (pl.concat(frames).group_by(_KEYS)
                      .agg(pl.col("calls").sum(), pl.col("total_ms").sum()))

    def add_aggregation(self, aggregation: Aggregation, rng: np.random.Generator) -> None:
        kind = self._kind(CONSUMER_1177_BOKADE_TIDER, AGGREGATOR_CONSUMER,
                          V1.format("GetSubjectOfCareSchedule"))
        calls = aggregation.source_calls
        self._add(calls.group_by("day", "unit_idx").agg(
            pl.len().alias("calls"), pl.col("ms").sum().alias("total_ms"))
            .select("day", pl.lit(kind).alias("kind"), pl.col("unit_idx").alias("address"),
                    "calls", "total_ms"))
        ei = aggregation.ei_updates.group_by("day", "system_hsa").len("calls").sort(
            "day", "system_hsa")  # before drawing a number per row
        for system in ei["system_hsa"].unique(maintain_order=True):
            if system not in self._system_index:
                self._system_index[system] = len(self.systems)
                self.systems.append(system)
        kind = self._kind("(system)", "(system)", EI_UPDATE)
        self._add(ei.select(
            "day", pl.lit(kind).alias("kind"),
            pl.col("system_hsa").replace_strict(self._system_index).alias("address"),
            pl.col("calls"),
            (pl.col("calls") * pl.Series(rng.integers(12, 41, size=ei.height)))
            .alias("total_ms")))

    def add_eservice(self, events: pl.DataFrame, rollout: Rollout,
                     rng: np.random.Generator) -> None:
        actions = events.filter(pl.col("event").is_in(list(ACTIONS))
                                & pl.col("unit_idx").is_not_null())
        if actions.height == 0:
            return
        unit = actions["unit_idx"].to_numpy()
        minute = actions["minute"].to_numpy()
        names = actions["event"].to_numpy()
        kind = np.zeros(actions.height, dtype=np.int64)
        for name, (v1, v2, service) in ACTIONS.items():
            rows = names == name
            new = rollout.live(unit[rows], service, minute[rows])
            old_kind = self._kind(CONSUMER_1177_WEBBTIDBOK, CONSUMER_1177_WEBBTIDBOK,
                                  V1.format(v1))
            new_kind = self._kind(CONSUMER_1177_WEBBTIDBOK, CONSUMER_1177_WEBBTIDBOK,
                                  V2.format(v2))
            kind[rows] = np.where(new, new_kind, old_kind)
        # Whole milliseconds, so that sums (and averages) do not depend on summation order.
        ms = np.round(380.0 * np.exp(rng.normal(0.0, 0.5, size=actions.height))).astype(np.int64)
        self._add(pl.DataFrame({"day": actions["day"], "kind": kind, "address": unit,
                                "calls": np.ones(actions.height, dtype=np.int64),
                                "total_ms": ms}))

    def write(self, delivery: Delivery, world) -> None:
        rng = np.random.default_rng(np.random.SeedSequence([world.seed, 0x57A7]))
        days = np.arange(world.first_day, world.last_day + 1)
        parts = [] if self.total is None else [self.total]
        for original, consumer, namespace, base in OTHER:
            calls = rng.poisson(base * max(world.scale.bookings, 5000) / 1_000_000,
                                size=len(days)) + 1
            ms = rng.uniform(150, 1500, size=len(days))
            parts.append(pl.DataFrame({
                "day": days.astype(np.int32),
                "kind": np.full(len(days), self._kind(original, consumer, namespace),
                                dtype=np.int32),
                "address": np.full(len(days), -1, dtype=np.int32),
                "calls": calls.astype(np.int64),
                "total_ms": np.round(calls * ms).astype(np.int64)}))
        kinds = pl.DataFrame(self.kinds, schema=["originalConsumerId", "consumerId",
                                                 "namespace"], orient="row").with_row_index(
            "kind").with_columns(pl.col("kind").cast(pl.Int32))
        units = world.units.units["hsa_id"]
        systems = pl.Series(self.systems or [""], dtype=pl.String)
        is_ei = pl.col("namespace") == EI_UPDATE
        # (Both branches of a when are evaluated on every row: keep indices in range.)
        system = pl.lit(systems).gather(pl.col("address").clip(0, len(systems) - 1))
        unit = pl.lit(units).gather(pl.col("address").clip(0, len(units) - 1))
        table = (pl.concat(parts)
                 .filter((pl.col("day") >= world.first_day) & (pl.col("day") <= world.last_day))
                 .group_by(_KEYS).agg(pl.col("calls").sum(), pl.col("total_ms").sum())
                 .join(kinds, on="kind", how="left")
                 .with_columns(
                     pl.when(is_ei).then(system).otherwise(pl.col("originalConsumerId"))
                     .alias("originalConsumerId"),
                     pl.when(is_ei).then(system).otherwise(pl.col("consumerId"))
                     .alias("consumerId"),
                     pl.when(is_ei).then(pl.lit(EI_LOGICAL_ADDRESS))
                     .when(pl.col("address") < 0).then(pl.lit("SE2321000016-A38X"))
                     .otherwise(unit).alias("logicalAddress"),
                     (pl.col("total_ms") / pl.col("calls")).round(0).cast(pl.Int64)
                     .alias("average"))
                 .sort("day", "namespace", "originalConsumerId", "consumerId",
                       "logicalAddress"))
        entry = pl.concat_str([
            pl.lit('    {\n      "originalConsumerId": "'), pl.col("originalConsumerId"),
            pl.lit('",\n      "consumerId": "'), pl.col("consumerId"),
            pl.lit('",\n      "calls": '), pl.col("calls").cast(pl.String),
            pl.lit(',\n      "namespace": "'), pl.col("namespace"),
            pl.lit('",\n      "logicalAddress": "'), pl.col("logicalAddress"),
            pl.lit('",\n      "averageResponseTime": '), pl.col("average").cast(pl.String),
            pl.lit("\n    }")])
        text = table.select("day", entry.alias("entry"))
        found = text["day"].to_numpy()
        entries = text["entry"].to_list()
        bounds = np.searchsorted(found, np.arange(world.first_day, world.last_day + 2))
        for offset, day in enumerate(days):
            date = str(np.datetime64(int(day), "D"))
            body = ",\n".join(entries[bounds[offset]:bounds[offset + 1]])
            document = (f'{{\n  "plattform": "{PLATFORM}",\n  "startDate": "{date}",\n'
                        f'  "endDate": "{date}",\n  "statistics": [\n{body}\n  ]\n}}\n')
            if not body:
                document = document.replace("[\n\n  ]", "[]")
            delivery.write_file(FEED, "national", f"{PLATFORM}_{date}--{date}.STAT.json",
                                document.encode("utf-8"),
                                rows=int(bounds[offset + 1] - bounds[offset]), fmt="json")
