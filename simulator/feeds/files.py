"""Writing landing files: one place that creates or appends a file, counts its rows,
and injects the defects asked for (simulator/defects.py), logging each one with
the line it landed on.

Line numbers are physical 1-based lines as ingestion counts them: a CSV file's
header is line 1 and its first row line 2; a JSON Lines file's first line is 1.
Files that are streamed (a national file per day written region by region, or a
region's file written chunk by chunk) are appended to; file defects are applied
once every file is complete (`finish`).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator.defects import DefectLog, FileDefects, luhn_break, redeliver, truncate
from simulator.seeding import rng_for

REDELIVERY_SUFFIX = "_omleverans"


@dataclass
class RowInfo:
    """Per data row: the clear identity number exactly as written in the row (None when
    the row has none, or it is not a personnummer or samordningsnummer), and a key that
    says what the row is (booking id, event id ...)."""

    identity: list[str | None] | None = None
    keys: list[str | None] | None = None


@dataclass
class FileState:
    feed: str
    fmt: str  # csv | jsonl | zip | json
    encoding: str = "utf-8"
    newline: str = "\n"
    header: str | None = None
    separator: str = ";"
    rows: int = 0  # data rows (lines, members, entries) written so far
    lines: int = 0  # physical lines written so far (header included)


@dataclass
class Delivery:
    out: Path
    log: DefectLog
    seed: int
    wanted: set[str] | None = None  # feeds to write (None: all)
    files: dict[Path, FileState] = field(default_factory=dict)
    gaps: list[dict] = field(default_factory=list)  # known contract gaps (not defects)
    _defects: dict[str, FileDefects] = field(default_factory=dict)
    _made: set[Path] = field(default_factory=set)
    _row_damaged: set[Path] = field(default_factory=set)

    def wants(self, feed: str) -> bool:
        return self.wanted is None or feed in self.wanted

    def defects(self, feed: str) -> FileDefects:
        if feed not in self._defects:
            self._defects[feed] = FileDefects(self.log, feed, self.seed)
        return self._defects[feed]

    def relative(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()

    def path(self, feed: str, folder: str, name: str) -> Path:
        directory = self.out / feed / folder
        if directory not in self._made:
            directory.mkdir(parents=True, exist_ok=True)
            self._made.add(directory)
        return directory / name

    # --- text files (CSV, JSON Lines) ---------------------------------------------------
    def write_rows(self, feed: str, folder: str, name: str, rows: list[str], *, fmt: str,
                   header: str | None = None, encoding: str = "utf-8", newline: str = "\n",
                   separator: str = ";", info: RowInfo | None = None,
                   tags: dict[int, dict] | None = None) -> Path:
        """Create the file (with its header) or append to it, after row defects.

        `tags` are defects the feed's writer injected itself (row index -> log entry);
        they are logged here with the line the row finally lands on."""
        path = self.path(feed, folder, name)
        state = self.files.get(path)
        chunks = []
        if state is None:
            state = FileState(feed, fmt, encoding, newline, header, separator)
            self.files[path] = state
            if header is not None:
                chunks.append(header + newline)
                state.lines = 1
            mode = "wb"
        else:
            mode = "ab"
        first_line = state.lines + 1
        rows, position = self._row_defects(path, state, rows, info, set(tags or {}))
        if tags:
            self._row_damaged.add(path)
        for i, entry in sorted((tags or {}).items()):
            if entry is None:  # a protected row the writer logs itself
                continue
            entry = dict(entry)
            kind, expected = entry.pop("kind"), entry.pop("expected")
            self.log.add(kind, feed, self.relative(path), expected,
                         line=first_line + position(i), **entry)
        if rows:
            chunks.append(newline.join(rows) + newline)
        # A byte-order mark only at the start of a file, not before appended rows.
        codec = "utf-8" if mode == "ab" and encoding == "utf-8-sig" else encoding
        with path.open(mode) as fh:
            # Strict: a character the encoding cannot hold must fail here.
            fh.write("".join(chunks).encode(codec))
        state.rows += len(rows)
        state.lines += len(rows)
        return path

    def _row_defects(self, path: Path, state: FileState, rows: list[str],
                     info: RowInfo | None, protected: set[int]):
        """The rows after row defects, and where each original row ended up. Rows in
        `protected` (carrying a defect of the writer's own) are left alone."""
        defects = self.defects(state.feed)
        if not defects.kinds or not rows:
            return rows, (lambda i: i)
        first_line = state.lines + 1
        rows = list(rows)
        keys = info.keys if info and info.keys else [None] * len(rows)
        relative = self.relative(path)
        touched: set[int] = set(protected)
        pending: list[tuple[int, str, str, dict]] = []  # (row, kind, expected, detail)
        if "invalid_personnummer" in defects.kinds and info and info.identity:
            candidates = np.array([i for i, ident in enumerate(info.identity)
                                   if ident and i not in touched], dtype=np.int64)
            for i in candidates[defects.draw("invalid_personnummer", len(candidates))]:
                ident = info.identity[i]
                rows[i] = rows[i].replace(ident, luhn_break(ident), 1)
                touched.add(int(i))
                pending.append((int(i), "invalid_personnummer", "row_quarantined",
                                {"key": keys[i], "field": IDENTITY_FIELD.get(state.feed)}))
        if "malformed_row" in defects.kinds:
            candidates = np.array([i for i in range(len(rows)) if i not in touched],
                                  dtype=np.int64)
            for i in candidates[defects.draw("malformed_row", len(candidates))]:
                rows[i] = _malform(rows[i], state)
                touched.add(int(i))
                pending.append((int(i), "malformed_row", "row_quarantined",
                                {"key": keys[i],
                                 "field": "(row)" if state.fmt == "csv" else "(line)"}))
        position = list(range(len(rows)))
        kind = "duplicated_row" if state.fmt == "csv" else "duplicated_event"
        copies: list[tuple[int, int]] = []
        if kind in defects.kinds:
            candidates = np.array([i for i in range(len(rows)) if i not in touched],
                                  dtype=np.int64)
            chosen = candidates[defects.draw(kind, len(candidates))]
            if len(chosen):
                # A CSV row again right after itself; an event again later in the file.
                before: dict[int, list[int]] = {}
                for i in chosen:
                    at = int(i) + 1 if state.fmt == "csv" else int(
                        defects.rng.integers(int(i) + 1, len(rows) + 1))
                    before.setdefault(at, []).append(int(i))
                out: list[str] = []
                for j in range(len(rows) + 1):
                    for i in before.get(j, []):
                        copies.append((len(out), i))
                        out.append(rows[i])
                    if j < len(rows):
                        position[j] = len(out)
                        out.append(rows[j])
                rows = out
        for i, name, expected, detail in pending:
            self.log.add(name, state.feed, relative, expected, line=first_line + position[i],
                         **detail)
        expected = "row_quarantined" if state.feed == "booking_aggregates" else "loaded"
        for at, i in copies:
            self.log.add(kind, state.feed, relative, expected, line=first_line + at,
                         duplicate_of=first_line + position[i], key=keys[i])
        if pending or copies:
            self._row_damaged.add(path)
        return rows, position.__getitem__

    def mark_damaged(self, path: Path) -> None:
        """A file with a defect the feed's writer injected: no file defect on top."""
        self._row_damaged.add(path)

    # --- whole files ----------------------------------------------------------------------
    def write_file(self, feed: str, folder: str, name: str, data: bytes, rows: int, *,
                   fmt: str) -> Path:
        path = self.path(feed, folder, name)
        path.write_bytes(data)
        self.files[path] = FileState(feed, fmt, rows=rows, lines=rows)
        return path

    def register(self, path: Path, feed: str, rows: int, fmt: str) -> None:
        """A file written by its feed's own writer (ZIP archives)."""
        state = self.files.get(path)
        if state is None:
            self.files[path] = FileState(feed, fmt, rows=rows)
        else:
            state.rows += rows

    # --- file defects, once every file is complete ------------------------------------------
    def finish(self) -> None:
        by_feed: dict[str, list[Path]] = {}
        for path, state in self.files.items():
            by_feed.setdefault(state.feed, []).append(path)
        for feed in sorted(by_feed):
            defects = self.defects(feed)
            # A file gets at most one defect of its own: file defects go to files without
            # row defects, so every logged expectation holds as stated.
            paths = sorted(p for p in by_feed[feed]
                           if self.files[p].rows > 0 and p not in self._row_damaged)
            if not defects.kinds or not paths:
                continue
            rng = rng_for(self.seed, "file-defects", feed)
            if "renamed_column" in defects.kinds:
                for path in np.asarray(paths, dtype=object)[defects.draw("renamed_column",
                                                                          len(paths))]:
                    self._rename(path, rng)
            if "wrong_encoding" in defects.kinds:
                untouched = [p for p in paths if p not in self._damaged]
                for path in np.asarray(untouched, dtype=object)[
                        defects.draw("wrong_encoding", len(untouched))]:
                    self._reencode(path)
            if "truncated_file" in defects.kinds:
                untouched = [p for p in paths if p not in self._damaged]
                for path in np.asarray(untouched, dtype=object)[
                        defects.draw("truncated_file", len(untouched))]:
                    self._truncate(path, rng)

    @property
    def _damaged(self) -> set[Path]:
        return {self.out / d["file"] for d in self.log.injected
                if d["kind"] in ("renamed_column", "truncated_file", "wrong_encoding")}

    def _redeliver(self, path: Path) -> str:
        copy = redeliver(path, REDELIVERY_SUFFIX)
        state = self.files[path]
        self.files[copy] = FileState(state.feed, state.fmt, state.encoding, state.newline,
                                     state.header, state.separator, state.rows, state.lines)
        return self.relative(copy)

    def _rename(self, path: Path, rng: np.random.Generator) -> None:
        state = self.files[path]
        old, new = RENAMED_FIELD[state.feed]
        copy = self._redeliver(path)
        if state.fmt == "csv":
            raw = path.read_bytes()
            text = raw.decode(state.encoding)
            head, sep, rest = text.partition(state.newline)
            cells = head.split(state.separator)
            cells[cells.index(old)] = new
            path.write_bytes((state.separator.join(cells) + sep + rest).encode(state.encoding))
        else:
            text = path.read_bytes().decode("utf-8")
            path.write_bytes(text.replace(f'"{old}":', f'"{new}":').encode("utf-8"))
        self.log.add("renamed_column", state.feed, self.relative(path), "file_rejected",
                     column=old, renamed_to=new, redelivered_as=copy)

    def _reencode(self, path: Path) -> None:
        state = self.files[path]
        text = path.read_bytes().decode(state.encoding)
        target = "utf-8" if state.encoding == "cp1252" else "cp1252"
        path.write_bytes(text.encode(target))
        self.log.add("wrong_encoding", state.feed, self.relative(path), "loaded",
                     delivered_as=target, usual=state.encoding)
        state.encoding = target

    def _truncate(self, path: Path, rng: np.random.Generator) -> None:
        state = self.files[path]
        copy = self._redeliver(path)
        kept = truncate(path, rng, binary=state.fmt == "zip")
        self.log.add("truncated_file", state.feed, self.relative(path), "file_rejected",
                     bytes_kept=kept, redelivered_as=copy)

    # --- what was delivered ---------------------------------------------------------------
    def summary(self) -> dict[str, dict[str, int]]:
        feeds: dict[str, dict[str, int]] = {}
        for state in self.files.values():
            entry = feeds.setdefault(state.feed, {"files": 0, "rows": 0})
            entry["files"] += 1
            entry["rows"] += state.rows
        return dict(sorted(feeds.items()))


# The field a feed's identity number is in (the field ingestion names when it quarantines).
IDENTITY_FIELD = {
    "booking_csv": "Personnummer", "booking_events": "patientId",
    "booking_fhir": "participant(Patient).identifier.value",
    "engagement_index": "registeredResidentIdentification",
    "aggregator_requests": "subjectOfCare", "eservice_events": "subjectOfCare",
}
# The column or field a renamed_column defect renames, and its new name.
RENAMED_FIELD = {
    "booking_csv": ("Personnummer", "Personnr"),
    "timeslots": ("Webbokningsbara", "Webbokningsbar"),
    "telephony": ("Ärende", "Arende"),
    "booking_events": ("patientId", "patient_id"),
    "eservice_events": ("subjectOfCare", "subject_of_care"),
}


def _malform(row: str, state: FileState) -> str:
    if state.fmt == "csv":
        # Two fields run together: one separator fewer than the header has.
        first = row.find(state.separator)
        return row[:first] + row[first + 1:] if first >= 0 else row + state.separator
    # A JSON line cut off mid-object (the line break stays: one broken line, not a
    # truncated file).
    return row[: max(1, len(row) // 2)]


def zip_member_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [info.filename for info in archive.infolist()]
