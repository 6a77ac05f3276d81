"""Detect a delivery's text encoding, which regions do not declare.

Regions deliver UTF-8 with a BOM or Windows-1252. Without a BOM we check the
whole file is valid UTF-8 (streamed, so any size works); otherwise it is read
as Windows-1252, which is then checked for the five bytes cp1252 leaves
undefined. Anything else (UTF-16, binary) cannot be detected and is rejected.
"""

from __future__ import annotations

import codecs
from pathlib import Path

CHUNK = 1 << 20
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


class UndetectableEncoding(ValueError):
    pass


def detect_encoding(path: Path) -> str:
    """Return 'utf-8-sig', 'utf-8' or 'cp1252'."""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise UndetectableEncoding("UTF-16 is not a supported encoding")
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = True
        while chunk := fh.read(CHUNK):
            if b"\x00" in chunk:
                raise UndetectableEncoding("file contains NUL bytes: binary or UTF-16 text")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and _CP1252_UNDEFINED.intersection(chunk):
                raise UndetectableEncoding("neither UTF-8 nor Windows-1252")
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                # A multi-byte character cut off at the end: a truncated file.
                raise UndetectableEncoding("file ends inside a UTF-8 character (truncated)") from None
        return "utf-8" if utf8 else "cp1252"


def transcode_to_utf8(source: Path, target: Path, encoding: str) -> None:
    """Stream-convert a file to UTF-8 so the columnar reader can take it."""
    with source.open("r", encoding=encoding, newline="") as src, target.open(
        "w", encoding="utf-8", newline=""
    ) as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
