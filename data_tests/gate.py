"""The quality gate: Great Expectations once per ingestion run and table.

`ingestion.runner` opens a `RunGate` per run (or per commit group of a long
run), registers each file it stages (`add_file`) and hands over every Arrow
table it writes to a staged part (`add`). The gate buffers rows per lake
table, across files, and validates them in chunks of at most CHUNK_ROWS rows
with the table's suite (data_tests.validation); each row carries its file's
index, so every result is mapped back to its file. `finish` then says, per
file, which expectations failed: a failed `block` rule rejects the whole file
(the runner loads nothing of it), a failed `warn` rule is only recorded. The
volume rule compares each file's rows with the previous delivery of the same
feed and region (one comparison per file, no Great Expectations run). Every
result is a row of the lake table `_gate_results` (data_tests.results).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from data_tests import results as gate_results
from data_tests.rules import TEXT_OF_ALL_COLUMNS, Rule
from data_tests.suites import derived_columns, rules_for
from data_tests.validation import CHUNK_ROWS, RuleResult, TableValidator, schema_problems
from data_tests.volume import volume_band
from ingestion.feeds.base import LandingFile

log = logging.getLogger("tidbok.gate")


@dataclass
class GateOutcome:
    """One file's verdict. Messages read "gate: <rule> failed on <table>: <observed>"."""

    blocking_failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # its `_gate_results` rows

    @property
    def blocked(self) -> bool:
        return bool(self.blocking_failures)

    @property
    def message(self) -> str | None:
        """Why the file was rejected: the first blocking failure, and how many more."""
        if not self.blocking_failures:
            return None
        more = len(self.blocking_failures) - 1
        extra = f" (and {more} more blocking failure(s))" if more else ""
        return self.blocking_failures[0] + extra

    @property
    def results(self) -> pl.DataFrame:
        return pl.from_arrow(pa.Table.from_pylist(self.rows, schema=gate_results.GATE_RESULTS))


_validators: dict[str, TableValidator] = {}


def validator_for(table: str, schema: pa.Schema) -> TableValidator:
    """The table's suite, built once per process (schemas are defined once in code)."""
    current = _validators.get(table)
    if current is None or current.schema != schema:
        current = TableValidator(table, schema, rules_for(table, schema),
                                 derived_columns(table, schema))
        _validators[table] = current
    return current


@dataclass
class _Staged:
    file: LandingFile
    tables: dict[str, pa.Schema]  # the adapter's tables, the primary first
    check_volume: bool = True
    dropped: bool = False  # rejected by its adapter: no verdict
    rows: Counter = field(default_factory=Counter)  # rows per table
    schema_problems: dict[str, str] = field(default_factory=dict)


class RunGate:
    """Validates the rows all files of one run staged, table by table."""

    def __init__(self, run_id: str | None = None):
        self.run_id = run_id
        self.files: list[_Staged] = []
        self._buffers: dict[str, list[tuple[int, pa.Table]]] = {}
        self._buffered: Counter = Counter()
        self._results: dict[tuple[int, str], dict[str, RuleResult]] = {}

    def add_file(self, file: LandingFile, tables: dict[str, pa.Schema],
                 check_volume: bool = True) -> int:
        self.files.append(_Staged(file, dict(tables), check_volume))
        return len(self.files) - 1

    def drop_file(self, index: int) -> None:
        """The file was rejected before the gate (its rows, if any were seen, are ignored)."""
        self.files[index].dropped = True

    def add(self, index: int, table: str, data: pa.Table) -> None:
        """Rows one file wrote to one table (validated later, with other files' rows)."""
        if data.num_rows == 0:
            return
        staged = self.files[index]
        staged.rows[table] += data.num_rows
        schema = staged.tables[table]
        problem = schema_problems(data.schema, schema)
        if problem:  # not the table's schema: validated on its own, as far as it goes
            staged.schema_problems.setdefault(table, problem)
            self._validate(table, schema, [(index, data)])
            return
        buffer = self._buffers.setdefault(table, [])
        while data.num_rows:
            take = min(data.num_rows, CHUNK_ROWS - self._buffered[table])
            buffer.append((index, data.slice(0, take)))
            self._buffered[table] += take
            data = data.slice(take)
            if self._buffered[table] >= CHUNK_ROWS:
                self._flush(table)
                buffer = self._buffers.setdefault(table, [])

    def _flush(self, table: str) -> None:
        pieces = self._buffers.pop(table, [])
        self._buffered[table] = 0
        if pieces:
            schema = self.files[pieces[0][0]].tables[table]
            self._validate(table, schema, pieces)

    def _validate(self, table: str, schema: pa.Schema, pieces: list[tuple[int, pa.Table]]):
        validator = validator_for(table, schema)
        chunk = pa.concat_tables([t for _, t in pieces])
        files = np.concatenate([np.full(t.num_rows, i, dtype=np.int64) for i, t in pieces])
        hashes = [s.file.file_hash for s in self.files]
        for name, per_file in validator.validate_chunk(chunk, files, hashes).items():
            for index, result in per_file.items():
                _merge(self._results.setdefault((index, table), {}), name, result)

    def finish(self, previous: dict[tuple[str, str], dict] | None = None,
               checked_at: dt.datetime | None = None) -> dict[int, GateOutcome]:
        """Every file's outcome (files dropped before the gate have none).

        `previous` maps (feed, region) to the ledger row of the latest
        delivery before this run; files of the run are compared in the order
        they were added, each with the last one before it that loaded."""
        for table in list(self._buffers):
            self._flush(table)
        now = checked_at or dt.datetime.now()
        latest = dict(previous or {})
        outcomes: dict[int, GateOutcome] = {}
        for index, staged in enumerate(self.files):
            if staged.dropped:
                continue
            outcome = GateOutcome()
            for table, schema in staged.tables.items():
                validator = validator_for(table, schema)
                checked = [RuleResult(rule, success=table not in staged.schema_problems,
                                      observed=staged.schema_problems.get(
                                          table, f"{len(schema)} column(s) as defined"))
                           for rule in validator.schema_rules]
                per_rule = self._results.get((index, table), {})
                checked += [per_rule[r.name] for r in validator.row_rules if r.name in per_rule]
                self._record(outcome, staged, table, checked, now)
            primary = next(iter(staged.tables))
            validator = validator_for(primary, staged.tables[primary])
            key = (staged.file.feed, staged.file.region_code)
            if staged.check_volume and validator.delivery_rules:
                volume = [_volume(rule, staged.file, staged.rows[primary], latest.get(key))
                          for rule in validator.delivery_rules]
                self._record(outcome, staged, primary, volume, now)
            if not outcome.blocked:
                latest[key] = {"rows_loaded": staged.rows[primary]}
            outcomes[index] = outcome
        return outcomes

    def _record(self, outcome: GateOutcome, staged: _Staged, table: str,
                checked: list[RuleResult], now: dt.datetime) -> None:
        file = staged.file
        for result in checked:
            rule: Rule = result.rule
            observed = result.summary()
            outcome.rows.append({
                "run_id": self.run_id, "file_hash": file.file_hash, "feed": file.feed,
                "region_code": file.region_code, "table_name": table,
                "expectation": rule.name, "expectation_type": rule.expectation,
                "column_name": None if rule.column == TEXT_OF_ALL_COLUMNS else rule.column,
                "severity": rule.severity, "success": result.success,
                "rows_checked": result.rows_checked, "unexpected_count": result.unexpected_count,
                "observed": observed, "checked_at": now,
            })
            if not result.success:
                message = f"gate: {rule.name} failed on {table}: {observed}"
                (outcome.blocking_failures if rule.severity == "block" else outcome.warnings
                 ).append(message)


