"""Run a table's rules with Great Expectations on chunks of many files' rows.

The gate validates once per ingestion run and table (data_tests.gate): the
rows every file of the run staged for a table are validated together, in
chunks of at most CHUNK_ROWS rows, each row carrying the index of its file
(`_file`). Great Expectations 1.x validates pandas DataFrames here (its SQL
path cannot read DuckDB tables). A chunk is validated first for pass/fail
only (BOOLEAN_ONLY: the common case, a clean chunk, pays for that alone), in
two validations of narrow frames (the rules reading a column with nulls, and
the others: `TableValidator._groups` says why), each frame holding only the
columns its rules read;
the rules that failed are validated again with result format COMPLETE and
`unexpected_index_column_names=["_file"]`, which says which rows of which
files broke them, so each file gets its own counts. Every row is checked
(no sampling: a file's verdict must not depend on which rows were drawn).

The context is ephemeral and in memory: no files, no data docs, no
analytics, no network.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

from data_tests.rules import PERSON_ID_REGEX, TEXT_OF_ALL_COLUMNS, Rule
from ingestion.privacy import quote_value, scrub_text

os.environ["GX_ANALYTICS_ENABLED"] = "false"  # read by Great Expectations at import

# Rows validated at once, whatever the files they come from: bounds the gate's
# memory (a few hundred MB of pandas for bookings) while keeping Great
# Expectations' fixed cost per validation small per row.
CHUNK_ROWS = 500_000
FILE_COLUMN = "_file"  # the row's file: an index into the run's files
FILE_HASH_COLUMN = "_file_hash"  # the hash of that file (for `source_file_hash` rules)
FIRST_PASS_FORMAT = "BOOLEAN_ONLY"
DETAIL_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": [FILE_COLUMN],
                 "return_unexpected_index_query": False}
MAX_VALUES = 5  # code values shown per file and rule

# Great Expectations validations run by this process (tests and benchmarks read it).
VALIDATIONS = Counter()


@dataclass
class RuleResult:
    """One rule on one file's rows of one table (counts added up over chunks)."""

    rule: Rule
    success: bool = True
    rows_checked: int = 0
    unexpected_count: int = 0
    observed: str = ""
    values: list[str] = field(default_factory=list)  # unexpected code values, scrubbed
    error: str | None = None
    columns: list[str] = field(default_factory=list)  # where a personnummer was found

    def summary(self) -> str:
        if self.observed:
            return self.observed
        if self.error:
            return f"could not be checked: {self.error}"
        seen = self.rows_checked
        text = f"{self.unexpected_count} of {seen} row(s) unexpected"
        if self.unexpected_count and seen:
            text += f" ({100 * self.unexpected_count / seen:.2f}%)"
        if self.values:
            text += "; e.g. " + ", ".join(self.values)
        if self.columns:
            text += "; in column(s) " + ", ".join(self.columns)
        return text


@cache
def _batch_definition():
    """The one pandas data source of the process, in an ephemeral context."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every DataFrame below this size (an MD5 of every cell)
    # only to label the batch; the gate identifies batches itself.
    pandas_execution_engine.HASH_THRESHOLD = 0

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False))
    context = gx.get_context(mode="ephemeral", project_config=config)
    asset = context.data_sources.add_pandas("lake_gate").add_dataframe_asset("batch")
    return asset.add_batch_definition_whole_dataframe("whole_batch")


def build_suite(name: str, rules: list[Rule]):
    """A Great Expectations suite of the rules; each expectation keeps its rule
    name and severity in `meta` so results map back to rules."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.metadata_types import FailureSeverity

    suite = gx.ExpectationSuite(name=name)
    for rule in rules:
        expectation_class = getattr(gxe, rule.expectation)
        severity = FailureSeverity.CRITICAL if rule.severity == "block" else FailureSeverity.WARNING
        suite.add_expectation(expectation_class(
            **rule.kwargs, severity=severity, meta={"rule": rule.name, "severity": rule.severity}))
    return suite


