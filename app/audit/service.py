"""Recording state changes, and reading them back for the API and exports."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from sqlalchemy import Select, Table, event, func, insert, select
from sqlalchemy.orm import Session

from app import spreadsheets
from app.audit.models import AuditEntry
from app.logs import current_context

if TYPE_CHECKING:
    from app.apikeys.service import Principal

Action = Literal[
    "issuer.create",
    "issuer.update",
    "issuer.key.rotate",
    "achievement.create",
    "achievement.update",
    "achievement.image",
    "api_key.create",
    "api_key.revoke",
    "credential.issue",
    "credential.revoke",
    "credential.suspend",
    "credential.unsuspend",
    "batch.create",
    "batch.discard",
    "console.sign_in",
    "console.sign_out",
    "batch.start",
    "batch.cancel",
    "batch.retry",
    "mail.send",
    "mail.fail",
    "credential.listing",
    "credential.claim",
    "credential.resend",
    "credential.address",
    "claim.lost_link",
    "watch.create",
    "watch.delete",
    "credential.deliver",
]
SubjectType = Literal[
    "issuer", "issuer_key", "achievement", "api_key", "credential", "batch", "watch"
]

EXPORT_COLUMNS: Final = (
    "id",
    "at",
    "action",
    "actor",
    "api_key_id",
    "issuer_id",
    "subject_type",
    "subject_id",
    "request_id",
    "details",
)
_EXPORT_BATCH: Final = 500
_PENDING: Final = "audit_pending"
log = logging.getLogger("shomei.audit")


def record(
    session: Session,
    action: Action,
    *,
    actor: Principal | None,
    subject_type: SubjectType,
    subject_id: uuid.UUID | str,
    issuer_id: uuid.UUID | None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
    service: bool = False,
) -> AuditEntry:
    """Add an entry to ``session``; it is written when the caller commits its change.

    ``actor`` is the API key's principal, or ``None`` for the command line; ``service`` marks
    what the service did on its own (sending mail), with no one's request. ``details`` must
    hold ids, names of changed fields and other facts, never a recipient's identity or a secret.
    """
    entry = AuditEntry(
        **_values(session, action, actor, subject_type, subject_id, issuer_id, details, at, service)
    )
    session.add(entry)
    return entry


def write(
    session: Session,
    action: Action,
    *,
    actor: Principal | None,
    subject_type: SubjectType,
    subject_id: uuid.UUID | str,
    issuer_id: uuid.UUID | None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
    service: bool = False,
) -> None:
    """:func:`record` as a plain ``INSERT`` in ``session``'s transaction, for hot paths.

    Written at once rather than on flush; committed or rolled back with the change it records.
    """
    values = _values(
        session, action, actor, subject_type, subject_id, issuer_id, details, at, service
    )
    values["id"] = uuid.uuid4()
    session.connection().execute(_INSERT, values)


_INSERT = insert(cast(Table, AuditEntry.__table__))


def _values(
    session: Session,
    action: Action,
    actor: Principal | None,
    subject_type: SubjectType,
    subject_id: uuid.UUID | str,
    issuer_id: uuid.UUID | None,
    details: dict[str, Any] | None,
    at: datetime | None,
    service: bool = False,
) -> dict[str, Any]:
    """The entry's columns; the fields logged once it commits are noted in ``session``."""
    values: dict[str, Any] = {
        "at": at or datetime.now(UTC),
        "action": action,
        "actor": "service" if service else "api_key" if actor is not None else "command_line",
        "api_key_id": actor.key_id if actor is not None else None,
        "issuer_id": issuer_id,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "details": details or {},
        "request_id": current_context().request_id,
    }
    fields = {
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "issuer_id": str(issuer_id) if issuer_id else None,
        "actor": values["actor"],
    }
    session.info.setdefault(_PENDING, []).append(fields)
    return values


# Each change is also logged, once its transaction has committed (never one that rolled back).
@event.listens_for(Session, "after_commit")
def _log_committed(session: Session) -> None:
    for fields in session.info.pop(_PENDING, ()):
        log.info(
            "%s %s %s", fields["action"], fields["subject_type"], fields["subject_id"], extra=fields
        )


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    issuer_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    subject_id: str | None = None
    after: datetime | None = None
    before: datetime | None = None


