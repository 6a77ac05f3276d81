"""A minimal, fast ZIP writer that appends members to an archive across calls.

The national ZIP of a day receives the members of each region in turn; Python's
zipfile costs tens of microseconds per member, which at hundreds of thousands of
small XML members is most of a run. Members are raw-deflated with zlib and the
central directory is rewritten after each append. Plain ZIP (no ZIP64): an
archive stays below 65 000 members and 4 GiB, callers start a new part beyond.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

MAX_MEMBERS = 65_000
_EOCD = struct.Struct("<IHHHHIIH")
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")


def _dos_time(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> tuple[int, int]:
    return (hour << 11) | (minute << 5), ((year - 1980) << 9) | (month << 5) | day


def member_count(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as fh:
        fh.seek(-_EOCD.size, 2)
        return _EOCD.unpack(fh.read(_EOCD.size))[4]


def append_members(path: Path, members: list[tuple[str, bytes]],
                   date: tuple[int, int, int], level: int = 1) -> None:
    """Add (name, data) members to the archive at `path`, creating it if needed."""
    dos_time, dos_date = _dos_time(*date)
    central = b""
    count = 0
    offset = 0
    if path.exists():
        with path.open("rb") as fh:
            fh.seek(-_EOCD.size, 2)
            (_, _, _, _, count, cd_size, cd_offset, _) = _EOCD.unpack(fh.read(_EOCD.size))
            fh.seek(cd_offset)
            central = fh.read(cd_size)
        offset = cd_offset
    if count + len(members) > MAX_MEMBERS:
        raise ValueError(f"{path.name}: more than {MAX_MEMBERS} members")
    parts = []
    new_central = []
    start = offset
    for name, data in members:
        raw = name.encode("ascii")
        packed = zlib.compress(data, level, wbits=-15)
        crc = zlib.crc32(data)
        local = _LOCAL.pack(0x04034B50, 20, 0, 8, dos_time, dos_date, crc, len(packed),
                            len(data), len(raw), 0) + raw
        new_central.append(_CENTRAL.pack(0x02014B50, 20, 20, 0, 8, dos_time, dos_date, crc,
                                         len(packed), len(data), len(raw), 0, 0, 0, 0, 0,
                                         offset) + raw)
        parts.append(local)
        parts.append(packed)
        offset += len(local) + len(packed)
    central += b"".join(new_central)
    count += len(members)
    end = _EOCD.pack(0x06054B50, 0, 0, count, count, len(central), offset, 0)
    mode = "r+b" if path.exists() else "wb"
    with path.open(mode) as fh:
        if mode == "r+b":
            fh.seek(start)
            fh.truncate()
        fh.write(b"".join(parts))
        fh.write(central)
        fh.write(end)