def _merge(into: dict[str, RuleResult], name: str, result: RuleResult) -> None:
    current = into.get(name)
    if current is None:
        into[name] = result
        return
    current.success = current.success and result.success
    current.rows_checked += result.rows_checked
    current.unexpected_count += result.unexpected_count
    current.error = current.error or result.error
    for value in result.values:
        if value not in current.values and len(current.values) < 5:
            current.values.append(value)
    current.columns += [c for c in result.columns if c not in current.columns]


def _volume(rule: Rule, file: LandingFile, rows: int, previous: dict | None) -> RuleResult:
    band = volume_band(previous)
    if band is None:
        return RuleResult(rule, observed=f"{rows} row(s) loaded; no earlier delivery of "
                                         f"{file.feed}/{file.region_code} to compare with")
    low, high = band
    return RuleResult(rule, success=low <= rows <= high,
                      observed=f"{rows} row(s) loaded; the previous delivery loaded "
                               f"{previous['rows_loaded']} (expected {low} to {high})")


def _as_arrow(frame: pl.DataFrame) -> pa.Table:
    """Polars hands strings to Arrow as large or view strings; the lake stores plain ones."""
    table = frame.to_arrow()
    wide = (pa.types.is_large_string, pa.types.is_string_view)
    return table.cast(pa.schema([pa.field(f.name, pa.string()) if any(t(f.type) for t in wide)
                                 else f for f in table.schema]))


def run_gate(file: LandingFile, table: str, part: Path | pa.Table | pl.DataFrame | None,
             previous: dict | None, *, schema: pa.Schema, primary: bool = True) -> GateOutcome:
    """Validate one table of one file on its own (a run of one file).

    `part` is a Parquet part (read in chunks), a table or a frame; None when
    the file produced no rows for the table. `previous` is the ledger row of
    the previous delivery of the same feed and region (volume rule)."""
    gate = RunGate()
    index = gate.add_file(file, {table: schema}, check_volume=primary)
    if isinstance(part, Path):
        with pq.ParquetFile(part) as parquet:
            for batch in parquet.iter_batches(batch_size=CHUNK_ROWS):
                gate.add(index, table, pa.Table.from_batches([batch]))
    elif part is not None:
        gate.add(index, table, _as_arrow(part) if isinstance(part, pl.DataFrame) else part)
    key = (file.feed, file.region_code)
    return gate.finish({key: previous} if previous else {})[index]


def validate_table(table: str, schema: pa.Schema, data: pa.Table) -> list[RuleResult]:
    """A whole table's rows against its suite, as one (system tables: no files)."""
    validator = validator_for(table, schema)
    problem = schema_problems(data.schema, schema)
    checked = [RuleResult(rule, success=problem is None,
                          observed=problem or f"{len(schema)} column(s) as defined")
               for rule in validator.schema_rules]
    merged: dict[str, RuleResult] = {}
    for offset in range(0, data.num_rows, CHUNK_ROWS):
        chunk = data.slice(offset, CHUNK_ROWS)
        files = np.zeros(chunk.num_rows, dtype=np.int64)
        for name, per_file in validator.validate_chunk(chunk, files, [""]).items():
            _merge(merged, name, per_file[0])
    return checked + [merged[r.name] for r in validator.row_rules if r.name in merged]


def write_results(run_id: str, outcomes: list[GateOutcome], folder: Path) -> Path | None:
    """The run's `_gate_results` rows as one Parquet file in `folder` (staged by the runner)."""
    rows = [row for outcome in outcomes for row in outcome.rows]
    if not rows:
        return None
    return gate_results.write_part(folder, run_id, rows)
