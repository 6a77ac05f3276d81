"""Response models: the shapes the API promises in its OpenAPI document.

Routers send their JSON directly (rows are many, and CSV shares them), so these models are
the documentation and the contract that tests (schemathesis) check every response against.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model


class PublishedVersion(BaseModel):
    version: str = Field(description="Version of the published serving file the rows come from.")
    published_at: datetime = Field(description="When it was published (UTC).")


class Page(BaseModel):
    offset: int
    limit: int
    total: int = Field(description="Rows in the whole result.")
    next: str | None = Field(description="URL of the next page; null on the last page.")


class LocalisedText(BaseModel):
    sv: str | None = None
    en: str | None = None


class MetricSummary(BaseModel):
    id: str = Field(examples=["no_show_rate"])
    family: str | None = Field(description="METRICS.md section letter.", examples=["B"])
    headline: bool
    status: Literal["available", "planned"] = Field(
        description="planned: catalogued, its mart comes with a later feed."
    )
    name: LocalisedText
    unit: str | None = Field(examples=["share"])
    direction: str | None = Field(examples=["lower_is_better"])
    aggregation: Literal["ratio", "sum", "none"]
    time_grain: Literal["month", "day"]
    grains: list[str] = Field(description="Grains the values are served at.")
    dimensions: list[str] = Field(
        description="Names to cut by with `by` (the mart's own, then its detail mart's)."
    )
    disclosure: Literal["people", "not_personal"]
    published: bool = Field(description="Whether the current serving version holds its mart.")
    latest_period: str | None = Field(description="Last period with data; null if unpublished.")


class DimensionInfo(BaseModel):
    name: str
    label: LocalisedText
    public: bool = Field(description="False for `unit`: region and national scopes only.")


class MetricDetail(MetricSummary):
    definition: LocalisedText
    evidences: LocalisedText
    dimension_labels: list[DimensionInfo]


class MetricList(BaseModel):
    published: PublishedVersion
    metrics: list[MetricSummary]


class MetricDetailResponse(BaseModel):
    published: PublishedVersion
    metric: MetricDetail


_ROW_FIELDS: dict[str, Any] = {
    "numerator": (
        int | None,
        Field(
            description="Count; rounded to 5 for the public, null when suppressed or not a ratio."
        ),
    ),
    "denominator": (
        int | None,
        Field(
            description="Count; rounded to 5 for the public, null "
            "when suppressed. For statistics: how many "
            "it describes."
        ),
    ),
    "value": (
        float | None,
        Field(
            description="Rate from the true counts, the sum, or the "
            "statistic; null when suppressed or undefined."
        ),
    ),
    "suppressed": (bool, Field(description="The value and at least one count are withheld.")),
    "rounded": (bool, Field(description="The counts shown are rounded to the nearest 5.")),
}


def metric_value_row_model(dimensions: Iterable[str]) -> type[BaseModel]:
    """One served cell; one optional field per catalogue dimension, present when cut by it."""
    dimension_fields: dict[str, Any] = {
        name: (str | None, Field(default=None, description=f"Present only with by={name}."))
        for name in dimensions
    }
    return create_model(
        "MetricValueRow",
        # A dimension catalogued after the server started is served all the same (the
        # catalogue is re-read, DESIGN.md decision 8): documented as any other string field.
        __config__=ConfigDict(
            extra="allow",
            json_schema_extra={"additionalProperties": {"type": ["string", "null"]}},
        ),
        period=(
            str,
            Field(
                description="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD by grain.", examples=["2025-03"]
            ),
        ),
        region=(
            str,
            Field(description="Two-digit county code; '00' is the whole country.", examples=["13"]),
        ),
        **dimension_fields,
        **_ROW_FIELDS,
    )


def metric_values_model(row_model: type[BaseModel]) -> type[BaseModel]:
    return create_model(
        "MetricValues",
        metric=(str, Field(examples=["no_show_rate"])),
        grain=(str, Field(examples=["month"])),
        by=(list[str], ...),
        scope=(str, Field(description="The scope the rows were served for.", examples=["public"])),
        published=(PublishedVersion, ...),
        page=(Page, ...),
        rows=(list[row_model], ...),  # type: ignore[valid-type]
    )


class CoverageEntry(BaseModel):
    metric: str
    name: LocalisedText
    period: str | None = Field(description="The month shown; null if the mart has no rows.")
    by: list[str]
    rows: list[dict[str, Any]] = Field(description="Rows in the shape of /values rows.")


class Coverage(BaseModel):
    published: PublishedVersion
    scope: str
    level: Literal["region", "unit"]
    metrics: list[CoverageEntry]


class EffectEstimate(BaseModel):
    metric: str
    region: str = Field(description="County code; '00' for the national estimate.")
    relative_month: int | None = Field(
        description="Months since go-live for event-study rows; null for the overall estimate."
    )
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    confidence_level: float | None = None
    units: int | None = Field(description="Care units behind the estimate.")
    pre_trend_passed: bool | None = Field(description="Whether the pre-trend check passed.")
    method: str | None = None


class Effects(BaseModel):
    published: PublishedVersion
    estimates: list[EffectEstimate]


class MetricFreshness(BaseModel):
    metric: str
    status: Literal["available", "planned"] = Field(
        description="planned: catalogued, its mart comes with a later feed."
    )
    published: bool
    latest_period: str | None


LOCAL_TIME = "ISO 8601 Swedish local time, without offset (the lake's convention)."


REGION_OF_FEED = (
    "County code, or the landing folder's `national` (null if none) for national feeds."
)


class FeedFreshness(BaseModel):
    feed: str
    region: str | None = Field(description=REGION_OF_FEED)
    latest_data_day: date | None
    latest_received_at: str | None = Field(description=LOCAL_TIME)


class Freshness(BaseModel):
    published: PublishedVersion
    metrics: list[MetricFreshness]
    feeds: list[FeedFreshness] | None = Field(
        description="Per feed and region, when the data-quality marts are published; else null."
    )


class LedgerRow(BaseModel):
    feed: str
    region: str | None = Field(description=REGION_OF_FEED)
    files: int
    files_rejected: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    reconciled: bool = Field(description="rows_read = rows_loaded + rows_quarantined.")
    last_received_at: str | None = Field(description=LOCAL_TIME)


class Ledger(BaseModel):
    published: PublishedVersion
    rows: list[LedgerRow]


class RegionInfo(BaseModel):
    code: str
    name: str
    population: int | None


class Regions(BaseModel):
    published: PublishedVersion
    regions: list[RegionInfo]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    published: bool = Field(description="Whether a serving file has been published yet.")
    version: str | None = None


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    version: str
    published_at: datetime
