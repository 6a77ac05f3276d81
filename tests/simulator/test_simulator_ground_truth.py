"""ground_truth.json documents every parameter and its metrics match what the files say."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import polars as pl
import pytest

from simulator.bookings import NO_SHOW
from simulator.care_catalogue import CHANNELS, CONTACT_TYPES, LEAD_TIME_BANDS, REMINDERS
from simulator.scales import get_scale
from simulator.versions import known_state
from simulator.world import build_world
from tidbok.codes import AGE_BANDS, CSV_CHANNEL


def test_parameters_are_self_documenting(tiny: dict[str, Any]) -> None:
    parameters = tiny["truth"]["parameters"]
    for name, entry in parameters.items():
        assert set(entry) == {"value", "description"}, name
        assert len(entry["description"]) > 20, name
    for name in ("scale", "seed", "period", "digital_share", "no_show_model", "regions",
                 "knowledge_cutoff", "channel_mix", "lead_time_band_probabilities"):
        assert name in parameters
    assert parameters["scale"]["value"]["name"] == "tiny"
    assert parameters["seed"]["value"] == 1
    assert parameters["period"]["value"] == {"start": "2025-01-01", "end": "2025-03-31"}
    assert {"intercept", "channel", "lead_time_band", "reminder", "age_band",
            "contact_type"} <= set(parameters["no_show_model"]["value"])


def test_counts_and_metric_structure(tiny: dict[str, Any]) -> None:
    truth = tiny["truth"]
    assert truth["counts"]["bookings"] == tiny["summary"]["bookings"]
    assert truth["counts"]["feeds"]["booking_csv"]["rows"] == tiny["summary"]["rows"]["booking_csv"]
    metric = truth["metrics"]["no_show_rate"]
    assert metric["grain"] == ["month", "region", "channel"]
    assert {row["month"] for row in metric["rows"]} == {"2025-01", "2025-02", "2025-03"}
    assert {row["channel"] for row in metric["rows"]} <= set(CHANNELS)
    for row in metric["rows"]:
        assert 0 <= row["numerator"] <= row["denominator"] > 0
        assert row["value"] == pytest.approx(row["numerator"] / row["denominator"], abs=1e-6)


def test_no_show_rate_is_reproduced_from_the_files(tiny: dict[str, Any],
                                                   tiny_rows: pl.DataFrame) -> None:
    """Independent re-computation: latest Ändrad per booking, then count outcomes."""
    latest = (tiny_rows.sort("Ändrad")
              .group_by("region", "Bokningsid").agg(pl.all().last())
              .filter(pl.col("Status").is_in(["Genomförd", "Uteblev"])))
    recomputed = (
        latest.with_columns(pl.col("Starttid").str.slice(0, 7).alias("month"),
                            pl.col("Kanal").replace_strict(CSV_CHANNEL).alias("channel"))
        .group_by("month", "region", "channel")
        .agg((pl.col("Status") == "Uteblev").sum().cast(pl.Int64).alias("numerator"),
             pl.len().cast(pl.Int64).alias("denominator"))
        .sort("month", "region", "channel")
    )
    expected = pl.DataFrame(tiny["truth"]["metrics"]["no_show_rate"]["rows"]).select(
        "month", "region", "channel", "numerator", "denominator")
    assert expected["denominator"].sum() > 0
    assert recomputed.to_dicts() == expected.to_dicts()
    # The rule matters: some visits were registered Uteblev and later corrected.
    corrected = tiny_rows.sort("Ändrad").group_by("region", "Bokningsid").agg(
        (pl.col("Status") == "Uteblev").any().alias("ever_missed"),
        pl.col("Status").last().alias("latest"))
    assert corrected.filter(pl.col("ever_missed") & (pl.col("latest") == "Genomförd")).height > 0


@pytest.fixture(scope="module")
def larger_world_visits() -> tuple[pl.DataFrame, dict[str, Any], dict[str, float]]:
    """200 000 bookings in memory (no files) so that channel rates are measurable."""
    scale = dataclasses.replace(get_scale("tiny"), name="test-200k", bookings=200_000)
    world = build_world(scale, seed=7)
    parts = []
    for code, bookings in world.iter_region_bookings():
        parts.append(known_state(bookings, world.cutoff).with_columns(pl.lit(code).alias("r")))
    visits = pl.concat(parts).filter(pl.col("status").is_in(["attended", "no_show"]))
    # The planted effect of going live (parameters.planted_effects) applies to visits at
    # units live on its service when they start.
    effect = world.params.planted_effects["no_show"]
    treated = world.rollout.live(visits["unit_idx"].to_numpy(), effect["service"],
                                 visits["start_at"].to_numpy())
    visits = visits.with_columns(pl.Series("treated", treated))
    effects = {code: p.no_show_effect for code, p in world.profiles.items()}
    model = {**world.params.describe()["no_show_model"]["value"],
             "planted_logit": effect["logit"]}
    return visits, model, effects


def test_modelled_probability_follows_the_printed_coefficients(
        larger_world_visits: tuple[pl.DataFrame, dict[str, Any], dict[str, float]]) -> None:
    visits, model, effects = larger_world_visits
    lead = (visits["start_at"] // 1440 - visits["booked_at"] // 1440).to_numpy()
    band_last = np.array([last for _, _, last in LEAD_TIME_BANDS])
    band = np.array([LEAD_TIME_BANDS[i][0] for i in np.searchsorted(band_last, lead)])
    logit = (model["intercept"]
             + np.array([effects[r] for r in visits["r"]])
             + np.array([model["channel"][CHANNELS[c]] for c in visits["channel"]])
             + np.array([model["lead_time_band"][b] for b in band])
             + np.array([model["reminder"][REMINDERS[r]] for r in visits["reminder"]])
             + np.array([model["age_band"][AGE_BANDS[a][2]] for a in visits["age_band_idx"]])
             + np.array([model["contact_type"][CONTACT_TYPES[c]] for c in visits["contact"]]))
    np.testing.assert_allclose(1 / (1 + np.exp(-logit)), visits["p_no_show0"].to_numpy())
    treated = visits["treated"].to_numpy()
    assert 0 < treated.mean() < 1  # some units go live, some do not
    with_effect = logit + model["planted_logit"] * treated
    np.testing.assert_allclose(1 / (1 + np.exp(-with_effect)), visits["p_no_show"].to_numpy())


def test_no_show_rate_by_channel_within_tolerance(
        larger_world_visits: tuple[pl.DataFrame, dict[str, Any], dict[str, float]]) -> None:
    visits, _, _ = larger_world_visits
    # Visits corrected after the cutoff still read as no-shows; exclude that handful.
    visits = visits.filter(
        (pl.col("status") == "attended") | (pl.col("fate") == NO_SHOW))
    by_channel = visits.group_by("channel").agg(
        pl.len().alias("n"), (pl.col("status") == "no_show").mean().alias("observed"),
        pl.col("p_no_show").mean().alias("expected"),
        (pl.col("p_no_show") * (1 - pl.col("p_no_show"))).sum().alias("variance"))
    for row in by_channel.iter_rows(named=True):
        standard_error = np.sqrt(row["variance"]) / row["n"]
        assert abs(row["observed"] - row["expected"]) < 4 * standard_error, row
    overall = (visits["status"] == "no_show").mean()
    assert 0.02 < overall < 0.06  # reference levels: about 2-6 %
    rates = dict(zip(by_channel["channel"], by_channel["observed"], strict=True))
    # Invitations are missed most; the clinic's own bookings least (the model's ordering).
    assert rates[CHANNELS.index("invitation")] > rates[CHANNELS.index("phone")]
    assert rates[CHANNELS.index("front_desk")] < rates[CHANNELS.index("phone")]
