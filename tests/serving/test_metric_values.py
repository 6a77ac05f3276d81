"""The query layer over a real serving file: re-aggregation, filters, validation, connections."""

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from tidbok import config
from tidbok.serving import (
    InvalidPeriod,
    InvalidQuery,
    InvalidRegion,
    MetricSpec,
    Scope,
    ScopeNotSupported,
    ServingContractBroken,
    ServingError,
    ServingNotPublished,
    UnknownDimension,
    UnknownMetric,
    metric_values,
    publish_info,
    regions,
    serving_connection,
)
from tidbok.serving.registry import METRICS
from tidbok.serving.sample import write_serving_file

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)

# Counts that are multiples of 5 and >= 10 pass disclosure control unchanged, so these
# tests see the re-aggregation itself. The two channels have very different sizes: the
# pooled rate (110/1100 = 0.1) differs from the mean of the channel rates (0.3).
LARGE_ROWS = [
    ("13", JAN, "eservice", 100, 1000),  # 0.10
    ("13", JAN, "phone", 10, 100),  # 0.10
    ("13", FEB, "eservice", 50, 1000),  # 0.05
    ("13", FEB, "phone", 55, 100),  # 0.55
    ("01", FEB, "eservice", 200, 2000),
    ("01", MAR, "eservice", 300, 2000),
]


@pytest.fixture
def large_serving_file(tidbok_home: Path) -> Path:
    return write_serving_file(config.serving_path(), LARGE_ROWS)


def test_without_by_parts_are_summed_over_channels_never_rates_averaged(
    large_serving_file: Path,
) -> None:
    rows = metric_values("no_show_rate", region="13")
    assert rows == [
        {
            "period": "2025-01",
            "region": "13",
            "numerator": 110,
            "denominator": 1100,
            "value": 0.1,
            "suppressed": False,
            "rounded": True,
        },
        {
            "period": "2025-02",
            "region": "13",
            "numerator": 105,
            "denominator": 1100,
            "value": 0.095,  # not (0.05 + 0.55) / 2
            "suppressed": False,
            "rounded": True,
        },
    ]


def test_by_channel_gives_one_row_per_channel(large_serving_file: Path) -> None:
    rows = metric_values("no_show_rate", region="13", period_from="2025-02", by=["channel"])
    assert [(r["period"], r["region"], r["channel"], r["value"]) for r in rows] == [
        ("2025-02", "13", "eservice", 0.05),
        ("2025-02", "13", "phone", 0.55),
    ]
    assert list(rows[0]) == [
        "period",
        "region",
        "channel",
        "numerator",
        "denominator",
        "value",
        "suppressed",
        "rounded",
    ]


def test_all_regions_ordered_by_region_then_period(large_serving_file: Path) -> None:
    rows = metric_values("no_show_rate")
    assert [(r["region"], r["period"]) for r in rows] == [
        ("01", "2025-02"),
        ("01", "2025-03"),
        ("13", "2025-01"),
        ("13", "2025-02"),
    ]


def test_period_bounds_are_inclusive_months(large_serving_file: Path) -> None:
    rows = metric_values("no_show_rate", period_from="2025-02", period_to="2025-02")
    assert {r["period"] for r in rows} == {"2025-02"}
    assert len(rows) == 2


def test_repeated_by_dimensions_count_once(large_serving_file: Path) -> None:
    rows = metric_values("no_show_rate", region="01", by=("channel", "channel"))
    assert len(rows) == 2
    assert metric_values("no_show_rate", region="01", by="channel") == rows


def test_a_valid_region_without_data_gives_no_rows(large_serving_file: Path) -> None:
    assert metric_values("no_show_rate", region="25") == []


def test_disclosure_control_is_applied(serving_file: Path) -> None:
    # Norrbotten's sample cells are small: some numerators are 1-9.
    rows = metric_values("no_show_rate", region="25", by=["channel"])
    assert any(r["suppressed"] for r in rows)
    for row in rows:
        for part in ("numerator", "denominator"):
            assert row[part] is None or (row[part] % 5 == 0 and not 1 <= row[part] <= 9)
        assert (row["value"] is None) == row["suppressed"]


def test_no_channel_is_the_only_hidden_cell_of_a_served_total(serving_file: Path) -> None:
    rows = metric_values("no_show_rate", region="25", by=["channel"])
    for period in {r["period"] for r in rows}:
        hidden = [r for r in rows if r["period"] == period and r["numerator"] is None]
        assert len(hidden) != 1


