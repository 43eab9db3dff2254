"""The hourly clean-up of expired codes, tokens, sign-in links and passer sessions, on
SQLite and PostgreSQL: what ended more than a day ago goes, everything else stays."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.jobs import registry
from app.jobs.schedule import next_run
from app.obapi import cleanup
from app.obapi.models import OAuthClient, OAuthCode, OAuthToken
from app.passers.models import PasserAccount, PasserSession, PasserSignIn

# A month ahead of the clock: the app's own hourly clean-up, which may run during a test,
# then finds nothing of the test's old enough to delete.
NOW = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
OLD = NOW - timedelta(days=1, minutes=1)  # ended more than a day ago
RECENT = NOW - timedelta(hours=23)  # ended, but within the day of grace
LATER = NOW + timedelta(hours=1)


def _hash() -> str:
    return uuid.uuid4().hex * 2


def test_only_what_ended_more_than_a_day_ago_is_deleted(app: FastAPI, client: TestClient) -> None:
    with app.state.resources.sessions() as session:
        account = PasserAccount(created_at=NOW)
        client = OAuthClient(
            client_id=uuid.uuid4().hex,
            client_secret_hash=_hash(),
            issued_at=NOW,
            client_metadata="{}",
        )
        session.add_all([account, client])
        session.flush()

        def code(name: str, expires: datetime) -> OAuthCode:
            return OAuthCode(
                code_hash=name.ljust(64, "0"),
                client_id=client.id,
                account_id=account.id,
                redirect_uri="https://app.example/callback",
                scope="x",
                code_challenge="c",
                code_challenge_method="S256",
                created_at=NOW - timedelta(days=3),
                expires_at=expires,
            )

        def token(
            name: str, expires: datetime, *, refresh: bool = False, revoked: datetime | None = None
        ) -> OAuthToken:
            return OAuthToken(
                access_token_hash=name.ljust(64, "0"),
                refresh_token_hash=_hash() if refresh else None,
                client_id=client.id,
                account_id=account.id,
                scope="x",
                issued_at=NOW - timedelta(days=3),
                expires_at=expires,
                revoked_at=revoked,
            )

        def sign_in(name: str, expires: datetime) -> PasserSignIn:
            return PasserSignIn(
                token_hash=name.ljust(64, "0"),
                email="hanako@example.jp",
                created_at=NOW - timedelta(days=3),
                expires_at=expires,
            )

        def passer_session(name: str, expires: datetime) -> PasserSession:
            return PasserSession(
                id_hash=name.ljust(64, "0"),
                account_id=account.id,
                csrf_token="t",
                created_at=NOW - timedelta(days=3),
                expires_at=expires,
            )

        session.add_all(
            [
                code("c-old", OLD),
                code("c-recent", RECENT),
                code("c-live", LATER),
                token("t-old", OLD),
                token("t-recent", RECENT),
                token("t-refresh", OLD, refresh=True),  # its refresh token still works
                token("t-revoked-old", LATER, refresh=True, revoked=OLD),
                token("t-revoked-recent", OLD, refresh=True, revoked=RECENT),
                sign_in("s-old", OLD),
                sign_in("s-recent", RECENT),
                passer_session("p-old", OLD),
                passer_session("p-live", LATER),
            ]
        )
        session.commit()

        deleted = cleanup.delete_expired(session, NOW)
        assert deleted == cleanup.Deleted(codes=1, tokens=2, sign_ins=1, sessions=1)

        def left(column: object) -> set[str]:
            return {str(value).rstrip("0") for value in session.scalars(select(column))}  # type: ignore[call-overload]

        assert left(OAuthCode.code_hash) == {"c-recent", "c-live"}
        assert left(OAuthToken.access_token_hash) == {
            "t-recent",
            "t-refresh",
            "t-revoked-recent",
        }
        assert left(PasserSignIn.token_hash) == {"s-recent"}
        assert left(PasserSession.id_hash) == {"p-live"}
        assert session.get(PasserAccount, account.id) is not None
        # A second run finds nothing more to do.
        assert cleanup.delete_expired(session, NOW) == cleanup.Deleted(0, 0, 0, 0)


def test_the_clean_up_is_a_periodic_task_run_every_hour() -> None:
    periodic = {task.name: task for task in registry.periodic_tasks()}
    task = periodic[cleanup.CLEANUP]
    assert task.run is cleanup.run
    first = next_run(task.cron, NOW)
    assert next_run(task.cron, first) - first == timedelta(hours=1)


def test_the_task_deletes_through_the_workers_sessions(app: FastAPI, client: TestClient) -> None:
    from types import SimpleNamespace
    from typing import Any, cast

    sessions = app.state.resources.sessions
    with sessions() as session:
        session.add(
            PasserSignIn(
                token_hash="gone".ljust(64, "0"),
                email="hanako@example.jp",
                created_at=OLD - timedelta(minutes=15),
                expires_at=OLD,
            )
        )
        session.commit()
    context = SimpleNamespace(sessions=sessions, now=lambda: NOW)
    cleanup.run(cast(Any, context))
    with sessions() as session:
        assert session.scalars(select(PasserSignIn)).all() == []
