"""Batch use cases: check rows, store a preview, find, list, report and discard.

A preview is stored in one transaction: the batch, its rows in bulk (multi-row inserts of
``_INSERT_CHUNK`` rows), and the audit entry. Nothing is signed while a batch is a preview.
Its verdicts (how many rows are ok, warnings, errors) are fixed then and kept on the batch;
progress (pending, issued, skipped, failed) is always counted from the rows.

``actor`` is the API key's principal, or ``None`` for the command line, which may act for
every issuer (as the operator of the server may).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import CursorResult, Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from app import spreadsheets, texts
from app.achievements import service as achievement_service
from app.achievements.models import Achievement
from app.apikeys.service import Principal
from app.audit import service as audit
from app.batches.checking import CheckedRow, check_rows
from app.batches.columns import COLUMNS
from app.batches.models import Batch, BatchRow
from app.batches.reading import Source
from app.errors import ConflictError, NotFoundError, UnprocessableError
from app.issuers.models import Issuer

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "BatchOptions",
    "Checked",
    "check",
    "counts",
    "counts_of",
    "create_batch",
    "discard",
    "get_batch_for",
    "issuer_slugs",
    "list_batches",
    "list_rows",
    "progress",
    "report_csv",
    "template_csv",
]

_INSERT_CHUNK: Final = 2000
_ROWS: Final = cast(Table, BatchRow.__table__)
# The columns a stored preview row is given (the others start empty).
_COPIED: Final = frozenset(
    (
        "batch_id",
        "row_number",
        *(column for column, _ in COLUMNS),
        "check",
        "problems",
        "duplicate_of",
        "state",
        "attempts",
        "updated_at",
    )
)
_REPORT_ORDER: Final = {"error": 0, "warning": 1, "ok": 2}


@dataclass(frozen=True)
class BatchOptions:
    achievement_id: uuid.UUID
    format: str = "ob3"
    label: str | None = None
    exam_date: date | None = None
    on_duplicate: str = "skip"
    notify: bool = True


@dataclass(frozen=True)
class Checked:
    """The rows of a source as checked, for the achievement they are for."""

    achievement: Achievement
    rows: list[CheckedRow]

    def tally(self) -> dict[str, int]:
        tally = {"total": len(self.rows), "ok": 0, "warning": 0, "error": 0}
        for row in self.rows:
            tally[row.check] += 1
        return tally

    def report(self, limit: int | None = None) -> list[CheckedRow]:
        """The rows with problems, errors first, then by row number."""
        flagged = [row for row in self.rows if row.check != "ok"]
        flagged.sort(key=lambda row: (_REPORT_ORDER[row.check], row.number))
        return flagged if limit is None else flagged[:limit]


def _achievement(
    session: Session, actor: Principal | None, achievement_id: uuid.UUID
) -> Achievement:
    try:
        if actor is None:
            return achievement_service.get_achievement(session, achievement_id)
        return achievement_service.get_achievement_for(session, actor, achievement_id)
    except NotFoundError as error:
        # A reference in the request that names nothing makes the request invalid.
        raise UnprocessableError(str(error)) from None


def check(
    session: Session, actor: Principal | None, options: BatchOptions, source: Source, now: datetime
) -> Checked:
    """Check every row of ``source``; nothing is stored (a dry run stops here)."""
    achievement = _achievement(session, actor, options.achievement_id)
    rows = check_rows(
        session,
        source.rows,
        achievement_id=achievement.id,
        format=options.format,
        on_duplicate=options.on_duplicate,
        now=now,
    )
    return Checked(achievement, rows)


def _row_values(
    batch_id: uuid.UUID, rows: Sequence[CheckedRow], now: datetime
) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), _INSERT_CHUNK):
        yield [
            {
                "batch_id": batch_id,
                "row_number": row.number,
                **row.values,
                "check": row.check,
                "problems": row.problems,
                "duplicate_of": row.duplicate_of,
                "state": "pending",
                "attempts": 0,
                "updated_at": now,
            }
            for row in rows[start : start + _INSERT_CHUNK]
        ]


def _store_rows(
    session: Session, batch_id: uuid.UUID, rows: Sequence[CheckedRow], now: datetime
) -> None:
    """Insert the rows in bulk, in the session's transaction; no ORM objects for them.

    PostgreSQL: COPY (https://www.postgresql.org/docs/current/sql-copy.html), some three times
    faster than multi-row INSERTs. It passes by the statement hooks, so the NUL guard of
    ``app.storage_guards`` does not see it; the check has refused or replaced every control
    character of every stored value, and PostgreSQL itself refuses a NUL. SQLite: one
    prepared INSERT run for every row (executemany).
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        for chunk in _row_values(batch_id, rows, now):
            session.execute(insert(_ROWS), chunk)
        return
    names = [column.name for column in _ROWS.columns if column.name in _COPIED]
    quoted = ", ".join(f'"{name}"' for name in names)
    driver = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
    with driver.cursor() as cursor, cursor.copy(f"COPY batch_row ({quoted}) FROM STDIN") as copy:
        for chunk in _row_values(batch_id, rows, now):
            for values in chunk:
                values["problems"] = json.dumps(values["problems"])
                copy.write_row([values[name] for name in names])


def create_batch(
    session: Session,
    actor: Principal | None,
    options: BatchOptions,
    source: Source,
    now: datetime,
) -> tuple[Batch, Checked]:
    """Check ``source`` and store it as a preview; returns the batch and the checked rows."""
    checked = check(session, actor, options, source, now)
    tally = checked.tally()
    batch = Batch(
        id=uuid.uuid4(),
        issuer_id=checked.achievement.issuer_id,
        achievement_id=checked.achievement.id,
        format=options.format,
        label=options.label,
        exam_date=options.exam_date,
        on_duplicate=options.on_duplicate,
        notify=options.notify,
        state="preview",
        total_rows=tally["total"],
        ok_rows=tally["ok"],
        warning_rows=tally["warning"],
        error_rows=tally["error"],
        created_at=now,
        created_by_key_id=actor.key_id if actor is not None else None,
        source_filename=source.filename,
        source_encoding=source.encoding,
    )
    session.add(batch)
    session.flush()
    _store_rows(session, batch.id, checked.rows, now)
    audit.record(
        session,
        "batch.create",
        actor=actor,
        subject_type="batch",
        subject_id=batch.id,
        issuer_id=batch.issuer_id,
        details={
            "achievement_id": str(batch.achievement_id),
            "format": batch.format,
            "label": batch.label,
            **{f"{key}_rows": value for key, value in tally.items()},
        },
        at=now,
    )
    session.commit()
    return batch, checked


def parse_id(value: str) -> uuid.UUID:
    """A batch id from a URL path segment; anything else is simply not found."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFoundError(f"batch {value!r} does not exist") from None


def get_batch_for(session: Session, actor: Principal | None, batch_id: uuid.UUID) -> Batch:
    """The batch, if ``actor`` may see it (else 404, revealing nothing)."""
    batch = session.get(Batch, batch_id)
    if batch is None or (actor is not None and not actor.may_act_for(batch.issuer_id)):
        raise NotFoundError(f"batch {batch_id} does not exist")
    return batch


def counts_of(session: Session, batch_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Rows by state for each batch: the truth about progress."""
    found: dict[uuid.UUID, dict[str, int]] = {
        batch_id: dict.fromkeys(("pending", "issued", "skipped", "failed"), 0)
        for batch_id in batch_ids
    }
    if batch_ids:
        for batch_id, state, number in session.execute(
            select(BatchRow.batch_id, BatchRow.state, func.count())
            .where(BatchRow.batch_id.in_(batch_ids))
            .group_by(BatchRow.batch_id, BatchRow.state)
        ):
            found[batch_id][state] = number
    return found


def progress(session: Session, batch: Batch) -> tuple[int, int]:
    """``(done, to do)`` among the rows that may be issued (a row with an error never is)."""
    by_state = {
        state: number
        for state, number in session.execute(
            select(BatchRow.state, func.count())
            .where(BatchRow.batch_id == batch.id, BatchRow.check != "error")
            .group_by(BatchRow.state)
        )
    }
    todo = sum(by_state.values())
    return todo - by_state.get("pending", 0), todo


def counts(batch: Batch, states: dict[str, int]) -> dict[str, int]:
    """The verdicts fixed at the preview and the rows' states now, in one mapping."""
    return {
        "total": batch.total_rows,
        "ok": batch.ok_rows,
        "warning": batch.warning_rows,
        "error": batch.error_rows,
        **states,
    }


def issuer_slugs(session: Session, batches: Sequence[Batch]) -> dict[uuid.UUID, str]:
    """The slugs of the batches' issuers."""
    ids = {batch.issuer_id for batch in batches}
    if not ids:
        return {}
    query = select(Issuer.id, Issuer.slug).where(Issuer.id.in_(ids))
    return {issuer_id: slug for issuer_id, slug in session.execute(query)}


def list_batches(
    session: Session,
    actor: Principal,
    *,
    achievement_id: uuid.UUID | None,
    state: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Batch], int]:
    """The batches ``actor`` may see, newest first, and how many match in all."""
    query = select(Batch)
    if not actor.is_admin:
        query = query.where(Batch.issuer_id == actor.issuer_id)
    if achievement_id is not None:
        query = query.where(Batch.achievement_id == achievement_id)
    if state is not None:
        query = query.where(Batch.state == state)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Batch.created_at.desc(), Batch.id).limit(limit).offset(offset)
    )
    return list(rows), total


