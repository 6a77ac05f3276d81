"""Vectorised pseudonymisation of a column of personal identifiers.

Each distinct identifier is parsed once (valid? which type? birth date, sex)
and replaced by its keyed pseudonym; the clear value never leaves this module.
"""

from __future__ import annotations

import polars as pl

from ingestion.personnummer import InvalidPersonId, parse_person_id
from ingestion.pseudonym import pseudonym_key, pseudonymise


def resolve_people(ids: pl.Series) -> pl.DataFrame:
    """Map each distinct raw identifier to its pseudonym and derived facts.

    Returns a frame keyed by the raw value (column `raw_id`) to join back and
    then drop at once. Invalid identifiers get a pseudonym of their text too,
    so a quarantined row can be traced without showing the number.
    """
    key = pseudonym_key()
    rows = []
    for raw in ids.drop_nulls().unique().to_list():
        try:
            person = parse_person_id(raw)
            rows.append((raw, pseudonymise(person.normalised, key), person.id_type,
                         person.birth_date, person.sex, None))
        except InvalidPersonId as exc:
            rows.append((raw, pseudonymise("invalid:" + raw.strip(), key), None, None, None,
                         f"invalid personal identity number: {exc}"))
    return pl.DataFrame(
        rows, orient="row",
        schema={"raw_id": pl.String, "patient_pseudonym": pl.String, "patient_id_type": pl.String,
                "birth_date": pl.Date, "sex": pl.String, "person_error": pl.String},
    )
