"""Read JSON feeds record by record with exact positions, and check their shape.

JSON Lines are read in batches of lines (bounded memory, line numbers kept), so
one broken line is quarantined instead of failing the file; a one-document file
(platform statistics) has its big array streamed element by element. Shapes are
checked by a small declarative spec: required fields, JSON types, and fields
the contract does not know (a renamed field is schema drift).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingestion.delimited import FileRejected
from ingestion.privacy import scrub_text

try:  # C-speed parsing when available (a dependency of dagster-dbt); same strictness
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    _loads = json.loads

BATCH_LINES = 100_000
_BOM = b"\xef\xbb\xbf"


# ---------------------------------------------------------------- JSON Lines


@dataclass
class LineBatch:
    records: list[tuple[int, dict]]  # (line number, parsed object)
    broken: list[tuple[int, str]]  # (line number, why it is not a JSON object)

    @property
    def rows_read(self) -> int:
        return len(self.records) + len(self.broken)


def iter_json_lines(path: Path, batch_lines: int = BATCH_LINES) -> Iterator[LineBatch]:
    """Yield batches of parsed lines; blank lines are not records.

    A last line with no line break that does not parse is a file cut off
    mid-write: the whole file is rejected, as for the CSV feeds."""
    batch = LineBatch([], [])
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            if not raw.strip():
                continue
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                batch.broken.append((number, "not valid UTF-8"))
                continue
            try:
                value = _loads(raw)
            except ValueError as exc:  # JSONDecodeError: position only, never content
                if not raw.endswith(b"\n"):
                    raise FileRejected(f"truncated: the last line ({number}) is incomplete "
                                       "JSON and the file does not end with a line break"
                                       ) from None
                batch.broken.append((number, f"not valid JSON: {_position_only(exc)}"))
            else:
                if isinstance(value, dict):
                    batch.records.append((number, value))
                else:
                    batch.broken.append((number, f"not a JSON object but {json_type(value)}"))
            if batch.rows_read >= batch_lines:
                yield batch
                batch = LineBatch([], [])
    if batch.rows_read:
        yield batch


def count_json_lines(path: Path) -> int:
    """Records in a file rejected whole: its non-blank lines."""
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def _position_only(exc: ValueError) -> str:
    msg = getattr(exc, "msg", None)
    if msg is None:
        return "unparseable"
    return f"{msg} at column {getattr(exc, 'colno', '?')}"


# ---------------------------------------------------------------- shapes


@dataclass(frozen=True)
class Field:
    kind: str  # string | integer | number | boolean | array | object
    required: bool = True
    nullable: bool = False


# Exact Python types per JSON kind (type() identity, so a boolean is never an integer).
_KINDS = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def shape_errors(obj: dict, spec: dict[str, Field], prefix: str = "") -> list[str]:
    """Every way `obj` breaks `spec`, as "field: problem" (values never quoted).

    A required string that is empty counts as missing. Runs once per record, so
    the common case (every field present and of its type) is the fast path."""
    errors = []
    present = 0
    for name, field in spec.items():
        value = obj.get(name, _ABSENT)
        kind = type(value)
        present += value is not _ABSENT
        if kind in _KINDS[field.kind]:
            if kind is str and field.required and not value.strip():
                errors.append(f"{prefix}{name}: missing (empty)")
            continue
        if value is _ABSENT:
            if field.required:
                errors.append(f"{prefix}{name}: missing")
        elif value is None:
            if field.required and not field.nullable:
                errors.append(f"{prefix}{name}: missing (null)")
        else:
            errors.append(f"{prefix}{name}: expected {field.kind}, got {json_type(value)}")
    if len(obj) > present:
        errors += [f"{prefix}{_safe_key(name)}: unexpected field" for name in obj
                   if name not in spec]
    return errors


_ABSENT = object()


def _safe_key(name: str) -> str:
    return (scrub_text(name) or "")[:40]


def check_drift(objects: list[dict], spec: dict[str, Field], where: str) -> None:
    """Reject the file when its records do not follow the contract at all: a
    required field absent from every record, or a field unknown to the contract
    present in every record (a renamed field). Checked on the first batch."""
    if not objects:
        return
    missing = [n for n, f in spec.items() if f.required and all(n not in o for o in objects)]
    keys = set().union(*(o.keys() for o in objects))
    unexpected = sorted(k for k in keys - spec.keys() if all(k in o for o in objects))
    detail = []
    if missing:
        detail.append("missing field(s) " + ", ".join(missing))
    if unexpected:
        detail.append("unexpected field(s) " + ", ".join(repr(_safe_key(k)) for k in unexpected))
    if detail:
        raise FileRejected(f"{where} do not match the contract in any record: "
                           + "; ".join(detail))


# ---------------------------------------------------------------- quarantine records


def masked_json(obj, identifier_keys: frozenset[str], pseudonyms: dict[str, str]) -> str:
    """A rejected record as JSON: every personal identifier replaced by its pseudonym
    (`<key> (pseudonym)`), every other string scrubbed of identifier-like numbers."""
    return json.dumps(_mask(obj, identifier_keys, pseudonyms), ensure_ascii=False)


def _mask(value, keys: frozenset[str], pseudonyms: dict[str, str]):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in keys:
                out[f"{k} (pseudonym)"] = pseudonyms.get(v) if isinstance(v, str) else None
            else:
                out[scrub_text(k)] = _mask(v, keys, pseudonyms)
        return out
    if isinstance(value, list):
        return [_mask(v, keys, pseudonyms) for v in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


# ---------------------------------------------------------------- one big document


_CHUNK = 1 << 20
_MAX_VALUE = 16 << 20  # one element larger than this is not a statistics entry
_WS = " \t\r\n"


class _Cursor:
    """Incremental reader over a JSON text: raw_decode one value at a time,
    reading more of the file when a value runs past the buffer."""

    def __init__(self, fh):
        self.fh, self.buf, self.pos, self.eof = fh, "", 0, False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.eof:
            return False
        if len(self.buf) - self.pos > _MAX_VALUE:
            raise FileRejected("not valid JSON: a single value runs past 16 MiB")
        chunk = self.fh.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def expect(self, char: str, context: str) -> None:
        if self.peek() != char:
            found = self.peek()
            raise FileRejected(f"not valid JSON: expected {char!r} {context}, found "
                               + (repr(found) if found else "the end of the file (truncated?)"))
        self.pos += 1

    def value(self):
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise FileRejected(f"not valid JSON (truncated?): {exc.msg}") from None
            if end == len(self.buf) and not self.eof and self._more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value


def iter_document(path: Path, array_key: str) -> Iterator[tuple[str, object]]:
    """Stream one JSON object document: yields (key, value) for its members, except
    that the array under `array_key` is yielded element by element as
    (array_key, element), so the array can be of any length. Invalid or
    truncated JSON rejects the file."""
    with path.open("r", encoding="utf-8-sig") as fh:
        cursor = _Cursor(fh)
        cursor.expect("{", "at the start of the document")
        if cursor.peek() == "}":
            cursor.pos += 1
        else:
            while True:
                key = cursor.value()
                if not isinstance(key, str):
                    raise FileRejected("not valid JSON: an object key is not a string")
                cursor.expect(":", "after a key")
                if key == array_key and cursor.peek() == "[":
                    cursor.pos += 1
                    if cursor.peek() == "]":
                        cursor.pos += 1
                    else:
                        while True:
                            yield key, cursor.value()
                            if cursor.peek() == ",":
                                cursor.pos += 1
                                continue
                            cursor.expect("]", f"to close {array_key}")
                            break
                else:
                    yield key, cursor.value()
                if cursor.peek() == ",":
                    cursor.pos += 1
                    continue
                cursor.expect("}", "to close the document")
                break
        if cursor.peek() != "":
            raise FileRejected("not valid JSON: text after the end of the document")
