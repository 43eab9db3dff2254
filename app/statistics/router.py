"""Statistics API (``GET /api/v1/statistics``): counts as JSON or CSV."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator

from app.deps import PrincipalDep, ResourcesDep, SessionDep
from app.responses import problems
from app.statistics import service
from app.statistics.export import statistics_csv
from app.statistics.schemas import Label, StatisticsFilters, StatisticsGroup, StatisticsRead
from app.validation import is_time_zone

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])


def _plausible(value: date | None) -> date | None:
    # Bounded so that the day after still exists and the UTC instant stays in range.
    if value is not None and not 1900 <= value.year <= 2999:
        raise ValueError("must be a date between the years 1900 and 2999")
    return value


def _zone(value: str | None) -> str | None:
    if value is not None and not is_time_zone(value):
        raise ValueError(f"is not an IANA time zone: {value!r}")
    return value


Day = Annotated[date | None, AfterValidator(_plausible)]


def read(stats: service.Statistics) -> StatisticsRead:
    f = stats.filters
    return StatisticsRead(
        measures=[m.name for m in stats.measures],
        filters=StatisticsFilters(
            issuer=f.issuer_slug,
            achievement_id=str(f.achievement_id) if f.achievement_id else None,
            batch_id=str(f.batch_id) if f.batch_id else None,
            date_from=f.date_from.isoformat() if f.date_from else None,
            date_to=f.date_to.isoformat() if f.date_to else None,
            time_zone=f.time_zone,
        ),
        totals=stats.totals,
        groups={
            name: [
                StatisticsGroup(
                    key=g.key, label=Label(ja=g.label[0], en=g.label[1]), counts=g.counts
                )
                for g in groups
            ]
            for name, groups in stats.groups.items()
        },
    )


_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The counts; with `format=csv` or `Accept: text/csv`, one CSV line per "
        "row of every grouping, then the totals.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    **problems(401, 404, 422),
}


@router.get("", summary="Count credentials", response_model=StatisticsRead, responses=_CSV)
def statistics(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    issuer: Annotated[str | None, Query(max_length=64, description="An issuer's slug.")] = None,
    achievement_id: uuid.UUID | None = None,
    batch_id: uuid.UUID | None = None,
    date_from: Annotated[
        Day, Query(alias="from", description="First local date counted (`YYYY-MM-DD`).")
    ] = None,
    date_to: Annotated[
        Day, Query(alias="to", description="Last local date counted (`YYYY-MM-DD`).")
    ] = None,
    tz: Annotated[
        str | None,
        AfterValidator(_zone),
        Query(max_length=64, description="IANA time zone of months and dates."),
    ] = None,
    format: Literal["json", "csv"] | None = None,
) -> Any:
    """Count credentials by achievement, batch, month and prefecture."""
    filters = service.Filters(
        issuer_slug=issuer,
        achievement_id=achievement_id,
        batch_id=batch_id,
        date_from=date_from,
        date_to=date_to,
        time_zone=tz or resources.settings.statistics_time_zone,
    )
    stats = service.compute(session, principal, filters)
    wants_csv = format == "csv" or (
        format is None and "text/csv" in request.headers.get("accept", "").split(",")[0]
    )
    if wants_csv:
        return Response(
            statistics_csv(stats),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="statistics.csv"'},
        )
    return read(stats)
