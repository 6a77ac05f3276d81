"""Metric values: GET /v1/metrics/{metric_id}/values."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from aggregator_api.problems import problem_responses
from aggregator_api.schemas import MetricValueRow, MetricValues, PublishedVersion
from tidbok.serving import metric_values, publish_info, serving_connection

router = APIRouter(prefix="/metrics", tags=["metrics"])


@router.get(
    "/{metric_id}/values",
    response_model=MetricValues,
    # Leaves out the dimension fields a row was not cut by; nulls that were set stay.
    response_model_exclude_unset=True,
    responses=problem_responses(404, 422, 503),
    summary="Served values of a metric by region and month",
)
def get_metric_values(
    metric_id: Annotated[str, Path(description="Metric id.", examples=["no_show_rate"])],
    region: Annotated[
        str | None, Query(description="Two-digit county code; all regions when left out.")
    ] = None,
    period_from: Annotated[
        str | None, Query(alias="from", description="First month, YYYY-MM.", examples=["2025-01"])
    ] = None,
    period_to: Annotated[
        str | None, Query(alias="to", description="Last month, YYYY-MM.", examples=["2025-03"])
    ] = None,
    by: Annotated[
        list[str] | None,
        Query(
            description="Dimension to cut by, e.g. channel. Without it: one row per region "
            "and month."
        ),
    ] = None,
) -> MetricValues:
    dimensions = [d.strip() for item in by or () for d in item.split(",") if d.strip()]
    # One connection for rows and version, so the "as of" matches the rows even if a
    # publish lands mid-request; closed before the response is sent.
    with serving_connection() as con:
        rows = metric_values(
            metric_id,
            region=region,
            period_from=period_from,
            period_to=period_to,
            by=dimensions,
            con=con,
        )
        info = publish_info(con)
    return MetricValues(
        metric=metric_id,
        published=PublishedVersion(version=info.version, published_at=info.published_at),
        rows=[MetricValueRow(**row) for row in rows],
    )
