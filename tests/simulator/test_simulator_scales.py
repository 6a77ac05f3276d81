"""Scales and streaming: the national row, generation in chunks of residents (the path
national takes to stay in memory), a subset of regions, and determinism with every
shape and defect on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from simulator.generate import simulate
from simulator.parameters import PRESETS, preset
from simulator.scales import SCALES, get_scale
from simulator.world import build_world
from tests.e2e.independent import no_show_counts
from tests.simulator.conftest import feed_files, read_delimited, read_json_lines
from tests.simulator.test_simulator_determinism import tree_digest

SHORT = dataclasses.replace(get_scale("tiny"), name="test-short",
                            period_end=dt.date(2025, 1, 20), bookings=1_500)


def test_scales_table() -> None:
    assert list(SCALES) == ["tiny", "small", "national"]
    national = get_scale("national")
    assert national.bookings == 100_000_000 and national.days == 365
    assert national.unit_fraction == 1.0 and national.chunk_bookings
    assert get_scale("small").bookings == 1_000_000
    with pytest.raises(ValueError, match="unknown scale"):
        get_scale("huge")


def test_national_catalogue_is_the_real_country() -> None:
    """The national unit catalogue and chunk sizing, without simulating residents."""
    from simulator.regions import load_regions
    from simulator.units import build_units
    from simulator.world import BOOKINGS_PER_CHAIN, chains_by_region

    national = get_scale("national")
    regions = load_regions()
    units = build_units(regions, national, preset("clean"), seed=1).units
    primary = units.filter(pl.col("unit_type") == "vardcentral").height
    assert 1_100 <= primary <= 1_300  # about 1 200 primary care centres
    assert units.height > 3_000  # and the specialist and other clinics
    chains = chains_by_region(regions, round(national.bookings / BOOKINGS_PER_CHAIN))
    stockholm = chains["01"] * BOOKINGS_PER_CHAIN / national.chunk_bookings
    assert 40 < stockholm < 55  # Stockholm's ~23 M bookings in about 47 chunks


def test_chunked_generation_is_one_region_world(tmp_path: Path) -> None:
    scale = dataclasses.replace(SHORT, name="test-chunks", bookings=4_000, chunk_bookings=120)
    summary = simulate(tmp_path, scale=scale, seed=3)
    truth = json.loads((tmp_path / "ground_truth.json").read_text(encoding="utf-8"))
    world = build_world(scale, seed=3)
    assert len(world.chunks("01")) > 3
    rows = read_delimited(feed_files(tmp_path, "booking_csv"))
    # Booking ids stay unique within a region across chunks; each file is that day's.
    latest = rows.group_by("folder", "Bokningsid").agg(pl.col("Ändrad").max())
    assert latest.height == summary["bookings"]
    assert (rows["Ändrad"].str.slice(0, 10) == rows["file"].str.slice(-14, 10)).all()
    expected = {(r["region"], r["month"], r["channel"]): (r["numerator"], r["denominator"])
                for r in truth["metrics"]["no_show_rate"]["rows"]}
    assert no_show_counts(tmp_path) == expected
    requests = read_json_lines(feed_files(tmp_path, "aggregator_requests"))
    assert len({r["requestId"] for r in requests}) == len(requests) > 0


def test_a_subset_of_regions(tmp_path: Path) -> None:
    summary = simulate(tmp_path, scale=SHORT, seed=3, regions=["09", "23"])
    assert {p.name for p in (tmp_path / "booking_csv").iterdir()} == {"09", "23"}
    assert (tmp_path / "hsa_units" / "national" / "hsa_units.csv").exists()
    truth = json.loads((tmp_path / "ground_truth.json").read_text(encoding="utf-8"))
    assert {r["region"] for r in truth["metrics"]["no_show_rate"]["rows"]} <= {"09", "23"}
    assert summary["bookings"] > 0


def test_same_seed_same_bytes_with_every_shape_and_defect(tmp_path: Path) -> None:
    params = preset("messy", defect_rate=0.02)
    first = simulate(tmp_path / "a", scale=SHORT, seed=4, params=params)
    second = simulate(tmp_path / "b", scale=SHORT, seed=4, params=params)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    assert first["defects_injected"] == second["defects_injected"] > 0


def test_presets() -> None:
    assert set(PRESETS) == {"clean", "realistic", "messy", "no_effect"}
    combined = preset("realistic", "no_effect", defect_rate=0.001)
    assert combined.time_book_shapes and combined.defect_rate == 0.001
    assert combined.planted_effects["no_show"]["logit"] == 0
    with pytest.raises(ValueError, match="unknown preset"):
        preset("chaotic")
    with pytest.raises(ValueError, match="time-book shapes"):
        build_world(SHORT, params=preset(time_book_shapes={"01": "booking_xml"}))


def test_a_subset_of_feeds_with_the_whole_truth(tmp_path: Path) -> None:
    summary = simulate(tmp_path / "some", scale=SHORT, seed=3,
                       feeds=["booking_csv", "hsa_units"])
    simulate(tmp_path / "all", scale=SHORT, seed=3)
    assert set(summary["files"]) == {"booking_csv", "hsa_units", "ground_truth"}
    assert {p.name for p in (tmp_path / "some").iterdir()} == {
        "booking_csv", "hsa_units", "ground_truth.json"}
    some, everything = tree_digest(tmp_path / "some"), tree_digest(tmp_path / "all")
    for name, digest in some.items():
        if name != "ground_truth.json":
            assert everything[name] == digest, name
    truth = [json.loads((tmp_path / d / "ground_truth.json").read_text(encoding="utf-8"))
             for d in ("some", "all")]
    assert truth[0]["metrics"] == truth[1]["metrics"]
    with pytest.raises(ValueError, match="unknown feeds"):
        simulate(tmp_path / "x", scale=SHORT, seed=3, feeds=["booking_xml"])
