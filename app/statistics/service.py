"""Counts of issued credentials, grouped by achievement, batch, month and prefecture.

Every count is one ``GROUP BY`` query, the same on SQLite and PostgreSQL. What is counted is a
list of :class:`Measure` (a name and a SQL expression per credential); a new kind of count
(the credentials their recipients have claimed, say) is one more entry of :func:`measures`
and its ``measure_<name>`` words in :data:`app.texts.CONSOLE`; it then appears in every
grouping, the totals, the API, the CSV and the console without another change.

Months are months of the caller's time zone: the local month starts are turned into UTC
instants here, and the query puts each credential in its month with a ``CASE`` over them, so
daylight saving time and zones the database does not know are handled the same everywhere.
Every credential falls in exactly one row of each grouping (a credential with no batch in the
"no batch" row, one with no prefecture in "overseas or unknown"), so each grouping's rows add
up to the totals.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    exists,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.achievements.models import Achievement
from app.apikeys.service import Principal
from app.batches.models import Batch
from app.batches.prefectures import PREFECTURES
from app.claims.models import Claim
from app.credentials.models import IssuedCredential
from app.issuers import service as issuer_service

__all__ = [
    "GROUPINGS",
    "Filters",
    "Group",
    "Measure",
    "Statistics",
    "compute",
    "measures",
]

GROUPINGS = ("achievement", "batch", "month", "prefecture")

_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class Measure:
    """One count: ``name`` and the 0-or-1 expression summed over the credentials."""

    name: str
    expression: ColumnElement[Any]


def _when(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return case((condition, literal_column("1")), else_=literal_column("0"))


def measures() -> tuple[Measure, ...]:
    """What is counted, in the order the API and the CSV list it."""
    return (
        Measure("issued", literal_column("1")),
        Measure("active", _when(IssuedCredential.status == "active")),
        Measure("revoked", _when(IssuedCredential.status == "revoked")),
        Measure("suspended", _when(IssuedCredential.status == "suspended")),
        # Accepted by the passer on the claim page, through any of the credential's links.
        Measure(
            "claimed",
            _when(
                exists().where(
                    Claim.credential_id == IssuedCredential.id, Claim.claimed_at.is_not(None)
                )
            ),
        ),
    )


@dataclass(frozen=True)
class Filters:
    """Which credentials are counted; dates are local dates of ``time_zone``, both included."""

    issuer_slug: str | None = None
    achievement_id: uuid.UUID | None = None
    batch_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    time_zone: str = "Asia/Tokyo"


@dataclass(frozen=True)
class Group:
    """One row of a grouping: its key, its name in ja and en, and its counts."""

    key: str | None
    label: tuple[str, str]
    counts: dict[str, int]


@dataclass(frozen=True)
class Statistics:
    measures: tuple[Measure, ...]
    filters: Filters
    totals: dict[str, int]
    groups: dict[str, list[Group]] = field(default_factory=dict)


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _scoped(session: Session, principal: Principal, filters: Filters, query: _Query) -> _Query:
    zone = ZoneInfo(filters.time_zone)
    if filters.issuer_slug is not None:
        issuer = issuer_service.get_issuer_for(session, principal, filters.issuer_slug)
        query = query.where(IssuedCredential.issuer_id == issuer.id)
    elif not principal.is_admin:
        query = query.where(IssuedCredential.issuer_id == principal.issuer_id)
    if filters.achievement_id is not None:
        query = query.where(IssuedCredential.achievement_id == filters.achievement_id)
    if filters.batch_id is not None:
        query = query.where(IssuedCredential.batch_id == filters.batch_id)
    if filters.date_from is not None:
        query = query.where(IssuedCredential.issued_at >= _start_of(filters.date_from, zone))
    if filters.date_to is not None:
        end = _start_of(filters.date_to + timedelta(days=1), zone)
        query = query.where(IssuedCredential.issued_at < end)
    return query


def _sums(chosen: Sequence[Measure]) -> list[ColumnElement[Any]]:
    return [func.coalesce(func.sum(m.expression), 0).label(m.name) for m in chosen]


def _counts(row: Any, chosen: Sequence[Measure]) -> dict[str, int]:
    return {m.name: int(getattr(row, m.name)) for m in chosen}


def compute(session: Session, principal: Principal, filters: Filters) -> Statistics:
    """The totals and every grouping of the credentials ``principal`` may see.

    Raises:
        NotFoundError: ``filters.issuer_slug`` names no issuer the principal may see.
    """
    chosen = measures()
    total_row = session.execute(
        _scoped(session, principal, filters, select(*_sums(chosen)).select_from(IssuedCredential))
    ).one()
    stats = Statistics(chosen, filters, _counts(total_row, chosen))
    stats.groups["achievement"] = _by_achievement(session, principal, filters, chosen)
    stats.groups["batch"] = _by_batch(session, principal, filters, chosen)
    stats.groups["month"] = _by_month(session, principal, filters, chosen)
    stats.groups["prefecture"] = _by_prefecture(session, principal, filters, chosen)
    return stats


def _grouped(
    session: Session,
    principal: Principal,
    filters: Filters,
    key: ColumnElement[Any] | InstrumentedAttribute[Any],
    chosen: Sequence[Measure],
) -> list[Any]:
    """Rows of (key, one sum per measure), one per distinct ``key``.

    The key is computed in a subquery and grouped on by name outside it, so an expression
    with bound values (the months' ``CASE``) is written once: PostgreSQL would not see two
    copies with their own parameters as the same expression.
    """
    inner = select(key.label("key"), *[m.expression.label(m.name) for m in chosen]).select_from(
        IssuedCredential
    )
    rows = _scoped(session, principal, filters, inner).subquery()
    sums = [func.coalesce(func.sum(rows.c[m.name]), 0).label(m.name) for m in chosen]
    return list(session.execute(select(rows.c.key, *sums).group_by(rows.c.key)).all())


def _by_achievement(
    session: Session, principal: Principal, filters: Filters, chosen: Sequence[Measure]
) -> list[Group]:
    rows = _grouped(session, principal, filters, IssuedCredential.achievement_id, chosen)
    names = {
        a.id: a
        for a in session.scalars(
            select(Achievement).where(Achievement.id.in_([r.key for r in rows]))
        )
    }
    groups = []
    for row in rows:
        achievement = names[row.key]
        primary = achievement.text(achievement.name)
        label = (achievement.name.get("ja") or primary, achievement.name.get("en") or primary)
        groups.append(Group(str(row.key), label, _counts(row, chosen)))
    return sorted(groups, key=lambda g: (g.label[1].lower(), g.key or ""))


def _month_starts(first: datetime, last: datetime, zone: ZoneInfo) -> list[tuple[str, datetime]]:
    """(``YYYY-MM``, the UTC instant the next local month starts) from ``first`` to ``last``."""
    local = first.astimezone(zone)
    year, month = local.year, local.month
    ends: list[tuple[str, datetime]] = []
    while True:
        following = (year + month // 12, month % 12 + 1)
        end = _start_of(date(following[0], following[1], 1), zone)
        ends.append((f"{year:04d}-{month:02d}", end))
        if end > last:
            return ends
        year, month = following


def _by_month(
    session: Session, principal: Principal, filters: Filters, chosen: Sequence[Measure]
) -> list[Group]:
    zone = ZoneInfo(filters.time_zone)
    bounds = session.execute(
        _scoped(
            session,
            principal,
            filters,
            select(func.min(IssuedCredential.issued_at), func.max(IssuedCredential.issued_at)),
        )
    ).one()
    if bounds[0] is None:
        return []
    first, last = bounds[0], bounds[1]
    ends = _month_starts(first, last, zone)
    # Each credential lands in the first month whose end is after it: one bucket each.
    bucket: ColumnElement[Any] = literal(ends[-1][0])
    if len(ends) > 1:
        bucket = case(
            *[(IssuedCredential.issued_at < end, name) for name, end in ends[:-1]],
            else_=ends[-1][0],
        )
    rows = _grouped(session, principal, filters, bucket, chosen)
    return sorted(
        (Group(row.key, (row.key, row.key), _counts(row, chosen)) for row in rows),
        key=lambda g: g.key or "",
    )


def _by_batch(
    session: Session, principal: Principal, filters: Filters, chosen: Sequence[Measure]
) -> list[Group]:
    """Batches oldest first, then the credentials issued one by one (key ``None``)."""
    rows = _grouped(session, principal, filters, IssuedCredential.batch_id, chosen)
    batches = {
        b.id: b
        for b in session.scalars(
            select(Batch).where(Batch.id.in_([r.key for r in rows if r.key is not None]))
        )
    }
    groups = []
    for row in rows:
        if row.key is None:
            groups.append(Group(None, ("個別発行", "Issued one by one"), _counts(row, chosen)))
            continue
        batch = batches[row.key]
        name = batch.label or (batch.exam_date.isoformat() if batch.exam_date else str(batch.id))
        groups.append(Group(str(batch.id), (name, name), _counts(row, chosen)))
    order = {b.id: (b.created_at, str(b.id)) for b in batches.values()}
    return sorted(
        groups,
        key=lambda g: (g.key is None, order[uuid.UUID(g.key)] if g.key else (None, "")),
    )


def _by_prefecture(
    session: Session, principal: Principal, filters: Filters, chosen: Sequence[Measure]
) -> list[Group]:
    """Every prefecture in JIS X 0401 order (zeros included), then overseas or unknown."""
    rows = _grouped(session, principal, filters, IssuedCredential.prefecture, chosen)
    found = {row.key: _counts(row, chosen) for row in rows}
    zero = {m.name: 0 for m in chosen}
    groups = [Group(f"{p.code:02d}", (p.ja, p.en), found.get(p.code, zero)) for p in PREFECTURES]
    groups.append(Group(None, ("海外・不明", "Overseas or unknown"), found.get(None, zero)))
    return groups
