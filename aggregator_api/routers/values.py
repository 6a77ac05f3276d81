"""Metric values: GET /v1/metrics/{metric_id}/values, in the row shape every reader shares."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from aggregator_api import representation
from aggregator_api.dependencies import DATA_PROBLEMS, CallerDep, media_content, reading
from aggregator_api.problems import problem_responses
from tidbok.serving import metric_spec, metric_values
from tidbok.serving.metric_values import served_dimensions

VALUE_COLUMNS = ("numerator", "denominator", "value", "suppressed", "rounded")


def build_router(values_model: type) -> APIRouter:
    """The router, documented with the row model of the catalogue's dimensions."""
    router = APIRouter(prefix="/metrics", tags=["values"])

    @router.get(
        "/{metric_id}/values",
        response_model=values_model,
        responses={**media_content(values_model), **DATA_PROBLEMS, **problem_responses(404, 409)},
        summary="Values of a metric by region and period, optionally cut by dimensions",
        description=(
            "One row per region, period and value of each `by` dimension. Without a token "
            "(scope public) counts of 1-9 are withheld and other counts rounded to 5, "
            "consistently across every table served; `region:<code>` tokens see their own "
            "region uncontrolled and may cut it by `unit`, `national` tokens every region. "
            "JSON, or CSV with `Accept: text/csv` (or `format=csv`)."
        ),
    )
    def get_metric_values(
        request: Request,
        caller: CallerDep,
        metric_id: Annotated[str, Path(description="Metric id.", examples=["no_show_rate"])],
        region: Annotated[
            str | None,
            Query(
                description="Two-digit county code, or '00' for the whole country; every "
                "region when left out.",
                examples=["13"],
            ),
        ] = None,
        period_from: Annotated[
            str | None,
            Query(
                alias="from",
                description="First period: YYYY-MM, or YYYY, YYYY-Qn, YYYY-MM-DD.",
                examples=["2025-01"],
            ),
        ] = None,
        period_to: Annotated[
            str | None,
            Query(alias="to", description="Last period, as `from`.", examples=["2025-03"]),
        ] = None,
        by: Annotated[
            list[str] | None,
            Query(
                description="Dimensions to cut by (repeat, or comma-separated; at most two "
                "besides unit).",
                examples=[["channel"]],
            ),
        ] = None,
        grain: Annotated[
            Literal["day", "month", "quarter", "year"],
            Query(description="Period grain; quarter and year are re-aggregated months."),
        ] = "month",
        limit: Annotated[
            int, Query(ge=1, le=representation.MAX_LIMIT, description="Rows per page.")
        ] = representation.DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=10**9, description="Rows to skip.")] = 0,
        format: Annotated[
            Literal["json", "csv"] | None,
            Query(description="Overrides the Accept header."),
        ] = None,
    ) -> Response:
        dimensions = [d.strip() for item in by or () for d in item.split(",") if d.strip()]
        with reading(request, caller) as r:
            if r.done is not None:
                return r.done
            rows = metric_values(
                metric_id,
                region=region,
                period_from=period_from,
                period_to=period_to,
                by=dimensions,
                grain=grain,
                scope=caller.scope,
                snapshot=r.snapshot,
            )
        served_by = list(served_dimensions(metric_spec(metric_id), dimensions))
        meta = representation.page_info(request, len(rows), limit, offset)
        rows = representation.page(rows, limit, offset)
        body = {
            "metric": metric_id,
            "grain": grain,
            "by": served_by,
            "scope": str(caller.scope),
            "published": r.published_body(),
            "page": meta,
            "rows": rows,
        }
        columns = ("period", "region", *served_by, *VALUE_COLUMNS)
        return r.respond(body, rows, columns, representation.link_header(meta))

    return router