def schema_problems(observed: pa.Schema, expected: pa.Schema) -> str | None:
    """What differs between a part's Arrow schema and the table's; None when equal."""
    if observed.equals(expected):
        return None
    problems = []
    missing = [n for n in expected.names if n not in observed.names]
    unexpected = [n for n in observed.names if n not in expected.names]
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    if unexpected:
        problems.append("unexpected column(s) " + ", ".join(unexpected))
    for f in expected:
        if f.name in observed.names and observed.field(f.name).type != f.type:
            problems.append(f"{f.name} is {observed.field(f.name).type}, expected {f.type}")
    if not problems and observed.names != expected.names:
        problems.append("columns in a different order")
    return "; ".join(problems) if problems else None


class TableValidator:
    """A table's rules as Great Expectations suites, built once and reused."""

    def __init__(self, table: str, schema: pa.Schema, rules: list[Rule],
                 derived: dict | None = None):
        self.table, self.schema, self.derived = table, schema, derived or {}
        self.rules = rules
        self.schema_rules = [x for x in rules if x.scope == "schema"]
        self.row_rules = [x for x in rules if x.scope == "rows"]
        self.delivery_rules = [x for x in rules if x.scope == "delivery"]
        # Only the columns some rule reads are handed to pandas.
        self.columns = list(dict.fromkeys(
            c for x in self.row_rules for k in ("column", "column_A", "column_B")
            if (c := x.kwargs.get(k))))
        self._suites: dict[tuple[str, ...], object] = {}

    def _suite(self, rules: list[Rule]):
        key = tuple(x.name for x in rules)
        if key not in self._suites:
            self._suites[key] = build_suite(f"{self.table}.{len(self._suites)}", rules)
        return self._suites[key]

    def validate_chunk(self, chunk: pa.Table, files: np.ndarray,
                       hashes: list[str]) -> dict[str, dict[int, RuleResult]]:
        """Row rules on one chunk of many files' rows (`files[i]` is the index
        of row i's file, `hashes[f]` the hash of file f): rule name -> file
        index -> that file's result on its rows of the chunk."""
        if chunk.num_rows == 0 or not self.row_rules:
            return {}
        rows_per_file = Counter(files.tolist())
        results = {x.name: {f: RuleResult(x, rows_checked=n) for f, n in rows_per_file.items()}
                   for x in self.row_rules}
        frame = self._frame(chunk, files, hashes)
        for rules in self._groups(frame):
            pandas_frame = self._to_pandas(frame, rules)
            first = self._validate(pandas_frame, rules, FIRST_PASS_FORMAT)
            failed = [x for x in rules if x.name in
                      {i.expectation_config.meta["rule"] for i in first if not i.success}]
            if failed:
                self._detail(results, self._validate(pandas_frame, failed, DETAIL_FORMAT))
                for rule in failed:
                    if rule.column == TEXT_OF_ALL_COLUMNS:
                        _name_person_id_columns(results[rule.name], chunk, files)
        return results

    def _detail(self, results: dict[str, dict[int, RuleResult]], gx_results) -> None:
        for item in gx_results:
            per_file = results[item.expectation_config.meta["rule"]]
            exception = item.exception_info or {}
            if exception.get("raised_exception"):
                message = str(exception.get("exception_message") or "error").splitlines()[0]
                for result in per_file.values():
                    result.success, result.error = False, scrub_text(message)[:200]
                continue
            detail = item.result or {}
            indexed = detail.get("unexpected_index_list") or []
            counts = Counter(int(row[FILE_COLUMN]) for row in indexed)
            for index, count in counts.items():
                result = per_file[index]
                result.success = False
                result.unexpected_count += count
            rule = next((r.rule for r in per_file.values()), None)
            if rule is not None and rule.show_values and rule.column:
                for row in indexed:
                    result = per_file[int(row[FILE_COLUMN])]
                    text = quote_value(_plain(row.get(rule.column)))
                    if text not in result.values and len(result.values) < MAX_VALUES:
                        result.values.append(text)
            if not indexed and not item.success:  # failed without naming rows: every file
                for result in per_file.values():
                    result.success = False
                    result.unexpected_count += int(detail.get("unexpected_count") or 0)

    def _frame(self, chunk: pa.Table, files: np.ndarray, hashes: list[str]) -> pl.DataFrame:
        """The columns some rule reads (derived ones computed), and each row's file."""
        frame = pl.from_arrow(chunk)
        for name, expr in self.derived.items():
            try:
                frame = frame.with_columns((expr(frame) if callable(expr) else expr).alias(name))
            except pl.exceptions.ColumnNotFoundError:
                pass  # its rule reports the column as missing; the schema rule says which
        index = pl.Series(FILE_COLUMN, files, dtype=pl.Int64)
        frame = frame.with_columns(index)
        if FILE_HASH_COLUMN in self.columns:
            frame = frame.with_columns(
                pl.Series(FILE_HASH_COLUMN, hashes, dtype=pl.String).gather(index))
        keep = [c for c in self.columns if c in frame.columns]
        return frame.select([*keep, FILE_COLUMN])

    def _groups(self, frame: pl.DataFrame) -> list[list[Rule]]:
        """The row rules in (at most) two validations: those reading a column with
        nulls in this chunk, and the others. Great Expectations drops a rule's null
        rows by filtering the whole batch frame (every column copied, once per such
        rule); in a frame of only the nullable columns' rules that copy is small, and
        the wide identifier and text columns are never copied."""
        nulls = {name for name, count in zip(frame.columns, frame.null_count().row(0),
                                             strict=True) if count}
        sparse, dense = [], []
        for rule in self.row_rules:
            reads = [c for k in ("column", "column_A", "column_B") if (c := rule.kwargs.get(k))]
            (sparse if any(c in nulls for c in reads) else dense).append(rule)
        return [g for g in (dense, sparse) if g]

    def _to_pandas(self, frame: pl.DataFrame, rules: list[Rule]) -> pd.DataFrame:
        # NumPy-backed dtypes: Great Expectations' pandas path is 2-3 times
        # faster on them than on Arrow-backed ones; types are checked exactly
        # on the Arrow schema instead. Integers are widened to 64 bits (a value
        # is the same number): GX compares int64/float64 columns vectorised but
        # calls a Python function per row for any other integer width.
        reads = {c for x in rules for k in ("column", "column_A", "column_B")
                 if (c := x.kwargs.get(k))}
        keep = [c for c in frame.columns if c in reads]
        frame = frame.select(
            [pl.col(c).cast(pl.Int64) if frame.schema[c] in _NARROW_INTEGERS else pl.col(c)
             for c in keep] + [pl.col(FILE_COLUMN)])
        return frame.to_pandas()

    def _validate(self, frame: pd.DataFrame, rules: list[Rule], result_format):
        VALIDATIONS[self.table] += 1
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(self._suite(rules), result_format=result_format).results


_NARROW_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16, pl.UInt32)


def _plain(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _name_person_id_columns(result_per_file: dict[int, RuleResult], chunk: pa.Table,
                            files: np.ndarray) -> None:
    """Which columns hold the personnummer the one-pass rule found (names only), per file."""
    failing = [f for f, r in result_per_file.items() if r.unexpected_count]
    if not failing:
        return
    frame = pl.from_arrow(chunk).with_columns(pl.Series(FILE_COLUMN, files, dtype=pl.Int64))
    frame = frame.filter(pl.col(FILE_COLUMN).is_in(failing))
    strings = [n for n, t in frame.schema.items() if t == pl.String]
    if not strings:
        return
    hits = frame.group_by(FILE_COLUMN).agg(
        [pl.col(n).str.contains(PERSON_ID_REGEX).any().alias(n) for n in strings])
    for row in hits.iter_rows(named=True):
        result = result_per_file[row[FILE_COLUMN]]
        for name in strings:
            if row[name] and name not in result.columns:
                result.columns.append(name)
