"""The no-show model: who misses a visit, as a logistic function of what is known.

Kept apart from the booking simulation so tests (and a later causal analysis)
can recompute the modelled probability from the same coefficients the ground
truth prints.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.care_catalogue import CHANNELS, CONTACT_TYPES, LEAD_TIME_BANDS, REMINDERS
from tidbok.codes import AGE_BANDS

_BAND_LAST_DAY = np.array([last for _, _, last in LEAD_TIME_BANDS[:-1]])


def lead_time_band(lead_days: np.ndarray) -> np.ndarray:
    """Index into LEAD_TIME_BANDS for whole days between booking and visit."""
    return np.searchsorted(_BAND_LAST_DAY, lead_days, side="left")


def _coefficients(table: dict[str, float], order: tuple[str, ...]) -> np.ndarray:
    return np.array([table[key] for key in order], dtype=float)


def no_show_probability(model: dict[str, Any], region_effect: float, channel: np.ndarray,
                        lead_band: np.ndarray, reminder: np.ndarray, age_band: np.ndarray,
                        contact: np.ndarray) -> np.ndarray:
    """P(no-show) per booking; every argument but the first two is an integer code array
    (indices into CHANNELS, LEAD_TIME_BANDS, REMINDERS, tidbok.codes.AGE_BANDS,
    CONTACT_TYPES)."""
    logit = (
        model["intercept"] + region_effect
        + _coefficients(model["channel"], CHANNELS)[channel]
        + _coefficients(model["lead_time_band"], tuple(b for b, _, _ in LEAD_TIME_BANDS))[lead_band]
        + _coefficients(model["reminder"], REMINDERS)[reminder]
        + _coefficients(model["age_band"], tuple(label for _, _, label in AGE_BANDS))[age_band]
        + _coefficients(model["contact_type"], CONTACT_TYPES)[contact]
    )
    return 1.0 / (1.0 + np.exp(-logit))
