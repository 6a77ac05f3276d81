"""Ingest everything new under landing/: all-or-nothing per file, committed per run.

For each new file (its hash not in the ledger): run its feed's adapter and
stage the loaded rows as Parquet parts and the rejected rows for the
quarantine, in the run's staging folder (ingestion.lake). A file that cannot
be read at all is rejected whole with its reason and the run goes on. When
the files are staged, the quality gate (data_tests.gate) validates the rows
of all of them once per lake table, with Great Expectations, and says per
file what failed: a file with a failed blocking expectation is rejected
whole (nothing of it loaded), the others are loaded. Then the run commits:
parts into the lake, the quarantine, the gate's results, and last the ledger
rows (rows read = rows loaded + rows quarantined, asserted per file), one
Parquet file each per run. A long run commits in groups of files, so that a
crash costs at most one group (ingested again by the next run).

A file delivered again under the same landing path with other bytes (a
corrected delivery) supersedes the earlier one: the earlier file's parts and
quarantined rows are removed in the same commit, and its ledger row is kept,
marked superseded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from data_tests.gate import GateOutcome, RunGate
from data_tests.results import GATE_RESULTS
from data_tests.volume import latest_deliveries
from ingestion import canonical, lake, registry
from ingestion.delimited import FileRejected
from ingestion.feeds.base import LandingFile
from tidbok import config

log = logging.getLogger("tidbok.ingestion")

GATE_ENABLED = True  # benchmarks turn it off to measure the runner alone
# A commit group: this many files or rows read, whichever comes first.
GROUP_FILES = 20_000
GROUP_ROWS = 5_000_000


@dataclass
class IngestionSummary:
    files_ingested: int = 0
    files_skipped_known: int = 0
    files_rejected: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    unsupported_feeds: dict[str, int] = field(default_factory=dict)
    unknown_folders: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def discover(landing: Path) -> list[tuple[str, str, Path]]:
    """(feed, region, path) for every delivered file, in a stable order."""
    found = []
    if not landing.exists():
        return found
    for feed_dir in sorted(p for p in landing.iterdir()
                           if p.is_dir() and not p.name.startswith(".")):
        for region_dir in sorted(p for p in feed_dir.iterdir() if p.is_dir()):
            for path in sorted(p for p in region_dir.iterdir()
                               if p.is_file() and not p.name.startswith(".")):
                found.append((feed_dir.name, region_dir.name, path))
    return found


@dataclass
class Staged:
    """One file's outcome before the commit."""

    file: LandingFile
    adapter: object
    encoding: str | None
    rows_read: int
    parts: dict[str, tuple[Path, int]] = field(default_factory=dict)  # table -> (tmp, rows)
    quarantine: tuple[Path, int] | None = None  # its rejected rows, staged
    primary_rows: int = 0
    day: dt.date | None = None
    rejected: str | None = None  # why the whole file was rejected
    gate_index: int | None = None
    ingested_at: dt.datetime = field(default_factory=dt.datetime.now)


class _Group:
    """Files staged since the last commit, and their gate."""

    def __init__(self, run: lake.Run, gate: bool):
        self.run = run
        self.gate = RunGate(run.id) if gate else None
        self.files: list[Staged] = []
        self.rows = 0


