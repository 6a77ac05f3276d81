"""Write canonical rows to the Parquet lake, rejected rows to the quarantine,
and the ledger, so that each file's outcome is all-or-nothing.

An ingestion run stages everything it writes in its own folder
`lake/.staging/run-<id>/`: one Parquet part per file and table, the run's
quarantine (one part per feed), its `_gate_results` and its ledger rows (one
part each). It then commits: it writes a journal (the renames and deletions
to make, the ledger part last) and carries it out. A run killed before the
journal leaves no trace in the lake (the next run deletes its folder and
ingests its files again, writing the same part names); a run killed while
carrying out its journal is finished by the next run (`recover`), which
replays the journal (every step can be repeated). A ledger row is therefore
never visible before the parts of its file are.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingestion import canonical
from ingestion.feeds.base import LandingFile
from tidbok import config

STAGING = ".staging"
JOURNAL = "journal.json"
LOCK = ".lock"
# Statuses of ledger rows whose file's rows are in the lake (or were: superseded).
REJECTED, SUPERSEDED = "rejected_file", "superseded"


def partition_dir(table: str, region_code: str, day: dt.date | None,
                  root: Path | None = None) -> Path:
    day_text = day.isoformat() if day else "unknown"
    return (root or config.lake_dir()) / table / f"region={region_code}" / f"day={day_text}"


def part_name(file_hash: str) -> str:
    return f"part-{file_hash[:16]}.parquet"


class PartWriter:
    """One Parquet part, written in one go when small, streamed when large
    (bounded memory): batches are buffered up to FLUSH_ROWS rows."""

    FLUSH_ROWS = 100_000
    # Below this many rows a part is stored uncompressed: compressing a few
    # kilobytes costs more time (per file: a run has thousands) than it saves.
    SMALL_ROWS = 5_000

    def __init__(self, target_dir: Path, name: str, schema: pa.Schema):
        self.schema = schema
        self.name = name
        self.target_dir = target_dir
        self.tmp = target_dir / f".{name}.tmp"
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._closed = False
        self.rows = 0

    def write(self, frame: pl.DataFrame | pa.Table) -> pa.Table | None:
        """Add rows; returns them as written (cast to the schema), None when empty."""
        rows = frame.num_rows if isinstance(frame, pa.Table) else frame.height
        if rows == 0:
            return None
        table = (frame if isinstance(frame, pa.Table) else frame.to_arrow()).cast(self.schema)
        self._pending.append(table)
        self._pending_rows += rows
        self.rows += rows
        if self._pending_rows >= self.FLUSH_ROWS:
            self._flush()
        return table

    def _flush(self) -> None:
        if not self._pending:
            return
        self.target_dir.mkdir(parents=True, exist_ok=True)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")
        self._writer.write_table(pa.concat_tables(self._pending))
        self._pending, self._pending_rows = [], 0

    def close(self) -> Path | None:
        """Finish the part; its (temporary) path, None when it has no rows."""
        if not self._closed:
            self._closed = True
            if self._writer is None and self._pending:  # small: one write
                self.target_dir.mkdir(parents=True, exist_ok=True)
                compression = "none" if self.rows < self.SMALL_ROWS else "zstd"
                pq.write_table(pa.concat_tables(self._pending), self.tmp, compression=compression)
                self._pending = []
            else:
                self._flush()
                if self._writer is not None:
                    self._writer.close()
        return self.tmp if self.rows else None

    def commit(self, final_dir: Path) -> Path | None:
        """Close and move into `final_dir` (outside a run's journal: tests, tools)."""
        if self.close() is None:
            return None
        final_dir.mkdir(parents=True, exist_ok=True)
        target = final_dir / self.name
        os.replace(self.tmp, target)
        return target

    def abort(self) -> None:
        if self._writer is not None and not self._closed:
            self._writer.close()
        self._closed, self._pending = True, []
        self.tmp.unlink(missing_ok=True)


def quarantine_rows(file: LandingFile, rejected: pl.DataFrame) -> pl.DataFrame:
    now = dt.datetime.now()
    return rejected.select(
        pl.lit(file.feed).alias("feed"),
        pl.lit(file.region_code).alias("region_code"),
        pl.lit(file.relative_path).alias("file_path"),
        pl.lit(file.file_hash).alias("file_hash"),
        "row_number", "field", "reason", "record",
        pl.lit(now).cast(pl.Datetime("us")).alias("quarantined_at"),
    )


def quarantine_file_dir(feed: str) -> Path:
    return config.quarantine_dir() / f"feed={feed}"


# ---------------------------------------------------------------- parts of many rows


def data_files(folder: Path) -> list[Path]:
    """The Parquet files of a folder (not its schema file, not temporary files)."""
    if not folder.exists():
        return []
    with os.scandir(folder) as entries:
        return sorted(Path(e.path) for e in entries
                      if e.name.endswith(".parquet") and e.name != canonical.SCHEMA_FILE
                      and not e.name.startswith("."))


def read_conformed(path: Path, schema: pa.Schema) -> pa.Table:
    """A part in `schema`: columns it predates are null (a column added later)."""
    table = pq.read_table(path)
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names
               else pa.nulls(table.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def write_table(table: pa.Table, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, target)
    return target


def without_files(path: Path, hashes: set[str], schema: pa.Schema) -> pa.Table | None:
    """The part's rows not of these files; None when it holds none of them."""
    table = read_conformed(path, schema)
    drop = pc.is_in(table["file_hash"], value_set=pa.array(sorted(hashes), pa.string()))
    if not pc.any(drop).as_py():
        return None
    return table.filter(pc.invert(drop))


# ---------------------------------------------------------------- the ledger


@dataclass
class LedgerState:
    """The ledger as a run starts: read once, not per file."""

    rows: list[dict] = field(default_factory=list)  # each with "_part": its ledger part
    known: set[str] = field(default_factory=set)  # file hashes ever recorded

    @classmethod
    def load(cls) -> LedgerState:
        rows = []
        for path in data_files(config.ledger_dir()):
            for row in read_conformed(path, canonical.LEDGER).to_pylist():
                row["_part"] = path
                rows.append(row)
        return cls(rows, {r["file_hash"] for r in rows})

    def current_for_path(self) -> dict[str, dict]:
        """The ledger row still in force per landing path (not superseded)."""
        current: dict[str, dict] = {}
        for row in self.rows:
            if row["status"] != SUPERSEDED and row["superseded_by"] is None:
                previous = current.get(row["file_path"])
                if previous is None or row["ingested_at"] >= previous["ingested_at"]:
                    current[row["file_path"]] = row
        return current


def ingested_hashes() -> set[str]:
    return LedgerState.load().known


def ensure_schema_files() -> None:
    from ingestion.registry import canonical_tables, system_tables

    for table, schema in {**canonical_tables(), **system_tables()}.items():
        canonical.write_schema_file(config.lake_dir() / table, schema)
    canonical.write_schema_file(config.ledger_dir(), canonical.LEDGER)
    canonical.write_schema_file(config.quarantine_dir(), canonical.QUARANTINE)


# ---------------------------------------------------------------- runs and their commit


def staging_root() -> Path:
    return config.lake_dir() / STAGING


@contextmanager
def commit_lock():
    """One commit (or recovery) at a time across processes."""
    root = staging_root()
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".commit.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Run:
    """A run's staging folder, locked while the run lives."""

    def __init__(self):
        self.id = f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        # Locked before it is visible as a run folder: `recover` never sees a
        # live run's folder unlocked (the lock follows the folder's rename).
        making = staging_root() / f".new-{self.id}"
        making.mkdir(parents=True)
        self._lock = (making / LOCK).open("w")
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.dir = staging_root() / f"run-{self.id}"
        os.rename(making, self.dir)

    def path(self, *parts: str) -> Path:
        return self.dir.joinpath(*parts)

    def commit(self, steps: list[list[str]], locked: bool = False) -> None:
        """Carry out `steps` (["rename", src, dst] or ["delete", path]) with a
        journal; `locked` when the caller holds `commit_lock` already."""
        if not locked:
            with commit_lock():
                self.commit(steps, locked=True)
            return
        write_journal(self.dir, steps)
        apply_journal(steps)
        os.unlink(self.dir / JOURNAL)

    def close(self) -> None:
        """Remove the staging folder: whatever was not committed is dropped. A
        commit cut short (its journal is still there) is left for `recover`."""
        if not (self.dir / JOURNAL).exists():
            shutil.rmtree(self.dir, ignore_errors=True)
        self._lock.close()


def write_journal(folder: Path, steps: list[list[str]]) -> None:
    tmp = folder / f".{JOURNAL}.tmp"
    with tmp.open("w") as fh:
        json.dump(steps, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / JOURNAL)


def apply_journal(steps: Iterable[list[str]]) -> None:
    """Every step can be repeated: a rename whose source is gone was done."""
    made: set[Path] = set()
    for step in steps:
        if step[0] == "rename":
            source, target = Path(step[1]), Path(step[2])
            if source.exists():
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                os.replace(source, target)
        elif step[0] == "delete":
            Path(step[1]).unlink(missing_ok=True)


def recover() -> int:
    """Finish the commits of runs killed while committing and drop the staging
    of runs killed before; runs still alive (locked) are left alone. Returns
    how many journals were replayed."""
    root = staging_root()
    if not root.exists():
        return 0
    replayed = 0
    with commit_lock():
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if not folder.name.startswith("run-"):
                # A run being set up (left alone for a minute), or staging of
                # the runner from before runs had folders (never committed).
                young = time.time() - folder.stat().st_mtime < 60
                if not (folder.name.startswith(".new-") and young):
                    shutil.rmtree(folder, ignore_errors=True)
                continue
            lock = folder / LOCK
            if lock.exists():
                with lock.open("a") as fh:
                    try:
                        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # alive
                    fcntl.flock(fh, fcntl.LOCK_UN)
            journal = folder / JOURNAL
            if journal.exists():
                apply_journal(json.loads(journal.read_text()))
                replayed += 1
            shutil.rmtree(folder, ignore_errors=True)
    return replayed
