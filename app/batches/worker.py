"""Issuing a batch in the background: chunks of rows, each row exactly once.

A started batch is cut into chunks of consecutive row numbers; each chunk is one job
(``batches.issue_chunk``) and one transaction:

1. read the chunk's ``pending`` rows (only those: memory stays flat whatever the batch size);
2. sign every row through the single-credential issuing code (:func:`issuing.build_at`), with
   status positions drawn for the whole chunk; nothing is written while signing;
3. move the rows ``pending`` → ``issued`` by one conditional UPDATE (``… AND state =
   'pending'``, on a batch still running): a row another run has taken is left alone;
4. insert the credentials (a status position that a concurrent issue took in the meantime is
   drawn again and that row signed again), claim the positions, write the audit entries;
5. commit. The row's state, its credential and its status position change together or not at
   all, so a crash at any moment, followed by a re-run of the job, issues no row twice and
   uses no status index twice (the unique constraints on the credential table stand behind it).

``batches.resume`` (periodic) enqueues the chunks of running batches that still have pending
rows: a batch whose jobs were lost with a stopped server carries on. Jobs of one chunk share
a lock, so they never run at the same time.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, cast

from pydantic import ValidationError
from sqlalchemy import Table, bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from app.achievements.models import Achievement
from app.apikeys.service import Principal
from app.audit import service as audit
from app.batches.models import Batch, BatchRow
from app.credentials import issuing
from app.credentials.contexts import IssuingContext
from app.credentials.models import IssuedCredential
from app.credentials.schemas import CredentialCreate, EvidenceIn, RecipientIn, ResultIn
from app.jobs.base import Jobs, WorkContext
from app.mail import outbox
from app.mail import tasks as mail_tasks
from app.status import service as status_service
from app.status.models import StatusList

logger = logging.getLogger("shomei.batches")

ISSUE_CHUNK: Final = "batches.issue_chunk"
RESUME: Final = "batches.resume"
ACTIVE: Final = ("queued", "running")
# A chunk lost to a race it cannot settle in place (two new status lists at once, a
# deadlock) is run again from the start this many times before the job fails.
_CHUNK_ATTEMPTS: Final = 5
_RESIGN_ROUNDS: Final = 8
_CREDENTIALS: Final = cast(Table, IssuedCredential.__table__)
_ROWS: Final = cast(Table, BatchRow.__table__)
_CREDENTIAL_COLUMNS: Final = tuple(c.key for c in _CREDENTIALS.columns)
# A Core INSERT skips the ORM's column defaults (``listed=False``, ...): apply them here.
_CREDENTIAL_DEFAULTS: Final = {
    c.key: c.default.arg
    for c in _CREDENTIALS.columns
    if isinstance(c.default, ScalarElementColumnDefault)
}


def chunk_lock(batch_id: uuid.UUID | str, first_row: int) -> str:
    return f"batch:{batch_id}:{first_row}"


def enqueue_chunks(jobs: Jobs, batch_id: uuid.UUID, row_numbers: Iterable[int], size: int) -> int:
    """Enqueue a job for every chunk holding one of ``row_numbers`` (ascending); how many."""
    queued = 0
    last_first = None
    for number in row_numbers:
        first = (number - 1) // size * size + 1
        if first == last_first:
            continue
        last_first = first
        jobs.defer(
            ISSUE_CHUNK,
            {"batch_id": str(batch_id), "first_row": first, "last_row": first + size - 1},
            lock=chunk_lock(batch_id, first),
            queueing_lock=chunk_lock(batch_id, first),
        )
        queued += 1
    return queued


def resume(context: WorkContext) -> None:
    """Enqueue the chunks of every running batch that still has pending rows."""
    with context.sessions() as session:
        batches = session.scalars(select(Batch.id).where(Batch.state.in_(ACTIVE))).all()
    for batch_id in batches:
        with context.sessions() as session:
            numbers = session.scalars(
                select(BatchRow.row_number)
                .where(BatchRow.batch_id == batch_id, BatchRow.state == "pending")
                .order_by(BatchRow.row_number)
                .execution_options(yield_per=1000)
            )
            enqueue_chunks(context.jobs, batch_id, numbers, context.settings.batch_chunk_rows)
            finish_if_done(session, batch_id, context.now())


def issue_chunk(context: WorkContext, batch_id: str, first_row: int, last_row: int) -> None:
    """Issue the pending rows ``first_row``..``last_row`` of a batch (the job)."""
    identifier = uuid.UUID(batch_id)
    for attempt in range(1, _CHUNK_ATTEMPTS + 1):
        with context.sessions() as session:
            try:
                _issue(session, context, identifier, first_row, last_row)
                finish_if_done(session, identifier, context.now())
                mail_tasks.kick(context.jobs, context.settings)  # the chunk's mail, now
                return
            except (IntegrityError, OperationalError) as error:
                # Two chunks opened the same new status list, a deadlock, SQLite busy: nothing
                # of this chunk was written; run it again.
                session.rollback()
                if attempt == _CHUNK_ATTEMPTS:
                    raise
                logger.info(
                    "batch %s rows %d-%d: %s; again", batch_id, first_row, last_row, error.orig
                )


def finish_if_done(session: Session, batch_id: uuid.UUID, now: datetime) -> None:
    """Mark the batch done once no row is pending (a conditional UPDATE: once)."""
    pending = exists().where(BatchRow.batch_id == batch_id, BatchRow.state == "pending")
    session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.state.in_(ACTIVE), ~pending)
        .values(state="done", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()


@dataclass
class _Signed:
    row: BatchRow
    credential: IssuedCredential
    request: CredentialCreate
    position: status_service.Position | None
    reissue_of: IssuedCredential | None = None


@dataclass
class _Plan:
    shared: IssuingContext | None
    signed: list[_Signed] = field(default_factory=list)
    # (row, state, error, credential id): rows that end without a new signature.
    settled: list[tuple[BatchRow, str, str | None, uuid.UUID | None]] = field(default_factory=list)


def _issue(
    session: Session, context: WorkContext, batch_id: uuid.UUID, first_row: int, last_row: int
) -> None:
    batch = session.get(Batch, batch_id)
    if batch is None or batch.state not in ACTIVE:
        return
    if batch.state == "queued":
        session.execute(
            update(Batch)
            .where(Batch.id == batch_id, Batch.state == "queued")
            .values(state="running")
            .execution_options(synchronize_session=False)
        )
        session.commit()
    rows = session.scalars(
        select(BatchRow)
        .where(
            BatchRow.batch_id == batch_id,
            BatchRow.row_number.between(first_row, last_row),
            BatchRow.state == "pending",
        )
        .order_by(BatchRow.row_number)
    ).all()
    if not rows:
        return
    achievement = session.get(Achievement, batch.achievement_id)
    if achievement is None:  # pragma: no cover - a foreign key guarantees it
        raise RuntimeError(f"batch {batch_id} names no achievement")
    now = context.now().replace(microsecond=0)
    plan = _sign(session, context, batch, achievement, rows, now)
    _write(session, context, batch, achievement, plan, now)


def _request(batch: Batch, row: BatchRow, now: datetime) -> CredentialCreate:
    valid_until = (
        row.valid_until.astimezone(UTC).replace(microsecond=0) if row.valid_until else None
    )
    if valid_until is not None and valid_until <= now:
        raise ValueError("valid_until is not in the future")
    evidence = (
        [EvidenceIn(id=row.evidence_url, narrative=row.narrative)]
        if row.evidence_url or row.narrative
        else []
    )
    return CredentialCreate(
        achievement_id=batch.achievement_id,
        recipient=RecipientIn(email=row.email or "", name=row.name),
        format=cast(Any, batch.format),
        valid_until=valid_until,
        evidence=evidence,
        result=[ResultIn(value=row.result)] if row.result and batch.format != "ob2" else [],
        external_id=row.external_id,
    )


def _sign(
    session: Session,
    context: WorkContext,
    batch: Batch,
    achievement: Achievement,
    rows: Sequence[BatchRow],
    now: datetime,
) -> _Plan:
    # The issuer's Profile and the Achievement, built once for the chunk, and (ob3) the
    # SigningTemplates that spare most rows their JSON-LD expansion.
    plan = _Plan(
        issuing.context_of(context.urls, achievement, template=batch.format == "ob3")
        if batch.format != "ob2"
        else None
    )
    ids = [row.external_id for row in rows if row.external_id]
    existing = {
        credential.external_id: credential
        for credential in session.scalars(
            select(IssuedCredential).where(
                IssuedCredential.issuer_id == achievement.issuer_id,
                IssuedCredential.achievement_id == achievement.id,
                IssuedCredential.external_id.in_(ids),
            )
        )
    }
    fresh: list[tuple[BatchRow, CredentialCreate]] = []
    seen: set[str] = set()
    for row in rows:
        if row.check == "error":
            plan.settled.append((row, "skipped", "the row has errors (see the preview)", None))
            continue
        if row.external_id in seen:
            # The preview refuses these; one left would otherwise fail its chunk for good.
            plan.settled.append((row, "failed", "the external id is twice in the batch", None))
            continue
        if row.external_id is not None:
            seen.add(row.external_id)
        try:
            request = _request(batch, row, now)
        except (ValidationError, ValueError) as error:
            plan.settled.append((row, "failed", _reason(error), None))
            continue
        before = existing.get(row.external_id)
        if before is None:
            fresh.append((row, request))
        elif batch.on_duplicate == "reissue" and before.format == batch.format:
            position = None
            if before.status_list_id is not None and before.status_index is not None:
                listing = session.get_one(StatusList, before.status_list_id)
                position = status_service.Position(listing, before.status_index)
            _sign_one(
                session, context, achievement, plan, row, request, now, before.id, position, before
            )
        else:
            plan.settled.append((row, "skipped", "issued before", before.id))
    needs_position = [item for item in fresh if item[1].format != "ob2"]
    positions = iter(
        status_service.allocate_positions(session, achievement.issuer, len(needs_position), now)
        if needs_position
        else []
    )
    for row, request in fresh:
        position = next(positions) if request.format != "ob2" else None
        _sign_one(
            session, context, achievement, plan, row, request, now, uuid.uuid4(), position, None
        )
    return plan


def _sign_one(
    session: Session,
    context: WorkContext,
    achievement: Achievement,
    plan: _Plan,
    row: BatchRow,
    request: CredentialCreate,
    now: datetime,
    credential_id: uuid.UUID,
    position: status_service.Position | None,
    reissue_of: IssuedCredential | None,
) -> None:
    try:
        credential = issuing.build_at(
            session,
            context.keyring,
            context.urls,
            achievement,
            request,
            now,
            credential_id,
            position,
            plan.shared,
        )
    except (ValidationError, ValueError) as error:
        plan.settled.append((row, "failed", _reason(error), None))
        return
    credential.batch_id = row.batch_id
    credential.prefecture = row.prefecture
    plan.signed.append(_Signed(row, credential, request, position, reissue_of))


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}"[:500]
    return str(error)[:500]


def _write(
    session: Session,
    context: WorkContext,
    batch: Batch,
    achievement: Achievement,
    plan: _Plan,
    now: datetime,
) -> None:
    running = exists().where(Batch.id == batch.id, Batch.state.in_(ACTIVE))
    # (3) the gate: only rows still pending, of a batch still running, are ours to issue.
    numbers = [item.row.row_number for item in plan.signed]
    won: set[int] = set()
    if numbers:
        result = session.execute(
            update(BatchRow)
            .where(
                BatchRow.batch_id == batch.id,
                BatchRow.row_number.in_(numbers),
                BatchRow.state == "pending",
                running,
            )
            .values(state="issued", updated_at=now, attempts=BatchRow.attempts + 1)
            .returning(BatchRow.row_number)
            .execution_options(synchronize_session=False)
        )
        won = set(result.scalars())
    mine = [item for item in plan.signed if item.row.row_number in won]
    # (4) the credentials, then the rows' links to them (foreign keys are checked at once).
    fresh = [item for item in mine if item.reissue_of is None]
    status_service.claim_positions(session, (i.position for i in fresh if i.position))
    _insert(session, context, achievement, plan.shared, fresh, now)
    if batch.notify and fresh:
        # In the same transaction: a mail exists exactly when its credential does. A re-issue
        # keeps the passer's first mail and claim link.
        outbox.queue_notifications(
            session,
            [item.credential for item in fresh],
            settings=context.settings,
            now=now,
            languages={item.credential.id: item.row.language for item in fresh},
        )
    for item in mine:
        if item.reissue_of is not None:
            _reissue(session, item)
    if mine:
        session.execute(
            update(_ROWS)
            .where(
                _ROWS.c.batch_id == bindparam("b_batch"),
                _ROWS.c.row_number == bindparam("b_number"),
            )
            .values(credential_id=bindparam("b_credential")),
            [
                {"b_batch": batch.id, "b_number": i.row.row_number, "b_credential": i.credential.id}
                for i in mine
            ],
        )
    for row, state, error, credential_id in plan.settled:
        session.execute(
            update(BatchRow)
            .where(
                BatchRow.batch_id == batch.id,
                BatchRow.row_number == row.row_number,
                BatchRow.state == "pending",
                running,
            )
            .values(state=state, error=error, credential_id=credential_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    actor = (
        Principal(key_id=batch.created_by_key_id, is_admin=False, issuer_id=batch.issuer_id)
        if batch.created_by_key_id
        else None
    )
    for item in mine:
        audit.record(
            session,
            "credential.issue",
            actor=actor,
            subject_type="credential",
            subject_id=item.credential.id,
            issuer_id=achievement.issuer_id,
            details={
                "achievement_id": str(achievement.id),
                "format": item.credential.format,
                "batch_id": str(batch.id),
                "reissue": item.reissue_of is not None,
            },
            at=now,
        )
    # (5)
    session.commit()


def _insert(
    session: Session,
    context: WorkContext,
    achievement: Achievement,
    shared: IssuingContext | None,
    items: list[_Signed],
    now: datetime,
) -> None:
    """Insert the chunk's new credentials; a position taken meanwhile is drawn again."""
    insert = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )(_CREDENTIALS)
    statement = insert.on_conflict_do_nothing().returning(_CREDENTIALS.c.id)
    waiting = items
    for _ in range(_RESIGN_ROUNDS):
        if not waiting:
            return
        values = [_column_values(i.credential) for i in waiting]
        inserted = set(session.scalars(statement, values))
        lost = [item for item in waiting if item.credential.id not in inserted]
        if not lost:
            return
        # Another issue took the position (or the external id) since it was drawn.
        taken = set(
            session.scalars(
                select(IssuedCredential.external_id).where(
                    IssuedCredential.issuer_id == achievement.issuer_id,
                    IssuedCredential.achievement_id == achievement.id,
                    IssuedCredential.external_id.in_([i.row.external_id for i in lost]),
                )
            )
        )
        if taken:
            # Issued by someone else meanwhile: run the chunk again, which skips or re-issues.
            raise IntegrityError("external id issued meanwhile", None, Exception("external id"))
        avoid = {i.credential.status_index for i in items if i.credential.status_index is not None}
        positions = status_service.allocate_positions(
            session, achievement.issuer, len(lost), now, avoid=avoid
        )
        status_service.claim_positions(session, positions)
        for item, position in zip(lost, positions, strict=True):
            item.credential = issuing.build_at(
                session,
                context.keyring,
                context.urls,
                achievement,
                item.request,
                now,
                item.credential.id,
                position,
                shared,
            )
            item.credential.batch_id = item.row.batch_id
            item.credential.prefecture = item.row.prefecture
            item.position = position
        waiting = lost
    raise IntegrityError("status positions kept being taken", None, Exception("positions"))


def _column_values(credential: IssuedCredential) -> dict[str, Any]:
    values = {key: getattr(credential, key) for key in _CREDENTIAL_COLUMNS}
    for key, default in _CREDENTIAL_DEFAULTS.items():
        if values[key] is None:
            values[key] = default
    return values


def _reissue(session: Session, item: _Signed) -> None:
    """The same credential (id, status position) signed again with a new ``validFrom``."""
    signed = item.credential
    session.execute(
        update(IssuedCredential)
        .where(IssuedCredential.id == signed.id)
        .values(
            document=signed.document,
            signed_document=signed.signed_document,
            issued_at=signed.issued_at,
            valid_until=signed.valid_until,
            recipient_email=signed.recipient_email,
            recipient_email_lower=signed.recipient_email_lower,
            recipient_name=signed.recipient_name,
            batch_id=signed.batch_id,
            prefecture=signed.prefecture,
        )
        .execution_options(synchronize_session=False)
    )


__all__ = [
    "ISSUE_CHUNK",
    "RESUME",
    "chunk_lock",
    "enqueue_chunks",
    "finish_if_done",
    "issue_chunk",
    "resume",
]