def list_rows(
    session: Session,
    batch: Batch,
    *,
    check: str | None,
    state: str | None,
    limit: int | None,
    offset: int,
) -> tuple[list[BatchRow], int]:
    """A batch's rows in row order, filtered by verdict and state, and how many match."""
    query = select(BatchRow).where(BatchRow.batch_id == batch.id)
    if check is not None:
        query = query.where(BatchRow.check == check)
    if state is not None:
        query = query.where(BatchRow.state == state)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(BatchRow.row_number).limit(limit).offset(offset))
    return list(rows), total


def discard(session: Session, actor: Principal | None, batch: Batch, now: datetime) -> Batch:
    """Discard a preview: its rows go (they hold personal data), the batch stays as a record.

    Raises:
        ConflictError: the batch is not a preview (it was started, or discarded already).
    """
    # A conditional UPDATE, so a start and a discard at once cannot both succeed.
    result = session.execute(
        update(Batch)
        .where(Batch.id == batch.id, Batch.state == "preview")
        .values(state="discarded", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        session.rollback()
        session.refresh(batch)
        raise ConflictError(f"batch {batch.id} is {batch.state}, not a preview")
    session.execute(delete(BatchRow).where(BatchRow.batch_id == batch.id))
    audit.record(
        session,
        "batch.discard",
        actor=actor,
        subject_type="batch",
        subject_id=batch.id,
        issuer_id=batch.issuer_id,
        at=now,
    )
    session.commit()
    session.refresh(batch)
    return batch


# --- CSV for people ------------------------------------------------------------------------

_REPORT_HEADERS: Final = {
    "ja": ("行", "受験番号", "氏名", "判定", "列", "内容"),
    "en": ("row", "external_id", "name", "check", "columns", "problems"),
}
_CHECK_WORDS: Final = {
    "ja": {"ok": "OK", "warning": "警告", "error": "エラー"},
    "en": {"ok": "ok", "warning": "warning", "error": "error"},
}


def report_csv(
    session: Session, batch: Batch, *, check: str | None, lang: texts.Lang
) -> Iterator[str]:
    """The preview's report, one line a row in row order (every cell neutralised)."""

    def lines() -> Iterator[Sequence[object]]:
        yield _REPORT_HEADERS[lang]
        query = select(BatchRow).where(BatchRow.batch_id == batch.id)
        if check is not None:
            query = query.where(BatchRow.check == check)
        message = "message_ja" if lang == "ja" else "message_en"
        for row in session.scalars(
            query.order_by(BatchRow.row_number).execution_options(yield_per=1000)
        ):
            yield (
                row.row_number,
                row.external_id,
                row.name,
                _CHECK_WORDS[lang][row.check],
                " ".join(dict.fromkeys(p["column"] for p in row.problems if p["column"])),
                " / ".join(p[message] for p in row.problems),
            )

    return spreadsheets.write_rows(lines())


def template_csv(
    session: Session, actor: Principal | None, achievement_id: uuid.UUID, lang: texts.Lang
) -> Iterator[str]:
    """The header line of a batch file for the achievement, in English or Japanese."""
    # Looked up for its 404 only: every achievement takes the same columns.
    if actor is None:
        achievement_service.get_achievement(session, achievement_id)
    else:
        achievement_service.get_achievement_for(session, actor, achievement_id)
    header = [ja if lang == "ja" else column for column, ja in COLUMNS]
    return spreadsheets.write_rows([header])
