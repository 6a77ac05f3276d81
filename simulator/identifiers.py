"""Identifiers as real systems issue them: personnummer, samordningsnummer,
reservnummer and HSA-ids, generated in bulk (numpy) and unique.

Ingestion validates these exactly as it would real ones, so every generated
personnummer and samordningsnummer must pass the Luhn check on its last ten
digits and carry a real birth date; reservnummer deliberately do not.
"""

from __future__ import annotations

import numpy as np
import polars as pl

PERSONNUMMER, SAMORDNINGSNUMMER, RESERVNUMMER = 0, 1, 2
ID_KINDS = ("personnummer", "samordningsnummer", "reservnummer")

_LUHN_WEIGHTS = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2], dtype=np.int64)
_HSA_ALPHABET = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
# Letters regions use in position 9 of their reservnummer.
_RESERVE_LETTERS = np.array(list("RKTX"))


def luhn_check_digits(first_nine: np.ndarray) -> np.ndarray:
    """Check digit for each row of an (n, 9) digit array (the YYMMDDNNN of a personnummer)."""
    products = first_nine * _LUHN_WEIGHTS
    total = (products // 10 + products % 10).sum(axis=1)
    return (10 - total % 10) % 10


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers) % 10


def identity_numbers(birth_date: np.ndarray, male: np.ndarray, kind: np.ndarray,
                     rng: np.random.Generator) -> pl.Series:
    """Unique 12-character identifiers (no separator) as a Polars string Series.

    birth_date: datetime64[D]; male: bool; kind: PERSONNUMMER / SAMORDNINGSNUMMER /
    RESERVNUMMER per person. Uniqueness is checked on integer keys (one per possible
    text), so the whole country's numbers take seconds.
    """
    n = len(birth_date)
    years = birth_date.astype("datetime64[Y]").astype(np.int64) + 1970
    months = birth_date.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (birth_date - birth_date.astype("datetime64[M]")).astype(np.int64) + 1
    day_field = days + np.where(kind == SAMORDNINGSNUMMER, 60, 0)
    date_part = years * 10_000 + months * 100 + day_field  # YYYYMMDD (day+60 for samordning)

    numeric = kind != RESERVNUMMER
    keys = np.zeros(n, dtype=np.int64)
    letter = np.zeros(n, dtype=np.int64)
    tail = np.zeros(n, dtype=np.int64)
    serial = np.zeros(n, dtype=np.int64)
    pending = np.arange(n)
    # Draw serials until every number is unique; collisions are rare, so this loops
    # a handful of times over ever fewer people.
    while len(pending):
        # 001-999 with the last digit's parity giving legal sex (odd = male); 000 is never
        # issued.
        draw = rng.integers(1, 500, size=len(pending)) * 2 - 1 + np.where(male[pending], 0, 1)
        serial[pending] = draw
        keys[pending] = _numeric_keys(date_part[pending], serial[pending])
        reserve = pending[~numeric[pending]]
        if len(reserve):
            letters = rng.choice(_RESERVE_LETTERS, size=len(reserve))
            letter[reserve] = np.argmax(letters[:, None] == _RESERVE_LETTERS, axis=1)
            tail[reserve] = rng.integers(0, 1000, size=len(reserve))
            # Above every 12-digit number: a reservnummer's key never equals a numeric one.
            keys[reserve] = (10**12 + (date_part[reserve] * len(_RESERVE_LETTERS)
                                       + letter[reserve]) * 1000 + tail[reserve])
        _, first_index = np.unique(keys, return_index=True)
        duplicated = np.ones(n, dtype=bool)
        duplicated[first_index] = False  # the first holder keeps the number
        pending = np.flatnonzero(duplicated)
    frame = pl.DataFrame({"key": keys, "numeric": numeric, "date": date_part,
                          "letter": _RESERVE_LETTERS[letter], "tail": tail})
    return frame.select(
        pl.when(pl.col("numeric")).then(pl.col("key").cast(pl.String))
        .otherwise(pl.col("date").cast(pl.String) + pl.col("letter")
                   + pl.col("tail").cast(pl.String).str.zfill(3)).alias("identity")
    ).to_series()


def _numeric_keys(date_part: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """YYYYMMDDNNNC as an integer: the date, the serial and the Luhn check digit."""
    ten = (date_part % 1_000_000) * 1000 + serial  # YYMMDDNNN
    return date_part * 10_000 + serial * 10 + luhn_check_of_numbers(ten)


def luhn_check_of_numbers(nine_digits: np.ndarray) -> np.ndarray:
    """luhn_check_digits for numbers YYMMDDNNN, digit by digit: memory of a few vectors
    rather than an (n, 9) table, which matters for the whole country."""
    value = np.array(nine_digits, dtype=np.int64)
    total = np.zeros(len(value), dtype=np.int64)
    for position in range(9):  # from the last digit, whose weight is 2
        product = (value % 10) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
        value //= 10
    return (10 - total % 10) % 10


def hsa_suffixes(n: int, rng: np.random.Generator, taken: set[str] | None = None,
                 lengths: tuple[int, ...] = (4, 5)) -> list[str]:
    """n distinct HSA-id suffixes of uppercase letters and digits, none in `taken`."""
    taken = set() if taken is None else taken
    out: list[str] = []
    while len(out) < n:
        need = n - len(out)
        length = rng.choice(lengths, size=need)
        chars = rng.choice(_HSA_ALPHABET, size=(need, max(lengths)))
        for row, size in zip(chars, length, strict=True):
            suffix = "".join(row[:size])
            if suffix not in taken:
                taken.add(suffix)
                out.append(suffix)
    return out
