"""Revocation webhooks: HR keys, watches, and signed events received by a loopback server.

The delivery passes are driven by the tests (``SHOMEI_WEBHOOKS_PAUSED`` keeps the server's own
workers out of the way), with one test left to the in-process workers themselves. Signatures
are checked with the Standard Webhooks reference library, not with the service's own code.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from standardwebhooks import Webhook

from app.apikeys.service import create_api_key
from app.credentials.models import IssuedCredential
from app.main import create_app
from app.settings import Settings
from app.webhooks import delivery
from app.webhooks.delivery import deliver_due
from app.webhooks.events import record_expiries
from app.webhooks.models import WatchedCredential, WebhookEvent
from tests.app.processes import ROOT
from tests.app.test_credentials import issue
from tests.app.webhook_receiver import Answer, Receiver, receiving
from tests.database import empty_tables

WATCHES = "/api/v1/watches"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"webhooks_paused": True, "webhook_retry_base_s": 30.0, "webhook_timeout_s": 2.0}
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as server:
        yield server


def _key(app: FastAPI, **kwargs: Any) -> dict[str, str]:
    with app.state.resources.sessions() as session:
        return {"Authorization": f"Bearer {create_api_key(session, **kwargs)}"}


@pytest.fixture
def hr(app: FastAPI, client: TestClient) -> dict[str, str]:
    return _key(app, issuer_id=None, is_admin=False, is_hr=True, name="talent system")


def _watch(
    client: TestClient, hr: dict[str, str], credentials: list[str], callback_url: str
) -> dict[str, Any]:
    response = client.post(
        WATCHES, json={"credentials": credentials, "callback_url": callback_url}, headers=hr
    )
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def _deliver(app: FastAPI, settings: Settings, at: datetime | None = None) -> int:
    return deliver_due(app.state.resources.sessions, settings, at or datetime.now(UTC))


def _events(app: FastAPI) -> list[WebhookEvent]:
    with app.state.resources.sessions() as session:
        return list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.created_at)))


def _verified(secret: str, received: Any) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


# --- the HR role -------------------------------------------------------------------------


def test_an_hr_key_watches_and_verifies_and_does_nothing_else(
    client: TestClient,
    hr: dict[str, str],
    staff: dict[str, str],
    admin_headers: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    path = f"/api/v1/credentials/{credential['id']}"
    refused = [
        client.post(
            "/api/v1/credentials",
            json={"achievement_id": achievement_id, "recipient": {"email": "a@example.jp"}},
            headers=hr,
        ),
        client.post(f"{path}/revoke", json={"reason": "HR may not"}, headers=hr),
        client.post(f"{path}/suspend", headers=hr),
        client.get(path, headers=hr),
        client.get("/api/v1/credentials", headers=hr),
        client.get("/api/v1/issuers", headers=hr),
        client.get("/api/v1/apikeys", headers=hr),
        client.post("/api/v1/apikeys", json={"name": "more", "hr": True}, headers=hr),
        client.get("/api/v1/audit", headers=hr),
    ]
    for response in refused:
        assert response.status_code == 403, response.request.url
        assert response.headers["content-type"] == "application/problem+json"
        assert "HR system" in response.json()["detail"]
    assert client.get(path, headers=staff).json()["status"] == "active"
    # Verifying is for everyone, HR systems' keys included.
    document = credential_document(client, credential)
    verified = client.post("/api/v1/verify", json={"credential": document}, headers=hr)
    assert verified.status_code == 200, verified.text
    assert "checks" in verified.json()
    assert _watch(client, hr, [credential["id"]], receiver.url)["credential_count"] == 1
    # Staff of an issuer have no watches, and make no HR keys.
    assert client.get(WATCHES, headers=staff).status_code == 403
    made = client.post("/api/v1/apikeys", json={"name": "x", "hr": True}, headers=staff)
    assert made.status_code == 403
    # An administrator makes one, shown with its role.
    made = client.post("/api/v1/apikeys", json={"name": "ats", "hr": True}, headers=admin_headers)
    assert made.status_code == 201 and made.json()["scope"] == "hr"
    assert made.json()["issuer"] is None
    both = client.post(
        "/api/v1/apikeys", json={"name": "x", "hr": True, "admin": True}, headers=admin_headers
    )
    assert both.status_code == 422


def credential_document(client: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    response = client.get(
        f"/credentials/{credential['id']}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_an_hr_key_cannot_sign_in_to_the_console(app: FastAPI, hr: dict[str, str]) -> None:
    from app.console import sessions

    with app.state.resources.sessions() as session:
        token = hr["Authorization"].removeprefix("Bearer ")
        assert sessions.sign_in(session, token, datetime.now(UTC), timedelta(hours=1)) is None


def test_the_command_line_makes_hr_keys(
    app: FastAPI, settings: Settings, monkeypatch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import cli

    monkeypatch.setenv("SHOMEI_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SHOMEI_KEY_PASSPHRASE", settings.key_passphrase.get_secret_value())
    assert cli.main(["apikey", "create", "--hr", "--name", "ats"]) == 0
    assert capsys.readouterr().out.startswith("shm_")
    assert cli.main(["apikey", "list"]) == 0
    assert " hr " in capsys.readouterr().out


# --- creating watches --------------------------------------------------------------------


def test_a_watch_takes_ids_and_urls_of_this_services_credentials_only(
    client: TestClient,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    one = issue(client, staff, achievement_id)
    two = issue(client, staff, achievement_id, recipient={"email": "hanako@example.jp"})
    three = issue(client, staff, achievement_id, format="ob2", recipient={"email": "c@example.jp"})
    references = [
        one["id"],
        f"http://testserver/credentials/{two['id']}",
        f"urn:uuid:{one['id']}",  # the same credential again: watched once
        f"http://testserver/ob2/assertions/{three['id']}",
    ]
    made = _watch(client, hr, references, receiver.url)
    assert made["secret"].startswith("whsec_")
    assert made["credential_count"] == 3
    assert {c["credential_id"] for c in made["credentials"]} == {one["id"], two["id"], three["id"]}
    assert {c["status"] for c in made["credentials"]} == {"active"}
    # The secret is shown once.
    shown = client.get(f"{WATCHES}/{made['id']}", headers=hr).json()
    assert "secret" not in shown and shown["callback_url"] == receiver.url

    stranger = str(uuid.uuid4())
    unknown = [
        stranger,
        "https://other.example/credentials/" + one["id"],
        "not a credential",
        f"http://testserver/achievements/{achievement_id}",
    ]
    response = client.post(
        WATCHES,
        json={"credentials": [one["id"], *unknown], "callback_url": receiver.url},
        headers=hr,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["unknown"] == unknown
    assert stranger in response.json()["detail"]


@pytest.mark.parametrize(
    "callback_url",
    [
        "http://10.0.0.1/hook",
        "http://192.168.1.20:8080/hook",
        "http://[::1]:8080/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:9/hook",  # 127.0.0.1 is allowed here, but localhost is ::1 too
        "http://2130706433/hook",  # 127.0.0.1 written as one number: allowed like it
        "ftp://hr.example/hook",
        "http://user:secret@127.0.0.1/hook",
        "not a url",
        "http://127.0.0.1/\x00hook",
    ],
)
def test_callback_urls_obey_the_fetchers_address_rules(
    client: TestClient,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    callback_url: str,
) -> None:
    credential = issue(client, staff, achievement_id)
    response = client.post(
        WATCHES, json={"credentials": [credential["id"]], "callback_url": callback_url}, headers=hr
    )
    if callback_url == "http://2130706433/hook":
        # The tests allow 127.0.0.1, and this is 127.0.0.1: the same rule as the fetcher's.
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 422, response.text
    if "\x00" not in callback_url:  # refused by the request's model already
        assert response.json()["detail"].startswith("callback_url is refused")


# --- events ------------------------------------------------------------------------------


def test_a_revocation_is_recorded_with_it_and_posted_signed(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    watch = _watch(client, hr, [credential["id"]], receiver.url)
    revoked = client.post(
        f"/api/v1/credentials/{credential['id']}/revoke", json={"reason": "不正"}, headers=staff
    )
    assert revoked.status_code == 200
    # Recorded with the revocation, before anything was sent.
    [event] = _events(app)
    assert (event.state, event.type, event.attempts) == ("pending", "credential.revoked", 0)
    assert receiver.received == []

    assert _deliver(app, settings) == 1
    [received] = receiver.received
    payload = _verified(watch["secret"], received)
    assert payload == {
        "id": str(event.id),
        "type": "credential.revoked",
        "timestamp": payload["timestamp"],
        "data": {
            "watch_id": watch["id"],
            "credential_id": credential["id"],
            "credential": f"http://testserver/credentials/{credential['id']}",
            "status": "revoked",
            "occurred_at": payload["timestamp"],
        },
    }
    assert received.headers["webhook-id"] == str(event.id)
    assert received.headers["content-type"] == "application/json"
    assert abs(int(received.headers["webhook-timestamp"]) - time.time()) < 60
    # The signature covers the body: one byte changed, and it no longer verifies.
    with pytest.raises(Exception, match="signature"):
        Webhook(watch["secret"]).verify(
            received.body.replace(b"revoked", b"REVOKED"), received.headers
        )

    shown = client.get(f"{WATCHES}/{watch['id']}", headers=hr).json()
    assert shown["deliveries"] == {"pending": 0, "delivered": 1, "failed": 0}
    [delivered] = shown["recent_deliveries"]
    assert delivered["state"] == "delivered" and delivered["attempts"] == 1
    assert delivered["last_status"] == 204 and delivered["event_id"] == str(event.id)
    assert shown["credentials"][0]["status"] == "revoked"
    listed = client.get(WATCHES, headers=hr).json()
    assert listed["total"] == 1 and listed["items"][0]["last_delivery"]["last_status"] == 204
    # Nothing more to send.
    assert _deliver(app, settings) == 0 and len(receiver.received) == 1


def test_a_500_is_retried_later_with_the_same_event_id(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    watch = _watch(client, hr, [credential["id"]], receiver.url)
    client.post(f"/api/v1/credentials/{credential['id']}/suspend", headers=staff)
    receiver.script = [Answer(500)]
    now = datetime.now(UTC)
    assert _deliver(app, settings, now) == 0
    [event] = _events(app)
    assert (event.state, event.attempts, event.last_status) == ("pending", 1, 500)
    assert event.next_attempt_at == now + timedelta(seconds=30)
    assert _deliver(app, settings, now + timedelta(seconds=29)) == 0  # not due yet
    assert len(receiver.received) == 1
    shown = client.get(f"{WATCHES}/{watch['id']}/deliveries", headers=hr).json()
    assert shown["items"][0]["last_status"] == 500 and shown["items"][0]["next_attempt_at"]

    assert _deliver(app, settings, now + timedelta(seconds=31)) == 1
    first, second = receiver.received
    # The receiver de-duplicates by the event id: the same on every attempt, each signed anew.
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == str(event.id)
    assert _verified(watch["secret"], first) == _verified(watch["secret"], second)
    [event] = _events(app)
    assert (event.state, event.attempts, event.last_status) == ("delivered", 2, 204)


def test_every_change_is_its_own_event_for_every_watch(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    path = f"/api/v1/credentials/{credential['id']}"
    one = _watch(client, hr, [credential["id"]], receiver.url)
    other_hr = _key(app, issuer_id=None, is_admin=False, is_hr=True)
    two = _watch(client, other_hr, [credential["id"]], receiver.url + "?second")
    client.post(f"{path}/suspend", headers=staff)
    client.post(f"{path}/unsuspend", headers=staff)
    client.post(f"{path}/revoke", json={"reason": "r"}, headers=staff)
    assert client.post(f"{path}/revoke", json={"reason": "again"}, headers=staff).status_code == 409
    assert _deliver(app, settings) == 6  # the refused revocation recorded nothing
    secrets = {one["id"]: one["secret"], two["id"]: two["secret"]}
    payloads = [json.loads(r.body) for r in receiver.received]
    for received, payload in zip(receiver.received, payloads, strict=True):
        _verified(secrets[payload["data"]["watch_id"]], received)
    assert len({p["id"] for p in payloads}) == 6
    for watch_id in secrets:
        types = [p["type"] for p in payloads if p["data"]["watch_id"] == watch_id]
        assert types == ["credential.suspended", "credential.unsuspended", "credential.revoked"]
    # Each key sees its own watch only.
    assert client.get(f"{WATCHES}/{two['id']}", headers=hr).status_code == 404
    assert client.delete(f"{WATCHES}/{two['id']}", headers=hr).status_code == 404
    assert client.get(WATCHES, headers=hr).json()["total"] == 1


def test_expiry_is_told_once_and_not_for_credentials_expired_when_watched(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    expiring = issue(client, staff, achievement_id, valid_until=soon)
    expired = issue(
        client, staff, achievement_id, valid_until=soon, recipient={"email": "hanako@example.jp"}
    )
    with app.state.resources.sessions() as session:
        session.execute(
            update(IssuedCredential)
            .where(IssuedCredential.id == uuid.UUID(expired["id"]))
            .values(valid_until=datetime.now(UTC) - timedelta(days=1))
        )
        session.commit()
    watch = _watch(client, hr, [expiring["id"], expired["id"]], receiver.url)
    assert {c["credential_id"]: c["expired"] for c in watch["credentials"]} == {
        expiring["id"]: False,
        expired["id"]: True,
    }
    with app.state.resources.sessions() as session:
        assert record_expiries(session, datetime.now(UTC)) == 0  # nothing new has expired
        later = datetime.now(UTC) + timedelta(days=2)
        assert record_expiries(session, later) == 1
        assert record_expiries(session, later) == 0  # once
        told = session.scalars(select(WatchedCredential.expiry_told)).all()
        assert told == [True, True]
    assert _deliver(app, settings, later) == 1
    payload = _verified(watch["secret"], receiver.received[0])
    assert payload["type"] == "credential.expired"
    assert payload["data"]["credential_id"] == expiring["id"]
    assert payload["data"]["status"] == "expired"


# --- failures ----------------------------------------------------------------------------


def test_redirects_are_not_followed(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    credential = issue(client, staff, achievement_id)
    _watch(client, hr, [credential["id"]], receiver.url)
    client.post(f"/api/v1/credentials/{credential['id']}/suspend", headers=staff)
    attempted: list[Any] = []
    real_connect = socket.socket.connect

    def recorded(sock: socket.socket, address: Any) -> None:
        attempted.append(address)
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", recorded)
    receiver.script = [Answer(307, {"Location": "http://10.1.2.3/internal"})]
    assert _deliver(app, settings) == 0
    assert {address[0] for address in attempted} == {"127.0.0.1"}
    [event] = _events(app)
    assert (event.state, event.last_status) == ("pending", 307)
    assert "redirects are not followed" in (event.last_error or "")


def test_a_slow_receiver_times_out_and_is_retried(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    path = f"/api/v1/credentials/{credential['id']}"
    _watch(client, hr, [credential["id"]], receiver.url)
    client.post(f"{path}/suspend", headers=staff)
    client.post(f"{path}/unsuspend", headers=staff)
    client.post(f"{path}/suspend", headers=staff)
    quick = settings.model_copy(update={"webhook_timeout_s": 0.5})
    receiver.default = Answer(204, delay=3.0)
    started = time.monotonic()
    now = datetime.now(UTC)
    assert _deliver(app, quick, now) == 0
    # One timeout for the pass, not one an event: the others wait with the first.
    assert time.monotonic() - started < 2.0
    assert len(receiver.received) == 1
    first, *others = _events(app)
    assert first.state == "pending" and first.last_status is None
    assert first.last_error == "no answer within 0.5 s"
    for event in others:
        assert (event.state, event.attempts) == ("pending", 1)
        assert event.next_attempt_at == first.next_attempt_at == now + timedelta(seconds=30)
        assert (event.last_error or "").startswith("not sent: the receiver did not answer")


def test_a_slow_receiver_holds_up_only_its_own_events(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    path = f"/api/v1/credentials/{credential['id']}"
    with receiving() as slow:
        slow.default = Answer(204, delay=1.0)
        _watch(client, hr, [credential["id"]], slow.url)
        _watch(client, hr, [credential["id"]], receiver.url)
        client.post(f"{path}/suspend", headers=staff)
        client.post(f"{path}/unsuspend", headers=staff)
        client.post(f"{path}/suspend", headers=staff)
        passing = threading.Thread(target=_deliver, args=(app, settings))
        passing.start()
        # The quick receiver has all three while the slow one is still at its first.
        assert len(receiver.wait_for(3, timeout=0.9)) == 3
        assert len(slow.received) == 1
        passing.join()
        types = [json.loads(r.body)["type"] for r in slow.received]
    assert types == ["credential.suspended", "credential.unsuspended", "credential.suspended"]


def test_an_unreachable_receiver_is_given_up_after_a_day(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    watch = _watch(client, hr, [credential["id"]], receiver.url)
    client.post(
        f"/api/v1/credentials/{credential['id']}/revoke", json={"reason": "r"}, headers=staff
    )
    receiver.default = Answer(503)
    at = datetime.now(UTC)
    for _ in range(30):
        _deliver(app, settings, at)
        [event] = _events(app)
        if event.state == "failed":
            break
        assert event.next_attempt_at - at <= delivery.MAX_RETRY_WAIT
        at = event.next_attempt_at
    assert event.state == "failed"
    assert event.last_error == "given up: answered 503"
    assert 10 <= event.attempts <= 16  # exponential backoff over a day, not a flood
    assert (event.last_attempt_at or at) - event.created_at <= timedelta(hours=24)
    shown = client.get(f"{WATCHES}/{watch['id']}", headers=hr).json()
    assert shown["deliveries"] == {"pending": 0, "delivered": 0, "failed": 1}


def test_events_survive_a_worker_that_dies_mid_send(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    watch = _watch(client, hr, [credential["id"]], receiver.url)
    client.post(f"/api/v1/credentials/{credential['id']}/suspend", headers=staff)
    now = datetime.now(UTC)
    # A worker claims the event and dies before sending it (its claim is committed).
    assert len(delivery._claim(app.state.resources.sessions, settings, now)) == 1
    assert _deliver(app, settings, now) == 0  # under the dead worker's lease
    [event] = _events(app)
    assert event.state == "sending"
    # Once the lease has run out, another pass sends it.
    assert _deliver(app, settings, (event.lease_until or now) + timedelta(seconds=1)) == 1
    _verified(watch["secret"], receiver.received[0])
    [event] = _events(app)
    assert (event.state, event.attempts) == ("delivered", 2)


_KILLED_WORKER = """
import sys
from datetime import UTC, datetime
from pydantic import SecretStr
from app.db import make_engine, make_sessionmaker
from app.settings import Settings
from app.webhooks.delivery import deliver_due

