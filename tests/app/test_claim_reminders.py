"""Reminders for unclaimed badges: each once, in its window, never for a claimed one."""

from __future__ import annotations

import email
import uuid
from datetime import UTC, datetime, timedelta
from email import policy
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.claims import page as claim_page
from app.claims import reminders
from app.claims.models import ClaimReminder
from app.credentials.models import IssuedCredential
from app.jobs.registry import periodic_tasks
from app.mail import outbox
from app.mail.models import OutboxMessage
from app.settings import Settings
from tests.app.test_claims import claim_token
from tests.app.test_credentials import issue


def _aged(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement: str, days: int
) -> str:
    credential = issue(client, staff, achievement)
    with app.state.resources.sessions() as session:
        session.execute(
            update(IssuedCredential)
            .where(IssuedCredential.id == uuid.UUID(credential["id"]))
            .values(issued_at=datetime.now(UTC) - timedelta(days=days))
        )
        session.commit()
    return str(credential["id"])


def _reminded(app: FastAPI) -> dict[str, list[int]]:
    with app.state.resources.sessions() as session:
        rows = session.execute(
            select(ClaimReminder.credential_id, ClaimReminder.number).order_by(ClaimReminder.number)
        ).all()
    found: dict[str, list[int]] = {}
    for credential_id, number in rows:
        found.setdefault(str(credential_id), []).append(number)
    return found


def test_each_reminder_goes_once_in_its_window_and_never_for_a_claimed_badge(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    resources = app.state.resources
    week = _aged(client, app, staff, achievement_id, 8)
    old = _aged(client, app, staff, achievement_id, 40)
    early = _aged(client, app, staff, achievement_id, 3)  # too early, for now
    claimed = _aged(client, app, staff, achievement_id, 8)
    token = claim_token(app, claimed)
    client.post(f"/claim/{token}/accept", data={"csrf": claim_page.form_token(token)})
    revoked = _aged(client, app, staff, achievement_id, 8)
    client.post(f"/api/v1/credentials/{revoked}/revoke", json={"reason": "x"}, headers=staff)
    quiet = issue(client, staff, achievement_id, notify=False)["id"]  # staff tell this one
    with resources.sessions() as session:
        session.execute(
            update(IssuedCredential)
            .where(IssuedCredential.id == uuid.UUID(quiet))
            .values(issued_at=datetime.now(UTC) - timedelta(days=8))
        )
        session.commit()

    now = datetime.now(UTC)
    assert reminders.send_reminders(resources.sessions, resources.settings, now) == 2
    assert _reminded(app) == {week: [1], old: [2]}  # the old badge only gets its present one
    assert reminders.send_reminders(resources.sessions, resources.settings, now) == 0
    later = now + timedelta(days=23)
    assert reminders.send_reminders(resources.sessions, resources.settings, later) == 2
    assert _reminded(app) == {week: [1, 2], old: [2], early: [1]}
    assert reminders.send_reminders(resources.sessions, resources.settings, later) == 0

    with resources.sessions() as session:
        row = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "claim_reminder")
            .order_by(OutboxMessage.queued_at)
        ).first()
        assert row is not None
        message = email.message_from_bytes(
            outbox.compose(session, row, resources.settings), policy=policy.default
        )
        assert "まだ受け取っていません" in str(message["Subject"])
        fresh = row.claim_token
    assert fresh is not None and client.get(f"/claim/{fresh}").status_code == 200


def test_the_database_refuses_a_second_reminder_of_one_number(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    credential = uuid.UUID(issue(client, staff, achievement_id)["id"])
    now = datetime.now(UTC)
    with app.state.resources.sessions() as session:
        session.add(ClaimReminder(credential_id=credential, number=1, queued_at=now))
        session.commit()
        session.add(ClaimReminder(credential_id=credential, number=1, queued_at=now))
        with pytest.raises(IntegrityError):
            session.commit()


def test_reminders_are_a_periodic_task_and_their_days_a_setting(settings: Settings) -> None:
    assert reminders.REMINDERS in {task.name for task in periodic_tasks()}
    assert settings.claim_reminder_days == (7, 30)
    parsed = Settings.model_validate(settings.model_dump() | {"claim_reminder_days": "3,14,60"})
    assert parsed.claim_reminder_days == (3, 14, 60)
    for bad in ("30,7", "0,7", "7,7"):
        with pytest.raises(ValidationError):
            Settings.model_validate(settings.model_dump() | {"claim_reminder_days": bad})


def test_the_periodic_task_queues_reminders_unless_mail_is_paused(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    from app.jobs.base import WorkContext

    resources: Any = app.state.resources
    week = _aged(client, app, staff, achievement_id, 8)

    def context(settings: Settings) -> WorkContext:
        return WorkContext(
            settings=settings,
            sessions=resources.sessions,
            keyring=resources.keyring,
            urls=resources.urls,
            jobs=resources.jobs,
        )

    assert resources.settings.mail_paused  # as the tests run
    reminders.run(context(resources.settings))
    assert _reminded(app) == {}
    reminders.run(context(resources.settings.model_copy(update={"mail_paused": False})))
    assert _reminded(app) == {week: [1]}
