"""Response models: the shapes the API promises in its OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class PublishedVersion(BaseModel):
    version: str = Field(description="Version of the published serving file the rows come from.")
    published_at: datetime


class MetricValueRow(BaseModel):
    """One served cell. Counts are disclosure-controlled: 1-9 withheld, others rounded to 5."""

    period: str = Field(description="Calendar month, YYYY-MM.", examples=["2025-03"])
    region: str = Field(description="Two-digit county code.", examples=["13"])
    # One optional field per `by` dimension; present only when the rows are cut by it.
    channel: str | None = Field(
        default=None,
        description="Booking channel (only with by=channel).",
        examples=["eservice"],
    )
    numerator: int | None = Field(description="Rounded count; null when suppressed.")
    denominator: int | None = Field(description="Rounded count; null when suppressed.")
    value: float | None = Field(
        description="Rate from the true counts; null when suppressed or undefined.",
        examples=[0.046],
    )
    suppressed: bool = Field(description="The value and at least one count are withheld.")
    rounded: bool = Field(description="The counts shown are rounded to the nearest 5.")


class MetricValues(BaseModel):
    metric: str = Field(examples=["no_show_rate"])
    published: PublishedVersion
    rows: list[MetricValueRow]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    published: bool = Field(description="Whether a serving file has been published yet.")
    version: str | None = None