@pytest.mark.parametrize(
    ("kwargs", "error", "hint"),
    [
        ({"metric_id": "no_shows"}, UnknownMetric, "no_show_rate"),
        ({"by": ["age_band"]}, UnknownDimension, "channel"),
        ({"by": ["region"]}, UnknownDimension, "always"),
        ({"region": "1"}, InvalidRegion, "two digits"),
        ({"region": "Halland"}, InvalidRegion, "two digits"),
        ({"region": "02"}, InvalidRegion, "01, 13, 25"),
        ({"period_from": "2025-3"}, InvalidPeriod, "YYYY-MM"),
        ({"period_to": "2025-13"}, InvalidPeriod, "YYYY-MM"),
        ({"period_from": "2025-03-01"}, InvalidPeriod, "YYYY-MM"),
        ({"period_from": "2025-03", "period_to": "2025-01"}, InvalidPeriod, "after"),
    ],
)
def test_invalid_queries_raise_typed_errors_that_say_what_to_send(
    serving_file: Path, kwargs: dict, error: type[Exception], hint: str
) -> None:
    kwargs = {"metric_id": "no_show_rate", **kwargs}
    with pytest.raises(error, match=hint):
        metric_values(**kwargs)


def test_more_than_one_by_dimension_is_refused(
    serving_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = MetricSpec("two_dims", "marts.no_show_rate", {"channel": "booking_channel", "x": "x"})
    monkeypatch.setitem(METRICS, "two_dims", spec)
    with pytest.raises(InvalidQuery, match="At most 1"):
        metric_values("two_dims", by=["channel", "x"])


def test_only_the_public_scope_is_served_so_far(serving_file: Path) -> None:
    with pytest.raises(ScopeNotSupported):
        metric_values("no_show_rate", scope=Scope.parse("region:13"))
    with pytest.raises(ScopeNotSupported):
        Scope.parse("admin")
    assert str(Scope.parse("region:13")) == "region:13"


def test_nothing_published_yet_is_its_own_error(tidbok_home: Path) -> None:
    with pytest.raises(ServingNotPublished, match="publish"):
        metric_values("no_show_rate")
    with pytest.raises(ServingNotPublished):
        publish_info()


def test_a_file_without_the_contract_tables_is_reported(tidbok_home: Path) -> None:
    duckdb.connect(str(config.serving_path())).close()  # an empty database
    with pytest.raises(ServingContractBroken, match="marts.no_show_rate"):
        metric_values("no_show_rate")
    with pytest.raises(ServingContractBroken):
        publish_info()
    with pytest.raises(ServingContractBroken):
        regions()


def test_publish_info_and_regions(serving_file: Path) -> None:
    info = publish_info()
    assert (info.version, info.published_at) == ("sample-1", datetime(2025, 4, 1, 6, 0))
    assert [r.code for r in regions()] == ["01", "13", "25"]


def test_readers_hold_no_connection_between_calls(serving_file: Path) -> None:
    metric_values("no_show_rate", by=["channel"])
    publish_info()
    # DuckDB allows one writer or many readers: a writer can open the file only if every
    # reader has closed its connection (DESIGN.md decision 2).
    duckdb.connect(str(serving_file)).close()


def test_a_new_publish_is_seen_by_the_next_call(serving_file: Path) -> None:
    assert publish_info().version == "sample-1"
    write_serving_file(serving_file, LARGE_ROWS, version="sample-2")
    assert publish_info().version == "sample-2"
    assert {r["region"] for r in metric_values("no_show_rate")} == {"01", "13"}


def test_a_file_that_is_not_a_database_is_a_serving_error(tidbok_home: Path) -> None:
    config.serving_path().write_text("not a database")
    with pytest.raises(ServingError, match="could not be opened"):
        publish_info()


def test_a_publish_during_a_long_read_is_seen_by_new_readers(serving_file: Path) -> None:
    # DESIGN.md decision 3: readers that opened the old file finish on it; new readers see
    # the new one, even while an old reader is still open in the same process.
    with serving_connection() as old_reader:
        write_serving_file(serving_file, LARGE_ROWS, version="sample-2")
        assert publish_info().version == "sample-2"
        assert publish_info(old_reader).version == "sample-1"


def test_readers_cannot_write_or_reach_other_files(serving_file: Path) -> None:
    with serving_connection() as con:
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE marts.scratch (x INTEGER)")
        with pytest.raises(duckdb.Error):
            con.execute("SELECT * FROM read_csv('/etc/hostname')")
