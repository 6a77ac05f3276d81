"""Parse Swedish personal identity numbers without ever keeping them.

Personnummer, samordningsnummer (day + 60) and reservnummer (letters in position
9) are read here only to derive birth year, legal sex and the identifier type,
and to be checked; the caller pseudonymises the normalised form immediately.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# 12 digits, optionally with a separator between date and serial, or the
# 10-digit form whose separator says the century ("+" = 100 years or older).
_LONG = re.compile(r"^(\d{8})[-+]?(\d{4})$")
_SHORT = re.compile(r"^(\d{6})([-+]?)(\d{4})$")
# Reservnummer: regions' own formats; common to them is a birth date followed
# by a serial where position 9 (the first serial character) is a letter.
_RESERVE = re.compile(r"^(\d{8})-?([A-Za-z][A-Za-z0-9]{3})$")


@dataclass(frozen=True)
class PersonId:
    normalised: str  # 12 characters, no separator: the input to the pseudonym
    id_type: str  # personnummer | samordningsnummer | reservnummer
    birth_date: dt.date | None
    sex: str | None  # "M" or "F" (legal sex from the serial), None when unknown


class InvalidPersonId(ValueError):
    """Raised with a reason that never contains the number itself."""


def luhn_valid(ten_digits: str) -> bool:
    total = 0
    for i, ch in enumerate(ten_digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _birth_date(yyyymmdd: str) -> tuple[dt.date | None, bool]:
    """Return (date, is_coordination_number)."""
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    coordination = day > 60
    if coordination:
        day -= 60
    try:
        return dt.date(year, month, day), coordination
    except ValueError:
        return None, coordination


def parse_person_id(raw: str, today: dt.date | None = None) -> PersonId:
    """Validate and classify one identifier; raise InvalidPersonId with a reason."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPersonId("missing")
    if m := _RESERVE.match(text):
        birth, _ = _birth_date(m.group(1))
        if birth is None:
            raise InvalidPersonId("reservnummer with an impossible birth date")
        return PersonId(m.group(1) + m.group(2).upper(), "reservnummer", birth, None)
    if m := _LONG.match(text):
        digits = m.group(1) + m.group(2)
    elif m := _SHORT.match(text):
        digits = _with_century(m.group(1), m.group(2), m.group(3), today or dt.date.today())
    else:
        raise InvalidPersonId("not 10 or 12 digits")
    birth, coordination = _birth_date(digits[:8])
    if birth is None:
        raise InvalidPersonId("impossible birth date")
    if digits[8:11] == "000":
        raise InvalidPersonId("serial number 000 is never issued")
    if not luhn_valid(digits[2:]):
        raise InvalidPersonId("check digit (Luhn) does not match")
    sex = "M" if int(digits[10]) % 2 == 1 else "F"
    kind = "samordningsnummer" if coordination else "personnummer"
    return PersonId(digits, kind, birth, sex)


def _with_century(yymmdd: str, sep: str, serial: str, today: dt.date) -> str:
    """Infer the century of a 10-digit number the way Skatteverket writes them."""
    yy = int(yymmdd[:2])
    century = today.year // 100
    year = century * 100 + yy
    if year > today.year:
        year -= 100
    if sep == "+":
        year -= 100
    return f"{year:04d}{yymmdd[2:]}{serial}"