def ingest_landing(feeds: tuple[str, ...] | None = None,
                   select: Callable[[str, str, Path], bool] | None = None) -> IngestionSummary:
    """Ingest every new landing file; `feeds` and `select(feed, region, path)` narrow
    which files are considered (Dagster partitions and backfills use `select`)."""
    config.ensure_layout()
    lake.ensure_schema_files()
    lake.recover()
    landing = config.landing_dir()
    work_dir = landing / ".work"
    state = lake.LedgerState.load()
    summary = IngestionSummary()
    adapters: dict[str, object] = {}
    run = lake.Run()
    try:
        group = _Group(run, GATE_ENABLED)
        for feed, region, path in discover(landing):
            if feed not in registry.KNOWN_FEEDS:
                summary.unknown_folders.append(f"{feed}/{region}")
                continue
            if feeds is not None and feed not in feeds:
                continue
            if select is not None and not select(feed, region, path):
                continue
            if feed not in adapters:
                adapters[feed] = registry.adapter_for(feed, work_dir)
            adapter = adapters[feed]
            if adapter is None:
                summary.unsupported_feeds[feed] = summary.unsupported_feeds.get(feed, 0) + 1
                continue
            file_hash = file_sha256(path)
            if file_hash in state.known:
                summary.files_skipped_known += 1
                continue
            file = LandingFile(feed, region, path, str(path.relative_to(landing)), file_hash)
            state.known.add(file_hash)
            try:
                staged = stage_file(run, adapter, file, group.gate)
            except BaseException:
                _commit_group(group, state, summary)  # what was staged before stays
                raise
            group.files.append(staged)
            group.rows += staged.rows_read
            if len(group.files) >= GROUP_FILES or group.rows >= GROUP_ROWS:
                _commit_group(group, state, summary)
                group = _Group(run, GATE_ENABLED)
        _commit_group(group, state, summary)
    finally:
        run.close()
    for feed, count in summary.unsupported_feeds.items():
        log.warning("feed %s is not supported yet: %d file(s) skipped", feed, count)
    return summary


def stage_file(run: lake.Run, adapter, file: LandingFile, gate: RunGate | None) -> Staged:
    """Read one file with its adapter into the run's staging folder."""
    name = lake.part_name(file.file_hash)
    writers = {table: lake.PartWriter(run.path(table), name, schema)
               for table, schema in adapter.tables.items()}
    rejected = lake.PartWriter(run.path("_quarantine", file.feed), f"quarantine-{name}",
                               canonical.QUARANTINE)
    index = gate.add_file(file, adapter.tables) if gate is not None else None
    if hasattr(adapter, "encoding"):
        adapter.encoding = None  # adapters are reused: no encoding of the previous file
    days: set[dt.date] = set()
    rows_read = 0
    try:
        for batch in adapter.read(file):
            for table, frame in batch.loaded.items():
                written = writers[table].write(frame)
                if written is not None and gate is not None:
                    gate.add(index, table, written)
            if batch.rejected.height:
                rejected.write(lake.quarantine_rows(file, batch.rejected))
            rows_read += batch.rows_read
            days.update(d for d in batch.days if d is not None)
    except FileRejected as exc:
        for writer in (*writers.values(), rejected):
            writer.abort()
        if gate is not None:
            gate.drop_file(index)
        log.warning("%s: file rejected: %s", file.relative_path, exc)
        counter = getattr(adapter, "count_records", None)
        lines = counter(file.path) if counter else _count_data_lines(file.path)
        return Staged(file, adapter, getattr(adapter, "encoding", None), lines,
                      rejected=str(exc))
    except BaseException:
        for writer in (*writers.values(), rejected):
            writer.abort()
        raise
    primary = next(iter(writers.values()))
    if primary.rows + rejected.rows != rows_read:
        for writer in (*writers.values(), rejected):
            writer.abort()
        raise AssertionError(  # a bug in the adapter, never a data problem
            f"{file.relative_path}: {rows_read} read but {primary.rows} loaded "
            f"+ {rejected.rows} quarantined")
    staged = Staged(file, adapter, getattr(adapter, "encoding", None), rows_read,
                    primary_rows=primary.rows, day=max(days) if days else None,
                    gate_index=index)
    for table, writer in writers.items():
        if (tmp := writer.close()) is not None:
            staged.parts[table] = (tmp, writer.rows)
    if (tmp := rejected.close()) is not None:
        staged.quarantine = (tmp, rejected.rows)
    return staged


def _commit_group(group: _Group, state: lake.LedgerState, summary: IngestionSummary) -> None:
    """Gate the group's files, then commit them (parts, quarantine, results, ledger)."""
    if not group.files:
        return
    outcomes: dict[int, GateOutcome] = {}
    if group.gate is not None:
        outcomes = group.gate.finish(latest_deliveries(state.rows))
    with lake.commit_lock():  # one commit at a time, on the ledger as it is now
        fresh = lake.LedgerState.load()
        state.rows, state.known = fresh.rows, fresh.known | state.known
        # A file another process committed meanwhile (overlapping selections) is
        # not recorded twice: its staged parts are dropped with the run folder.
        files = [s for s in group.files if s.file.file_hash not in fresh.known]
        summary.files_skipped_known += len(group.files) - len(files)
        if files:
            _commit_files(group.run, files, outcomes, state, summary)


