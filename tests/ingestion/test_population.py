"""population through the gate: residents by region, year, the product's age bands and sex."""

import datetime as dt

from ingestion.feeds.population import COLUMNS
from ingestion.runner import ingest_landing
from tests.ingestion.around_booking import lake, lake_parts, ledger, quarantine, write_landing
from tidbok import codes


def write(home, rows, name="folkmangd.csv", header=COLUMNS):
    return write_landing(home, "population", name, [",".join(header), *rows], region="national")


def test_every_product_age_band_and_both_sexes_are_loaded(tidbok_home):
    labels = [label for _, _, label in codes.AGE_BANDS]
    write(tidbok_home, [f"01,2024,{label},{sex},1000" for label in labels for sex in ("1", "2")]
          + ["25,2023,80+,män,7", "25,2023,0-17,kvinnor,8", "25,2023,0-17,K,9"])
    summary = ingest_landing()
    assert (summary.rows_loaded, summary.rows_quarantined) == (15, 0)
    rows = lake(tidbok_home, "population")
    assert rows["age_band"].to_list()[:12:2] == labels
    assert rows["sex"].to_list()[:2] == ["M", "F"]
    assert rows["sex"].to_list()[12:] == ["M", "F", "F"]
    first = rows.row(0, named=True)
    assert (first["region_code"], first["year"], first["residents"]) == ("01", 2024, 1000)
    # No date in the name: SCB counts residents on 31 December of the latest year.
    assert set(rows["delivery_date"]) == {dt.date(2024, 12, 31)}
    assert lake_parts(tidbok_home, "population") == ["region=national/day=2024-12-31"]


def test_bad_rows_are_quarantined(tidbok_home):
    write(tidbok_home, ["00,2024,0-17,1,100", "01,24,0-17,1,100", "01,2024,0-19,1,100",
                        "01,2024,0-17,totalt,100", "01,2024,0-17,1,-5", "01,2024,0-17,1",
                        "01,2024,18-29,2,100"], name="folkmangd_2025-02-20.csv")
    summary = ingest_landing()
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (7, 1, 6)
    q = quarantine(tidbok_home)
    assert q["field"].to_list() == ["regionkod", "ar", "aldersgrupp", "kon", "antal", "(row)"]
    assert q["reason"][2] == "aldersgrupp: not one of 0-17, 18-29, 30-49, 50-64, 65-79, 80+"
    assert ledger(tidbok_home)["partition_day"][0] == dt.date(2025, 2, 20)


def test_renamed_column_rejects_the_file_naming_it(tidbok_home):
    write(tidbok_home, ["01,2024,0-17,1,100"],
          header=["regionkod", "ar", "alder", "kon", "antal"])
    assert ingest_landing().files_rejected == 1
    assert "missing column(s) aldersgrupp" in ledger(tidbok_home)["message"][0]
