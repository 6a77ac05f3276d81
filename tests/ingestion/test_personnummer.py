import datetime as dt
import json

import pytest

from ingestion.personnummer import InvalidPersonId, luhn_valid, parse_person_id

FORMATS = ("long_format", "short_format", "separated_format", "separated_long")


def vectors(reference_dir):
    return json.loads((reference_dir / "personnummer-testdata.json").read_text())


def test_shared_test_vectors_validate_as_published(reference_dir):
    checked = 0
    for vector in vectors(reference_dir):
        for fmt in FORMATS:
            text = vector[fmt]
            if vector["valid"]:
                person = parse_person_id(text, today=dt.date(2026, 1, 1))
                assert (person.sex == "M") == vector["isMale"], text
                assert (person.id_type == "samordningsnummer") == (vector["type"] == "con"), text
            else:
                with pytest.raises(InvalidPersonId):
                    parse_person_id(text, today=dt.date(2026, 1, 1))
            checked += 1
    assert checked == 13 * 4


def test_all_formats_of_one_number_normalise_alike(reference_dir):
    # The 10-digit form without a separator cannot say its century, so it is
    # left out: only the separator ("-" or "+") carries it.
    century_bearing = ("long_format", "separated_format", "separated_long")
    for vector in vectors(reference_dir):
        if not vector["valid"]:
            continue
        normalised = {parse_person_id(vector[f], dt.date(2026, 1, 1)).normalised
                      for f in century_bearing}
        assert normalised == {vector["long_format"]}


def test_plus_sign_means_a_hundred_years_older():
    assert parse_person_id("121212+1212", dt.date(2026, 1, 1)).birth_date.year == 1912
    assert parse_person_id("121212-1212", dt.date(2026, 1, 1)).birth_date.year == 2012


def test_reservnummer_keeps_birth_date_but_no_sex():
    person = parse_person_id("19850101-R123")
    assert person.id_type == "reservnummer"
    assert person.birth_date == dt.date(1985, 1, 1)
    assert person.sex is None


@pytest.mark.parametrize("bad", ["", "abc", "1912121212", "19121312-1212", "19121212-1213"])
def test_invalid_numbers_are_rejected_without_echoing_the_number(bad):
    with pytest.raises(InvalidPersonId) as err:
        parse_person_id(bad, dt.date(2026, 1, 1))
    if bad:
        assert bad not in str(err.value)


def test_luhn():
    assert luhn_valid("8112189876")
    assert not luhn_valid("8112189875")


@pytest.mark.parametrize("text", ["19360119R434", "20170424K043", "19490526-T820"])
def test_reservnummer_letter_in_position_nine(text):
    person = parse_person_id(text)
    assert person.id_type == "reservnummer" and person.normalised == text.replace("-", "")
