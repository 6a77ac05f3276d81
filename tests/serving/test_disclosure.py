"""The disclosure policy (DESIGN.md decision 6), by example and by property."""

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidbok.serving.disclosure import control_rows, is_small, round_count


def one(numerator: int, denominator: int) -> dict:
    return control_rows([{"numerator": numerator, "denominator": denominator}])[0]


@pytest.mark.parametrize(
    ("count", "served"),
    [(0, 0), (10, 10), (12, 10), (13, 15), (17, 15), (18, 20), (1234, 1235)],
)
def test_round_count_to_nearest_five(count: int, served: int) -> None:
    assert round_count(count) == served


def test_small_counts_are_one_to_nine() -> None:
    assert [c for c in range(12) if is_small(c)] == list(range(1, 10))


def test_small_numerator_suppresses_it_and_the_rate() -> None:
    row = one(5, 100)
    assert row == {
        "numerator": None,
        "denominator": 100,
        "value": None,
        "suppressed": True,
        "rounded": True,
    }


def test_zero_is_served() -> None:
    row = one(0, 52)
    assert (row["numerator"], row["denominator"], row["value"]) == (0, 50, 0.0)
    assert not row["suppressed"]


def test_small_denominator_hides_the_numerator_too() -> None:
    # A served 0 would say that none of these few people missed their visit.
    row = one(0, 7)
    assert (row["numerator"], row["denominator"], row["value"]) == (None, None, None)
    assert row["suppressed"] and not row["rounded"]


def test_rate_comes_from_true_parts_not_rounded_ones() -> None:
    row = one(12, 13)
    assert (row["numerator"], row["denominator"]) == (10, 15)
    assert row["value"] == pytest.approx(0.923)  # 12/13, not 10/15


def test_no_denominator_means_no_rate_but_nothing_withheld() -> None:
    row = one(0, 0)
    assert row["value"] is None and not row["suppressed"]


def test_other_keys_pass_through_in_order() -> None:
    row = control_rows([{"period": "2025-03", "region": "13", "numerator": 20, "denominator": 40}])[
        0
    ]
    assert list(row) == [
        "period",
        "region",
        "numerator",
        "denominator",
        "value",
        "suppressed",
        "rounded",
    ]


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        one(-1, 10)


def channel_rows(*cells: tuple[int, int]) -> list[dict]:
    return [
        {"period": "2025-03", "region": "13", "channel": f"c{i}", "numerator": n, "denominator": d}
        for i, (n, d) in enumerate(cells)
    ]


def test_a_lone_suppressed_cell_gets_a_complement_when_a_total_is_served() -> None:
    rows = control_rows(
        channel_rows((5, 100), (20, 200), (40, 300)), total_keys=("period", "region")
    )
    assert [r["numerator"] for r in rows] == [None, None, 40]
    assert [r["suppressed"] for r in rows] == [True, True, False]


def test_without_a_served_total_there_is_no_complement() -> None:
    rows = control_rows(channel_rows((5, 100), (20, 200), (40, 300)))
    assert [r["numerator"] for r in rows] == [None, 20, 40]


def test_hiding_a_denominator_complements_the_numerator_column_too() -> None:
    # The small denominator hides its numerator; the numerator column then has one hidden
    # cell, which would be the total minus the others.
    rows = control_rows(channel_rows((0, 6), (30, 200), (50, 300)), total_keys=("period",))
    assert [r["denominator"] for r in rows] == [None, None, 300]
    assert [r["numerator"] for r in rows] == [None, None, 50]


def test_a_lone_hidden_count_among_zeros_needs_no_complement() -> None:
    # The total's numerator is the same 3, and is withheld itself; hiding a 0 adds nothing.
    rows = control_rows(channel_rows((3, 100), (0, 100)), total_keys=("period",))
    assert [r["numerator"] for r in rows] == [None, 0]
    assert one(3, 200)["numerator"] is None


def test_complements_only_within_their_own_total() -> None:
    rows = channel_rows((5, 100), (20, 200)) + [
        {"period": "2025-04", "region": "13", "channel": "c0", "numerator": 30, "denominator": 90}
    ]
    served = control_rows(rows, total_keys=("period", "region"))
    assert served[2]["numerator"] == 30


# --- properties -----------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=100_000)


@st.composite
def parts(draw: st.DrawFn) -> tuple[int, int]:
    denominator = draw(counts)
    return draw(st.integers(min_value=0, max_value=denominator)), denominator


cells = st.lists(
    st.tuples(st.sampled_from(["2025-01", "2025-02"]), st.sampled_from(["01", "13"]), parts()),
    max_size=30,
)


def as_rows(drawn: list) -> list[dict]:
    return [
        {"period": p, "region": r, "channel": f"c{i}", "numerator": n, "denominator": d}
        for i, (p, r, (n, d)) in enumerate(drawn)
    ]


@given(cells, st.booleans())
def test_no_served_count_is_between_one_and_nine(drawn: list, with_totals: bool) -> None:
    rows = as_rows(drawn)
    served = control_rows(rows, total_keys=("period", "region") if with_totals else None)
    for true, out in zip(rows, served, strict=True):
        for part in ("numerator", "denominator"):
            value = out[part]
            if value is None:
                continue
            assert not 1 <= value <= 9
            assert value % 5 == 0 and abs(value - true[part]) <= 2


@given(cells, st.booleans())
def test_rate_is_withheld_exactly_when_a_part_is(drawn: list, with_totals: bool) -> None:
    rows = as_rows(drawn)
    served = control_rows(rows, total_keys=("period", "region") if with_totals else None)
    for true, out in zip(rows, served, strict=True):
        part_hidden = out["numerator"] is None or out["denominator"] is None
        assert out["suppressed"] == part_hidden
        if part_hidden:
            assert out["value"] is None
        if out["denominator"] is None:
            assert out["numerator"] is None
        if not part_hidden and true["denominator"] > 0:
            assert out["value"] == round(true["numerator"] / true["denominator"], 3)
        if is_small(true["numerator"]) or is_small(true["denominator"]):
            assert out["suppressed"]


@given(cells)
def test_no_suppressed_cell_can_be_recovered_from_its_total(drawn: list) -> None:
    rows = as_rows(drawn)
    served = control_rows(rows, total_keys=("period", "region"))
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[(row["period"], row["region"])].append(i)
    for members in groups.values():
        for part in ("numerator", "denominator"):
            hidden = [i for i in members if served[i][part] is None]
            if len(hidden) == 1:
                # Allowed only when the other cells are all 0: the total then equals the
                # hidden cell and is withheld as well.
                assert all(rows[i][part] == 0 for i in members if i not in hidden)
                total = one(
                    sum(rows[i]["numerator"] for i in members),
                    sum(rows[i]["denominator"] for i in members),
                )
                assert total[part] is None


@given(parts())
def test_rounded_flag_does_not_reveal_multiples_of_five(cell: tuple[int, int]) -> None:
    numerator, denominator = cell
    row = one(numerator, denominator)
    assert row["rounded"] == (row["denominator"] is not None)