settings = Settings(
    _env_file=None,
    database_url=sys.argv[1],
    base_url="http://testserver",
    key_passphrase=SecretStr("a worker killed mid-send"),
    fetch_allow="127.0.0.1",
    webhook_timeout_s=30,
)
deliver_due(make_sessionmaker(make_engine(sys.argv[1])), settings, datetime.now(UTC))
"""


def test_an_event_survives_a_worker_killed_while_the_receiver_answers(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    watch = _watch(client, hr, [credential["id"]], receiver.url)
    client.post(
        f"/api/v1/credentials/{credential['id']}/revoke", json={"reason": "r"}, headers=staff
    )
    receiver.script = [Answer(204, delay=20.0)]  # the worker dies before this answer
    worker = subprocess.Popen(  # noqa: S603 - our own code
        [sys.executable, "-c", _KILLED_WORKER, settings.database_url], cwd=ROOT
    )
    try:
        assert len(receiver.wait_for(1, timeout=30)) == 1
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    [event] = _events(app)
    assert (event.state, event.attempts) == ("sending", 1)
    assert _deliver(app, settings) == 0  # still under the dead worker's lease
    assert (
        _deliver(app, settings, (event.lease_until or datetime.now(UTC)) + timedelta(seconds=1))
        == 1
    )
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == str(event.id)
    assert _verified(watch["secret"], second)["type"] == "credential.revoked"
    [event] = _events(app)
    assert (event.state, event.attempts, event.last_status) == ("delivered", 2, 204)


def test_a_deleted_watch_gets_nothing_more(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    admin_headers: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    watch = _watch(client, hr, [credential["id"]], receiver.url)
    client.post(f"/api/v1/credentials/{credential['id']}/suspend", headers=staff)
    # An administrator sees every watch.
    assert client.get(f"{WATCHES}/{watch['id']}", headers=admin_headers).status_code == 200
    other = issue(client, staff, achievement_id, recipient={"email": "hanako@example.jp"})
    other_hr = _key(app, issuer_id=None, is_admin=False, is_hr=True)
    _watch(client, other_hr, [other["id"]], receiver.url)
    assert client.get(WATCHES, headers=admin_headers).json()["total"] == 2
    assert client.get(WATCHES, headers=hr).json()["total"] == 1
    assert client.delete(f"{WATCHES}/{watch['id']}", headers=hr).status_code == 204
    assert client.get(f"{WATCHES}/{watch['id']}", headers=hr).status_code == 404
    assert client.delete(f"{WATCHES}/{watch['id']}", headers=hr).status_code == 404
    client.post(f"/api/v1/credentials/{credential['id']}/unsuspend", headers=staff)
    assert _deliver(app, settings) == 0 and receiver.received == []
    assert _events(app) == []


def test_a_withdrawn_hr_key_is_told_nothing_more(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    admin_headers: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    credential = issue(client, staff, achievement_id)
    path = f"/api/v1/credentials/{credential['id']}"
    _watch(client, hr, [credential["id"]], receiver.url)
    client.post(f"{path}/suspend", headers=staff)  # recorded while the key was active
    [key] = [
        k
        for k in client.get("/api/v1/apikeys", headers=admin_headers).json()["items"]
        if k["scope"] == "hr"
    ]
    assert client.post(f"/api/v1/apikeys/{key['id']}/revoke", headers=admin_headers).is_success
    client.post(f"{path}/unsuspend", headers=staff)  # not recorded
    assert _deliver(app, settings) == 0 and receiver.received == []
    [event] = _events(app)
    assert (event.type, event.state) == ("credential.suspended", "failed")
    assert event.last_error == "the watch's key is revoked"


# --- the workers -------------------------------------------------------------------------


class _Kicks:
    """A job queue that only records what is asked of it."""

    def __init__(self) -> None:
        self.deferred: list[str] = []

    def defer(self, task: str, arguments: dict[str, Any], **options: Any) -> bool:
        self.deferred.append(task)
        return True

    def kick(self, task: str) -> None:
        self.deferred.append(task)

    def close(self) -> None:
        pass


def test_the_workers_know_the_webhook_tasks_and_the_expiry_task_kicks_delivery(
    app: FastAPI,
    client: TestClient,
    settings: Settings,
    hr: dict[str, str],
    staff: dict[str, str],
    achievement_id: str,
    receiver: Receiver,
) -> None:
    from app.jobs import registry
    from app.jobs.base import WorkContext
    from app.webhooks import tasks

    assert tasks.DELIVER_DUE in registry.by_name()
    periodic = {p.name: p.cron for p in registry.periodic_tasks()}
    assert periodic[tasks.DELIVER] == "* * * * * */5" and periodic[tasks.EXPIRY] == "* * * * *"

    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    credential = issue(client, staff, achievement_id, valid_until=soon)
    _watch(client, hr, [credential["id"]], receiver.url)
    resources = app.state.resources
    kicks = _Kicks()
    running = settings.model_copy(update={"webhooks_paused": False})

    class Later(WorkContext):
        @staticmethod
        def now() -> datetime:
            return datetime.now(UTC) + timedelta(minutes=6)

    context = Later(running, resources.sessions, resources.keyring, resources.urls, kicks)
    tasks.expiry(context)
    assert kicks.deferred == [tasks.DELIVER_DUE]
    tasks.deliver(context)
    assert json.loads(receiver.received[0].body)["type"] == "credential.expired"
    tasks.expiry(context)  # told once
    assert kicks.deferred == [tasks.DELIVER_DUE]
    paused = Later(settings, resources.sessions, resources.keyring, resources.urls, kicks)
    tasks.kick(kicks, settings)  # paused: nothing asked
    tasks.expiry(paused)
    assert kicks.deferred == [tasks.DELIVER_DUE]


def test_the_servers_own_workers_deliver_at_once(
    database_url: str,
    settings: Settings,
    receiver: Receiver,
) -> None:
    from tests.app.test_credentials import make_achievement

    live = settings.model_copy(update={"webhooks_paused": False, "jobs_run_in": "server"})
    app = create_app(live)
    try:
        with TestClient(app) as client:
            admin = _key(app, issuer_id=None, is_admin=True)
            issuer = client.post(
                "/api/v1/issuers",
                json={
                    "slug": "ai-exam",
                    "name": "AIリテラシー検定協会",
                    "url": "https://ai-exam.example.jp/",
                    "email": "badges@ai-exam.example.jp",
                },
                headers=admin,
            ).json()
            staff = _key(app, issuer_id=uuid.UUID(issuer["id"]), is_admin=False)
            achievement_id = make_achievement(app, issuer["id"])
            credential = issue(client, staff, achievement_id)
            hr = _key(app, issuer_id=None, is_admin=False, is_hr=True)
            watch = _watch(client, hr, [credential["id"]], receiver.url)
            client.post(f"/api/v1/credentials/{credential['id']}/suspend", headers=staff)
            [received] = receiver.wait_for(1, timeout=10)
            assert _verified(watch["secret"], received)["type"] == "credential.suspended"
    finally:
        empty_tables(database_url)
