"""The query layer over a real serving file: re-aggregation, grains, scopes, filters, errors."""

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from tidbok import config
from tidbok.serving import (
    NATIONAL,
    InvalidPeriod,
    InvalidQuery,
    InvalidRegion,
    NotYetPublished,
    OutOfScope,
    Scope,
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

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
HALLAND = Scope.parse("region:13")

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
def large_serving_file(tidbok_home: Path, sample_files) -> Path:
    return sample_files(config.serving_path(), LARGE_ROWS)


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


def test_region_00_is_the_national_total(large_serving_file: Path) -> None:
    rows = metric_values("no_show_rate", region="00", period_from="2025-02", period_to="2025-02")
    assert [(r["region"], r["numerator"], r["denominator"]) for r in rows] == [("00", 305, 3100)]


@pytest.mark.parametrize(
    ("grain", "periods", "numerators"),
    [
        ("quarter", ["2025-Q1"], [215]),
        ("year", ["2025"], [215]),
        ("month", ["2025-01", "2025-02"], [110, 105]),
    ],
)
def test_quarter_and_year_re_aggregate_the_months(
    large_serving_file: Path, grain: str, periods: list[str], numerators: list[int]
) -> None:
    rows = metric_values("no_show_rate", region="13", grain=grain)
    assert [r["period"] for r in rows] == periods
    assert [r["numerator"] for r in rows] == numerators


def test_bounds_select_whole_periods_that_overlap(large_serving_file: Path) -> None:
    # A quarter is never cut in part: from=2025-02 still gives the whole Q1.
    rows = metric_values("no_show_rate", region="13", grain="quarter", period_from="2025-02")
    assert [(r["period"], r["numerator"]) for r in rows] == [("2025-Q1", 215)]
    assert (
        metric_values("no_show_rate", region="13", period_from="2025-Q1", period_to="2025-01")[0][
            "period"
        ]
        == "2025-01"
    )


def test_period_bounds_are_inclusive_months(large_serving_file: Path) -> None:
    rows = metric_values("no_show_rate", period_from="2025-02", period_to="2025-02")
    assert {r["period"] for r in rows} == {"2025-02"}
    assert len(rows) == 2


def test_repeated_and_reordered_by_dimensions_are_one_table(serving_file: Path) -> None:
    rows = metric_values("no_show_rate", region="01", by=("channel", "channel"))
    assert len(rows) == 9
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


def test_a_cell_is_served_alike_in_every_response_that_holds_it(serving_file: Path) -> None:
    def key(row: dict) -> tuple:
        return (row["period"], row["region"], row.get("channel"))

    everywhere = {key(r): r for r in metric_values("no_show_rate", by=["channel"])}
    for region in ("01", "13", "25"):
        for row in metric_values(
            "no_show_rate",
            region=region,
            by=["channel"],
            period_from="2025-02",
            period_to="2025-03",
        ):
            assert everywhere[key(row)] == row


def test_sum_metrics_add_values_and_control_them(serving_file: Path) -> None:
    rows = metric_values("bokade_tider_views", region="01", by=["view_type"], grain="year")
    assert {r["view_type"] for r in rows} == {"view_upcoming", "view_history"}
    for row in rows:
        assert row["numerator"] is None and row["denominator"] is None
        assert row["value"] is None or row["value"] % 5 == 0
    uncontrolled = metric_values("bokade_tider_views", region="01", grain="year", scope=NATIONAL)
    assert uncontrolled[0]["rounded"] is False
    raw = duckdb.connect(str(serving_file), read_only=True)
    try:
        total = raw.execute(
            "SELECT sum(value) FROM marts.bokade_tider_views WHERE region_code = '01'"
        ).fetchone()[0]
    finally:
        raw.close()
    assert uncontrolled[0]["value"] == total


def test_statistics_are_served_at_their_own_grain_only(serving_file: Path) -> None:
    rows = metric_values("lead_time_days", region="13")
    assert rows and all({"statistic", "care_service"} <= set(r) for r in rows)
    with pytest.raises(InvalidQuery, match="own grain"):
        metric_values("lead_time_days", grain="quarter")
    with pytest.raises(InvalidQuery, match="all its dimensions"):
        metric_values("lead_time_days", by=["care_service"])
    assert metric_values("lead_time_days", region="13", by=["care_service", "statistic"]) == rows


def test_statistics_about_few_people_are_withheld_from_the_public(serving_file: Path) -> None:
    public = metric_values("lead_time_days")
    few = [r for r in public if r["suppressed"]]
    assert few and all(r["value"] is None and r["denominator"] is None for r in few)
    served = [r for r in public if not r["suppressed"]]
    assert served and all(r["denominator"] >= 10 for r in served)
    # The region's own users see all of their own.
    own = metric_values("lead_time_days", region="25", scope=Scope.parse("region:25"))
    assert not any(r["suppressed"] for r in own)


def test_day_grain_statistics_not_about_people_are_served_as_they_are(serving_file: Path) -> None:
    rows = metric_values("source_latency_p95_ms", region="13", grain="day")
    assert [r["period"] for r in rows] == [f"2025-01-0{d}" for d in range(1, 6)]
    assert not any(r["suppressed"] or r["rounded"] for r in rows)


def test_a_region_sees_its_own_figures_uncontrolled_and_others_controlled(
    serving_file: Path,
) -> None:
    scope = Scope.parse("region:25")
    rows = metric_values("no_show_rate", by=["channel"], scope=scope)
    own = [r for r in rows if r["region"] == "25"]
    others = [r for r in rows if r["region"] != "25"]
    assert own and not any(r["suppressed"] or r["rounded"] for r in own)
    assert any(r["numerator"] == 9 for r in own)  # a small count, served to its own region
    public = {
        (r["period"], r["region"], r["channel"]): r
        for r in metric_values("no_show_rate", by=["channel"])
    }
    assert all(public[(r["period"], r["region"], r["channel"])] == r for r in others)
    assert all(not r["rounded"] for r in metric_values("no_show_rate", scope=NATIONAL))


def test_unit_cuts_only_for_the_own_region_or_the_national_scope(serving_file: Path) -> None:
    with pytest.raises(OutOfScope, match="not public"):
        metric_values("digital_booking_share", by=["unit"])
    with pytest.raises(OutOfScope, match="region=13"):
        metric_values("digital_booking_share", region="01", by=["unit"], scope=HALLAND)
    with pytest.raises(OutOfScope, match="region=13"):
        metric_values("digital_booking_share", by=["unit"], scope=HALLAND)
    rows = metric_values(
        "digital_booking_share",
        region="13",
        by=["unit", "contact_type"],
        grain="quarter",
        scope=HALLAND,
    )
    assert {r["unit"] for r in rows} == {"SE2321000115-E00000000001", "SE2321000115-E00000000002"}
    assert {r["period"] for r in rows} == {"2025-Q1"}
    assert not any(r["rounded"] for r in rows)
    every = metric_values("digital_booking_share", by=["unit"], scope=NATIONAL)
    assert {r["region"] for r in every} == {"01", "13", "25"}


def test_catalogue_metrics_without_a_mart_are_not_yet_published(serving_file: Path) -> None:
    with pytest.raises(NotYetPublished, match="wasted_slot_rate.*not published yet"):
        metric_values("wasted_slot_rate")


def test_effect_entries_point_to_the_effects(serving_file: Path) -> None:
    with pytest.raises(InvalidQuery, match="/v1/effects"):
        metric_values("no_show_rate_go_live_effect")


def test_cuts_beyond_the_mart_come_from_the_detail_mart(serving_file: Path) -> None:
    rows = metric_values("no_show_rate", region="01", by=["reminder"], scope=NATIONAL)
    assert {r["reminder"] for r in rows} == {"sms", "none"}
    totals = {
        r["period"]: r["numerator"]
        for r in metric_values("no_show_rate", region="01", scope=NATIONAL)
    }
    for period, total in totals.items():
        assert sum(r["numerator"] for r in rows if r["period"] == period) == total
    both = metric_values(
        "no_show_rate", region="01", by=["reminder", "channel"], scope=Scope.parse("region:01")
    )
    assert {tuple(r) for r in both} == {
        (
            "period",
            "region",
            "channel",
            "reminder",
            "numerator",
            "denominator",
            "value",
            "suppressed",
            "rounded",
        )
    }


def test_public_pairs_are_the_marts_own_dimensions(serving_file: Path) -> None:
    rows = metric_values("digital_booking_share", region="13", by=["contact_type", "care_service"])
    assert {(r["care_service"], r["contact_type"]) for r in rows} == {
        (s, c) for s in ("LAKARBESOK", "VACCINATION") for c in ("physical", "video")
    }
    # A pair with a dimension of the detail mart is not a public table: uncontrolled only.
    with pytest.raises(OutOfScope, match="only to region scopes"):
        metric_values("no_show_rate", by=["reminder", "channel"])
    with pytest.raises(OutOfScope):
        metric_values("no_show_rate", by=["reminder", "channel"], scope=HALLAND)  # all regions
    with pytest.raises(OutOfScope):
        metric_values("no_show_rate", region="01", by=["reminder", "channel"], scope=HALLAND)
    assert metric_values("no_show_rate", by=["reminder", "channel"], scope=NATIONAL)


def test_without_the_detail_mart_its_cuts_are_not_yet_published(
    tidbok_home: Path, sample_files
) -> None:
    sample_files(config.serving_path(), extra_marts=False)
    assert metric_values("no_show_rate", region="13", by=["channel"])
    with pytest.raises(NotYetPublished, match="no_show_rate_by_dimension"):
        metric_values("no_show_rate", by=["reminder"])


@pytest.mark.parametrize(
    ("kwargs", "error", "hint"),
    [
        ({"metric_id": "no_shows"}, UnknownMetric, "no_show_rate"),
        ({"by": ["age_band"]}, UnknownDimension, "channel, reminder"),
        ({"by": ["region"]}, UnknownDimension, "always"),
        ({"region": "1"}, InvalidRegion, "two digits"),
        ({"region": "Halland"}, InvalidRegion, "two digits"),
        ({"region": "02"}, InvalidRegion, "01, 13, 25"),
        ({"period_from": "2025-3"}, InvalidPeriod, "YYYY-MM"),
        ({"period_to": "2025-13"}, InvalidPeriod, "YYYY-MM"),
        ({"period_from": "2025-02-30"}, InvalidPeriod, "YYYY-MM"),
        ({"period_from": "2025-03", "period_to": "2025-01"}, InvalidPeriod, "after"),
        ({"grain": "week"}, InvalidQuery, "month, quarter, year"),
    ],
)
def test_invalid_queries_raise_typed_errors_that_say_what_to_send(
    serving_file: Path, kwargs: dict, error: type[Exception], hint: str
) -> None:
    kwargs = {"metric_id": "no_show_rate", **kwargs}
    with pytest.raises(error, match=hint):
        metric_values(**kwargs)


def test_more_than_two_by_dimensions_are_refused(serving_file: Path, sample_catalogue) -> None:
    text = (sample_catalogue / "metrics.yml").read_text()
    (sample_catalogue / "metrics.yml").write_text(
        text.replace(
            "dimensions: [care_service, contact_type, unit]",
            "dimensions: [care_service, contact_type, unit, channel]",
        )
    )
    with pytest.raises(InvalidQuery, match="At most 2"):
        metric_values("digital_booking_share", by=["contact_type", "care_service", "channel"])
    # unit does not count: it is never one of the public tables
    rows = metric_values(
        "digital_booking_share",
        by=["contact_type", "care_service", "unit"],
        region="13",
        scope=HALLAND,
    )
    assert len(rows) == 3 * 2 * 2 * 2  # months x services x contact types x units


def test_scopes_parse_and_print() -> None:
    assert str(Scope.parse("region:13")) == "region:13"
    assert Scope.strongest(["openid", "region:13"]) == HALLAND
    assert Scope.strongest(["region:13", "national"]) == NATIONAL
    assert str(Scope.strongest([])) == "public"
    for bad in ("admin", "region:1", "region:00"):
        with pytest.raises(ServingError):
            Scope.parse(bad)
    with pytest.raises(ServingError, match="one region scope"):
        Scope.strongest(["region:13", "region:14"])


def test_nothing_published_yet_is_its_own_error(tidbok_home: Path) -> None:
    with pytest.raises(ServingNotPublished, match="publish"):
        metric_values("no_show_rate")
    with pytest.raises(ServingNotPublished):
        publish_info()


def test_a_file_without_the_contract_tables_is_reported(tidbok_home: Path) -> None:
    duckdb.connect(str(config.serving_path())).close()  # an empty database
    with pytest.raises(NotYetPublished, match="marts.no_show_rate"):
        metric_values("no_show_rate")
    with pytest.raises(ServingContractBroken):
        publish_info()
    with pytest.raises(ServingContractBroken):
        regions()


def test_a_mart_that_breaks_the_contract_is_reported(tidbok_home: Path) -> None:
    con = duckdb.connect(str(config.serving_path()))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.no_show_rate (region_code VARCHAR, month DATE)")
    con.execute(
        "CREATE TABLE marts.dim_regions (region_code VARCHAR, region_name VARCHAR, "
        "population BIGINT)"
    )
    con.close()
    with pytest.raises(ServingContractBroken, match="marts.no_show_rate"):
        metric_values("no_show_rate")


def test_publish_info_and_regions(serving_file: Path) -> None:
    info = publish_info()
    assert (info.version, info.published_at) == ("sample-1", datetime(2025, 4, 1, 6, 0))
    assert [r.code for r in regions()] == ["01", "13", "25"]


def test_a_new_publish_is_seen_by_the_next_call(serving_file: Path, sample_files) -> None:
    assert publish_info().version == "sample-1"
    sample_files(serving_file, LARGE_ROWS, version="sample-2")
    assert publish_info().version == "sample-2"
    assert {r["region"] for r in metric_values("no_show_rate")} == {"01", "13"}


def test_a_file_that_is_not_a_database_is_a_serving_error(tidbok_home: Path) -> None:
    config.serving_path().write_text("not a database")
    with pytest.raises(ServingError, match="could not be opened"):
        publish_info()


def test_readers_cannot_write_or_reach_other_files(serving_file: Path) -> None:
    with serving_connection() as con:
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE marts.scratch (x INTEGER)")
        with pytest.raises(duckdb.Error):
            con.execute("SELECT * FROM read_csv('/etc/hostname')")
