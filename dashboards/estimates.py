"""Estimates recalculated with the reader's own assumptions (pure, testable).

The published estimates (minutes saved, calls avoided…) are counts of digital actions
times parameters from marts.estimate_parameters (METRICS.md: "a user can see and change
them without touching code"). They are linear in every parameter, so an estimate made
with other values is the published one times new/published for each parameter it uses.
A parameter can be specific to an action (the `qualifier`): then the row of that action
is scaled by that action's ratio.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

# (parameter, qualifier or None) -> value
Assumptions = dict[tuple[str, str | None], float]


def current_defaults(parameters: pd.DataFrame, names: Sequence[str],
                     on: date | None = None) -> Assumptions:
    """The national default of each parameter in `names` (and each qualifier) valid `on` a day:
    the latest valid_from not after it, and at that date the highest version."""
    if parameters is None or parameters.empty:
        return {}
    on = on or date.today()
    rows = parameters[parameters["parameter"].isin(names) & parameters["region_code"].isna()]
    valid_from = [date.fromisoformat(str(v)[:10]) for v in rows["valid_from"]]
    rows = rows[[day <= on for day in valid_from]]
    chosen: Assumptions = {}
    ordered = rows.sort_values(["valid_from", "version"])
    for _, row in ordered.iterrows():
        qualifier = None if pd.isna(row["qualifier"]) else str(row["qualifier"])
        chosen[(str(row["parameter"]), qualifier)] = float(row["value"])
    return chosen


def scale_factor(parameters: Sequence[str], qualifier: str | None, published: Assumptions,
                 adjusted: Mapping[tuple[str, str | None], float]) -> float:
    """How much a row qualified by `qualifier` (e.g. an action) changes with `adjusted`."""
    factor = 1.0
    for name in parameters:
        key = (name, qualifier) if (name, qualifier) in published else (name, None)
        old = published.get(key)
        new = adjusted.get(key, old)
        if old and new is not None:
            factor *= new / old
    return factor


def rescale(frame: pd.DataFrame, parameters: Sequence[str], published: Assumptions,
            adjusted: Mapping[tuple[str, str | None], float],
            qualifier_column: str | None = None) -> pd.Series:
    """The frame's `value` column recalculated with `adjusted` (withheld values stay missing)."""
    qualifiers = frame[qualifier_column] if qualifier_column else [None] * len(frame)
    factors = [scale_factor(parameters, q, published, adjusted) for q in qualifiers]
    return frame["value"].astype("Float64") * pd.Series(factors, index=frame.index)