def _commit_files(run: lake.Run, files: list[Staged], outcomes: dict[int, GateOutcome],
                  state: lake.LedgerState, summary: IngestionSummary) -> None:
    steps: list[list[str]] = []
    ledger_rows: list[dict] = []
    quarantine: dict[str, list[Path | pa.Table]] = {}
    lake_root = config.lake_dir()
    for staged in files:
        file = staged.file
        outcome = outcomes.get(staged.gate_index) if staged.gate_index is not None else None
        if outcome is not None:
            for warning in outcome.warnings:
                log.warning("%s: %s", file.relative_path, warning)
        if staged.rejected is None and outcome is not None and outcome.blocked:
            staged.rejected = outcome.message
            log.warning("%s: file rejected: %s", file.relative_path, staged.rejected)
        if staged.rejected is not None:
            reason = pl.DataFrame({"row_number": [None], "field": ["(file)"],
                                   "reason": [staged.rejected], "record": [None]},
                                  schema={"row_number": pl.Int64, "field": pl.String,
                                          "reason": pl.String, "record": pl.String})
            quarantine.setdefault(file.feed, []).append(
                lake.quarantine_rows(file, reason).to_arrow().cast(canonical.QUARANTINE))
            row = _ledger_row(staged, staged.rows_read, 0, staged.rows_read, "rejected_file",
                              staged.rejected, None)
        else:
            for table, (tmp, _) in staged.parts.items():
                target = (lake.partition_dir(table, file.region_code, staged.day, lake_root)
                          / lake.part_name(file.file_hash))
                steps.append(["rename", str(tmp), str(target)])
            quarantined = staged.quarantine[1] if staged.quarantine else 0
            if staged.quarantine:
                quarantine.setdefault(file.feed, []).append(staged.quarantine[0])
            status, message = "loaded", None
            if quarantined:
                status, message = "loaded_with_rejects", f"{quarantined} row(s) quarantined"
                log.warning("%s: %s", file.relative_path, message)
            row = _ledger_row(staged, staged.rows_read, staged.primary_rows, quarantined,
                              status, message, staged.day)
        if row["rows_read"] != row["rows_loaded"] + row["rows_quarantined"]:
            raise AssertionError(f"{file.relative_path}: ledger does not reconcile: {row}")
        ledger_rows.append(row)
    tag = f"{run.id}-{_group_number(run)}"
    steps += _quarantine_steps(run, tag, quarantine)
    results = [r for s in files if s.gate_index in outcomes for r in outcomes[s.gate_index].rows]
    if results:
        part = lake.write_table(pa.Table.from_pylist(results, schema=GATE_RESULTS),
                                run.path("_gate_results", f"{tag}.parquet"))
        steps.append(["rename", str(part), str(config.lake_dir() / "_gate_results" / part.name)])
    steps += _supersede_steps(run, tag, state, ledger_rows)
    ledger = lake.write_table(pa.Table.from_pylist(ledger_rows, schema=canonical.LEDGER),
                              run.path("_ledger", f"{tag}.parquet"))
    ledger_target = config.ledger_dir() / ledger.name
    steps.append(["rename", str(ledger), str(ledger_target)])  # last: marks the files ingested
    run.commit(steps, locked=True)
    for row in ledger_rows:
        state.rows.append({**row, "_part": ledger_target})
        summary.files_ingested += 1
        summary.files_rejected += row["status"] == "rejected_file"
        summary.rows_read += row["rows_read"]
        summary.rows_loaded += row["rows_loaded"]
        summary.rows_quarantined += row["rows_quarantined"]


def _group_number(run: lake.Run) -> int:
    run.groups = getattr(run, "groups", 0) + 1
    return run.groups