def _query(principal: Principal, filters: AuditFilter) -> Select[AuditEntry]:
    query = select(AuditEntry)
    if not principal.is_admin:
        # An issuer's staff see what was done to their issuer, by anyone.
        query = query.where(AuditEntry.issuer_id == principal.issuer_id)
    if filters.action is not None:
        # "credential" matches every credential.* action; "credential.revoke" only itself.
        query = query.where(
            (AuditEntry.action == filters.action)
            | AuditEntry.action.startswith(f"{filters.action}.", autoescape=True)
        )
    if filters.issuer_id is not None:
        query = query.where(AuditEntry.issuer_id == filters.issuer_id)
    if filters.api_key_id is not None:
        query = query.where(AuditEntry.api_key_id == filters.api_key_id)
    if filters.subject_id is not None:
        query = query.where(AuditEntry.subject_id == filters.subject_id)
    if filters.after is not None:
        query = query.where(AuditEntry.at >= filters.after)
    if filters.before is not None:
        query = query.where(AuditEntry.at < filters.before)
    return query


def list_entries(
    session: Session, principal: Principal, filters: AuditFilter, *, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """The entries ``principal`` may read, newest first, and how many match in all."""
    query = _query(principal, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id).limit(limit).offset(offset)
    )
    return list(rows), total


def _entries(session: Session, principal: Principal, filters: AuditFilter) -> Iterator[AuditEntry]:
    """Oldest first, in batches keyed on (at, id): memory stays flat however long the log.

    The first batch is read before this returns, so the query's errors are raised here,
    before an export's response has started, not in the middle of its body.
    """
    query = _query(principal, filters).order_by(AuditEntry.at, AuditEntry.id)
    first = list(session.scalars(query.limit(_EXPORT_BATCH)))
    return _pages(session, query, first)


def _pages(
    session: Session, query: Select[AuditEntry], rows: list[AuditEntry]
) -> Iterator[AuditEntry]:
    while True:
        yield from rows
        if len(rows) < _EXPORT_BATCH:
            return
        last = (rows[-1].at, rows[-1].id)
        page = query.where(
            (AuditEntry.at > last[0]) | ((AuditEntry.at == last[0]) & (AuditEntry.id > last[1]))
        )
        rows = list(session.scalars(page.limit(_EXPORT_BATCH)))


def as_row(entry: AuditEntry) -> dict[str, Any]:
    """An entry as plain JSON values, in :data:`EXPORT_COLUMNS` order."""
    return {
        "id": str(entry.id),
        "at": entry.at.isoformat(),
        "action": entry.action,
        "actor": entry.actor,
        "api_key_id": str(entry.api_key_id) if entry.api_key_id else None,
        "issuer_id": str(entry.issuer_id) if entry.issuer_id else None,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "request_id": entry.request_id,
        "details": entry.details,
    }


def export_jsonl(session: Session, principal: Principal, filters: AuditFilter) -> Iterator[str]:
    """JSON Lines, oldest first: one entry a line (the first batch is read before returning)."""
    entries = _entries(session, principal, filters)
    return (
        json.dumps(as_row(entry), ensure_ascii=False, separators=(",", ":")) + "\n"
        for entry in entries
    )


def export_csv(session: Session, principal: Principal, filters: AuditFilter) -> Iterator[str]:
    """CSV with a header line, oldest first; ``details`` is a JSON object in one cell.

    The first batch is read before this returns, as for :func:`export_jsonl`.
    """
    entries = _entries(session, principal, filters)

    def lines() -> Iterator[list[Any]]:
        yield list(EXPORT_COLUMNS)
        for entry in entries:
            row = as_row(entry)
            row["details"] = json.dumps(row["details"], ensure_ascii=False, separators=(",", ":"))
            yield [row[column] for column in EXPORT_COLUMNS]

    # No byte order mark: the export is read by programs (and was always sent without one).
    return spreadsheets.write_rows(lines(), bom=False)