def _quarantine_steps(run: lake.Run, tag: str,
                      quarantine: dict[str, list[Path | pa.Table]]) -> list[list[str]]:
    """One quarantine part per feed and commit group, from the files' staged parts."""
    steps = []
    for feed, pieces in quarantine.items():
        target = run.path("_quarantine", f"feed={feed}", f"quarantine-{tag}.parquet")
        target.parent.mkdir(parents=True, exist_ok=True)
        writer = None
        try:
            writer = pq.ParquetWriter(target, canonical.QUARANTINE, compression="zstd")
            for piece in pieces:
                if isinstance(piece, Path):  # a staged part: stream its row groups
                    with pq.ParquetFile(piece) as parquet:
                        for batch in parquet.iter_batches(batch_size=100_000):
                            writer.write_batch(batch)
                else:
                    writer.write_table(piece)
        finally:
            if writer is not None:
                writer.close()
        steps.append(["rename", str(target), str(lake.quarantine_file_dir(feed) / target.name)])
    return steps


def _supersede_steps(run: lake.Run, tag: str, state: lake.LedgerState,
                     new_rows: list[dict]) -> list[list[str]]:
    """A new delivery of a landing path already in the ledger (other bytes)
    supersedes the earlier file: its parts are deleted, its quarantined rows
    removed, and its ledger row marked superseded (rewritten part)."""
    current = state.current_for_path()
    replaced = {}  # earlier hash -> (its ledger row, the new hash)
    for row in new_rows:
        earlier = current.get(row["file_path"])
        if earlier is not None and earlier["file_hash"] != row["file_hash"]:
            replaced[earlier["file_hash"]] = (earlier, row["file_hash"])
    if not replaced:
        return []
    steps: list[list[str]] = []
    lake_dir = config.lake_dir()
    for earlier_hash, (earlier, new_hash) in replaced.items():
        log.warning("%s: superseded by a new delivery (%s…)", earlier["file_path"], new_hash[:12])
        if earlier["status"] != lake.REJECTED:
            for part in lake_dir.glob(f"*/region=*/day=*/{lake.part_name(earlier_hash)}"):
                steps.append(["delete", str(part)])
    hashes = set(replaced)
    feeds = {earlier["feed"] for earlier, _ in replaced.values()}
    for n, feed in enumerate(sorted(feeds)):
        for path in lake.data_files(lake.quarantine_file_dir(feed)):
            kept = lake.without_files(path, hashes, canonical.QUARANTINE)
            if kept is None:
                continue
            if kept.num_rows == 0:
                steps.append(["delete", str(path)])
            else:
                staged = lake.write_table(kept, run.path("_rewrite", f"q{n}-{tag}", path.name))
                steps.append(["rename", str(staged), str(path)])
    by_part: dict[Path, list[str]] = {}
    for earlier, _ in replaced.values():
        by_part.setdefault(earlier["_part"], []).append(earlier["file_hash"])
    for n, part in enumerate(sorted(by_part)):
        rows = [r for r in state.rows if r["_part"] == part]
        for r in rows:
            if r["file_hash"] in replaced:
                r["status"], r["superseded_by"] = lake.SUPERSEDED, replaced[r["file_hash"]][1]
        table = pa.Table.from_pylist([{k: v for k, v in r.items() if k != "_part"} for r in rows],
                                     schema=canonical.LEDGER)
        staged = lake.write_table(table, run.path("_rewrite", f"l{n}-{tag}", part.name))
        steps.append(["rename", str(staged), str(part)])
    return steps


def _count_data_lines(path: Path) -> int:
    """Rows read from a file we could not parse: its non-empty lines after the header."""
    count = 0
    with path.open("rb") as fh:
        for i, line in enumerate(fh):
            if i > 0 and line.strip():
                count += 1
    return count


def _ledger_row(staged: Staged, read: int, loaded: int, quarantined: int, status: str,
                message: str | None, day: dt.date | None) -> dict:
    file = staged.file
    return {
        "file_hash": file.file_hash, "feed": file.feed, "region_code": file.region_code,
        "file_path": file.relative_path, "file_bytes": file.path.stat().st_size,
        "encoding": staged.encoding, "rows_read": read,
        "rows_loaded": loaded, "rows_quarantined": quarantined, "status": status,
        "message": message, "partition_day": day, "ingested_at": staged.ingested_at,
        "superseded_by": None,
    }
