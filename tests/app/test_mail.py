"""Mail to passers, sent to a real SMTP server on loopback and read back as it arrived."""

from __future__ import annotations

import base64
import email
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from app.claims import service as claims
from app.claims.models import Claim
from app.mail import sender
from app.mail.inbox import Inbox, Received
from app.mail.models import OutboxMessage
from app.mail.sender import deliver_due
from app.settings import Settings
from tests.app.processes import ROOT

FROM = "badges@ai-exam.example.jp"
PASSER = "taro.yamada@example.com"
CLAIM_LINK = re.compile(r"http://testserver/claim/([A-Za-z0-9_-]+)")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with Inbox() as server:
        yield server


@pytest.fixture
def smtp(settings: Settings, inbox: Inbox) -> Settings:
    """The service's settings, sending to the loopback server."""
    return settings.model_copy(update={"smtp_url": SecretStr(inbox.url), "mail_from": FROM})


@pytest.fixture
def mail_app(smtp: Settings) -> Iterator[FastAPI]:
    """The service queueing mail as ``smtp`` says (sender address, base URL)."""
    from app.main import create_app
    from tests.database import empty_tables

    yield create_app(smtp)
    empty_tables(smtp.database_url)


def _issue(client: TestClient, staff: dict[str, str], achievement_id: str, **extra: Any) -> Any:
    recipient = {"email": PASSER, "name": "山田 太郎"} | extra.pop("recipient", {})
    body = {"achievement_id": achievement_id, "recipient": recipient} | extra
    response = client.post("/api/v1/credentials", json=body, headers=staff)
    assert response.status_code == 201, response.text
    return response.json()


def _parsed(received: Received) -> EmailMessage:
    message = email.message_from_bytes(received.content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _address(received: Received, header: str) -> tuple[str, str]:
    """A header's display name and address, decoded per RFC 2047 §6.2 (the whitespace
    between adjacent encoded words is dropped, which ``policy.default`` does not do)."""
    raw = email.message_from_bytes(received.content, policy=policy.compat32)[header]
    return parseaddr(str(make_header(decode_header(raw))))


def _parts(message: EmailMessage) -> dict[str, str]:
    return {
        part.get_content_type(): str(part.get_content())
        for part in message.walk()
        if not part.is_multipart()
    }


def _state(client: TestClient, staff: dict[str, str], credential_id: str) -> Any:
    return client.get(f"/api/v1/credentials/{credential_id}", headers=staff).json()["notification"]


def test_a_passer_gets_one_mail_with_both_parts_and_a_claim_link(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
) -> None:
    sessions = app.state.resources.sessions
    credential = _issue(client, staff, achievement_id)
    assert credential["notification"]["state"] == "queued"
    assert credential["notification"]["language"] == "ja"
    now = datetime.now(UTC)
    assert deliver_due(sessions, smtp, now) == 1
    assert deliver_due(sessions, smtp, now) == 0  # once
    [received] = inbox.received
    assert received.rcpt_tos == (PASSER,)
    assert received.mail_from == FROM  # the envelope's, as the sender is configured
    message = _parsed(received)
    assert _address(received, "From") == ("一般社団法人 AIリテラシー検定協会", FROM)
    assert "=?utf-8?" in received.content.decode().split("\r\nTo:")[0]  # RFC 2047 encoded
    assert message["To"].addresses[0].addr_spec == PASSER
    assert message["Content-Language"] == "ja"
    assert "生成AI活用検定 ジェネラリスト" in message["Subject"]
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert message["Message-ID"] == row.message_id
        assert re.fullmatch(r"<[0-9a-f-]{36}@testserver>", row.message_id)
        assert row.claim_token is None  # erased once sent: the link is in clear nowhere
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    assert "山田 太郎 様" in parts["text/plain"]
    assert "生成AI活用検定 ジェネラリスト" in parts["text/plain"]
    [token] = set(CLAIM_LINK.findall(parts["text/plain"]))
    assert CLAIM_LINK.findall(parts["text/html"])[0] == token
    assert len(base64.urlsafe_b64decode(token + "==")) * 8 >= 128
    with sessions() as session:
        claim = claims.find_claim(session, token, now=now)
        assert claim is not None and str(claim.credential_id) == credential["id"]
        stored = session.scalars(select(Claim.token_hash)).all()
        assert stored == [claims.token_hash(token)] and token not in stored
        assert claim.expires_at - now > timedelta(days=179)
        assert claims.find_claim(session, token, now=now + timedelta(days=181)) is None
        assert claims.find_claim(session, _forged(token), now=now) is None
    notification = _state(client, staff, credential["id"])
    assert notification["state"] == "sent"
    assert notification["last_error"].startswith("250 ")
    assert notification["attempts"] == 1
    sent = client.get("/api/v1/audit", params={"action": "mail.send"}, headers=staff).json()[
        "items"
    ]
    assert [e["subject_id"] for e in sent] == [credential["id"]]
    assert sent[0]["actor"] == "service"


def test_the_mail_is_in_the_passers_language(
    mail_app: FastAPI, smtp: Settings, inbox: Inbox, admin_headers: Any
) -> None:
    from tests.app.conftest import _key
    from tests.app.test_credentials import make_achievement

    with TestClient(mail_app) as client:
        headers = {"Authorization": f"Bearer {_key(mail_app, issuer_id=None, is_admin=True)}"}
        issuer = client.post(
            "/api/v1/issuers",
            json={
                "slug": "ai-exam",
                "name": "一般社団法人 AIリテラシー検定協会",
                "name_translations": {"en": "AI Literacy Examination Association"},
                "url": "https://ai-exam.example.jp/",
                "email": "badges@ai-exam.example.jp",
            },
            headers=headers,
        ).json()
        achievement_id = make_achievement(mail_app, issuer["id"])
        _issue(client, headers, achievement_id, recipient={"language": "en", "name": "Taro"})
        assert deliver_due(mail_app.state.resources.sessions, smtp, datetime.now(UTC)) == 1
    [received] = inbox.received
    assert received.mail_from == FROM
    message = _parsed(received)
    assert _address(received, "From") == ("AI Literacy Examination Association", FROM)
    assert message["Content-Language"] == "en"
    assert message["Subject"] == "Your digital badge: Generative AI Literacy: Generalist"
    text = _parts(message)["text/plain"]
    assert text.startswith("Dear Taro,")
    assert "AI Literacy Examination Association has issued you" in text
    assert CLAIM_LINK.search(text)


def test_notify_false_queues_no_mail(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str, smtp: Settings
) -> None:
    credential = _issue(client, staff, achievement_id, notify=False)
    assert credential["notification"] is None
    assert deliver_due(app.state.resources.sessions, smtp, datetime.now(UTC)) == 0
    with app.state.resources.sessions() as session:
        assert session.scalars(select(Claim)).all() == []


def test_issuing_the_same_external_id_again_queues_no_second_mail(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    body = {"achievement_id": achievement_id, "recipient": {"email": PASSER}, "external_id": "7"}
    assert client.post("/api/v1/credentials", json=body, headers=staff).status_code == 201
    again = client.post("/api/v1/credentials", json=body, headers=staff)
    assert again.status_code == 200 and again.json()["notification"]["state"] == "queued"
    with app.state.resources.sessions() as session:
        assert len(session.scalars(select(OutboxMessage)).all()) == 1


def test_sending_is_throttled_per_minute(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
) -> None:
    throttled = smtp.model_copy(update={"mail_per_minute": 2})
    for i in range(3):
        _issue(client, staff, achievement_id, recipient={"email": f"p{i}@example.com"})
    sessions, now = app.state.resources.sessions, datetime.now(UTC)
    assert deliver_due(sessions, throttled, now) == 2
    assert deliver_due(sessions, throttled, now + timedelta(seconds=30)) == 0
    assert deliver_due(sessions, throttled, now + timedelta(seconds=61)) == 1
    assert len(inbox.received) == 3


def test_a_temporary_failure_is_retried_with_backoff_and_sent_once(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
) -> None:
    credential = _issue(client, staff, achievement_id)
    inbox.reply_next("451 4.3.0 Try again later")
    sessions, now = app.state.resources.sessions, datetime.now(UTC)
    assert deliver_due(sessions, smtp, now) == 0
    notification = _state(client, staff, credential["id"])
    assert notification["state"] == "queued"
    assert notification["attempts"] == 1
    assert notification["last_error"] == "451 4.3.0 Try again later"
    assert deliver_due(sessions, smtp, now + timedelta(seconds=30)) == 0  # not due yet
    assert deliver_due(sessions, smtp, now + timedelta(seconds=61)) == 1
    assert len(inbox.received) == 1
    notification = _state(client, staff, credential["id"])
    assert (notification["state"], notification["attempts"]) == ("sent", 2)


def test_the_backoff_doubles_and_a_mail_too_old_is_given_up(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
) -> None:
    credential = _issue(client, staff, achievement_id)
    inbox.reply_next("421 4.7.0 Busy", "421 4.7.0 Busy", "421 4.7.0 Busy")
    sessions, now = app.state.resources.sessions, datetime.now(UTC)
    assert deliver_due(sessions, smtp, now) == 0
    assert deliver_due(sessions, smtp, now + timedelta(seconds=61)) == 0
    due = datetime.fromisoformat(_state(client, staff, credential["id"])["next_attempt_at"])
    assert timedelta(seconds=119) < due - (now + timedelta(seconds=61)) <= timedelta(seconds=120)
    assert deliver_due(sessions, smtp, now + timedelta(hours=73)) == 0
    notification = _state(client, staff, credential["id"])
    assert notification["state"] == "failed"
    assert notification["last_error"] == "421 4.7.0 Busy (given up: too old to retry)"
    assert inbox.received == []


def test_a_permanent_refusal_fails_with_the_servers_reply(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    credential = _issue(client, staff, achievement_id)
    inbox.reply_next(f"550 5.1.1 <{PASSER}>: Recipient address rejected")
    sessions, now = app.state.resources.sessions, datetime.now(UTC)
    assert deliver_due(sessions, smtp, now) == 0
    assert deliver_due(sessions, smtp, now + timedelta(days=1)) == 0  # never again
    assert inbox.received == []
    notification = _state(client, staff, credential["id"])
    assert notification["state"] == "failed"
    assert notification["last_error"] == f"550 5.1.1 <{PASSER}>: Recipient address rejected"
    assert notification["next_attempt_at"] is None
    failed = client.get("/api/v1/audit", params={"action": "mail.fail"}, headers=staff).json()
    assert failed["items"][0]["details"]["reply"].startswith("550 5.1.1")
    assert "550 5.1.1" in caplog.text and PASSER not in caplog.text  # no address in the log


def test_an_unreachable_server_is_a_temporary_failure(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str, smtp: Settings
) -> None:
    credential = _issue(client, staff, achievement_id)
    with Inbox() as closed:
        url = closed.url
    nowhere = smtp.model_copy(update={"smtp_url": SecretStr(url), "smtp_timeout_s": 2.0})
    assert deliver_due(app.state.resources.sessions, nowhere, datetime.now(UTC)) == 0
    notification = _state(client, staff, credential["id"])
    assert notification["state"] == "queued"
    assert "ConnectionRefusedError" in notification["last_error"]


def test_a_mail_whose_sender_died_is_sent_after_its_lease(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
) -> None:
    _issue(client, staff, achievement_id)
    sessions, now = app.state.resources.sessions, datetime.now(UTC)
    assert len(sender._claim(sessions, smtp, now)) == 1  # claimed, then the sender "dies"
    assert deliver_due(sessions, smtp, now + timedelta(seconds=10)) == 0  # still leased
    assert deliver_due(sessions, smtp, now + timedelta(seconds=301)) == 1
    assert len(inbox.received) == 1


def test_two_senders_never_send_one_mail_twice(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
) -> None:
    for i in range(4):
        _issue(client, staff, achievement_id, recipient={"email": f"p{i}@example.com"})
    sessions, now = app.state.resources.sessions, datetime.now(UTC)
    first = sender._claim(sessions, smtp, now)
    second = sender._claim(sessions, smtp, now)
    assert len(first) == 4 and second == []


def test_a_sender_killed_mid_send_loses_no_mail(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    settings: Settings,
    inbox: Inbox,
    tmp_path: Path,
) -> None:
    """A real ``shomei mail send-due`` is killed (SIGKILL) while the server holds its mail."""
    _issue(client, staff, achievement_id)
    holding, release = inbox.hold()
    env = {
        "SHOMEI_DATABASE_URL": settings.database_url,
        "SHOMEI_SMTP_URL": inbox.url,
        "SHOMEI_MAIL_FROM": FROM,
        "SHOMEI_BASE_URL": settings.base_url,
        "SHOMEI_KEY_PASSPHRASE": "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "mail", "send-due"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert holding.wait(60), process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    release.set()  # the held DATA never completes: its sender was killed
    sessions, now = app.state.resources.sessions, datetime.now(UTC)
    smtp = settings.model_copy(update={"smtp_url": SecretStr(inbox.url)})
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.state, row.attempts) == ("sending", 1)
        message_id = row.message_id
    assert deliver_due(sessions, smtp, now) == 0  # leased to the dead sender
    later = now + timedelta(seconds=settings.mail_lease_s + 1)
    assert deliver_due(sessions, smtp, later) == 1
    [received] = inbox.received
    assert _parsed(received)["Message-ID"] == message_id


def test_without_smtp_mails_are_written_as_eml_files(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    credential = _issue(client, staff, achievement_id)
    files = settings.model_copy(update={"mail_outbox_dir": tmp_path / "outbox"})
    caplog.set_level("INFO", logger="shomei.mail")
    assert deliver_due(app.state.resources.sessions, files, datetime.now(UTC)) == 1
    [written] = list((tmp_path / "outbox").glob("*.eml"))
    message = email.message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == PASSER
    assert str(written.resolve()) in caplog.text
    assert (
        _state(client, staff, credential["id"])["last_error"] == f"written to {written.resolve()}"
    )
    assert PASSER not in caplog.text
    assert "under " + str((tmp_path / "outbox").resolve()) in sender.describe_transport(files)


def test_a_dkim_signature_verifies_against_the_published_key(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
    tmp_path: Path,
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "dkim.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    signing = smtp.model_copy(update={"dkim_key_file": key_file, "dkim_selector": "shomei1"})
    _issue(client, staff, achievement_id)
    assert deliver_due(app.state.resources.sessions, signing, datetime.now(UTC)) == 1
    [received] = inbox.received
    asked: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return record

    assert dkim.verify(received.content, dnsfunc=dns)
    assert asked == [b"shomei1._domainkey.ai-exam.example.jp."]
    signature = _parsed(received)["DKIM-Signature"]
    assert "d=ai-exam.example.jp" in signature and "s=shomei1" in signature
    tampered = received.content.replace(b"Subject: ", b"Subject: Re: ", 1)
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_a_name_cannot_add_headers_or_markup(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
) -> None:
    name = "Taro\r\nBcc: victim@evil.example\r\n<b onclick=x>Yamada</b>"
    _issue(client, staff, achievement_id, recipient={"name": name})
    assert deliver_due(app.state.resources.sessions, smtp, datetime.now(UTC)) == 1
    [received] = inbox.received
    assert received.rcpt_tos == (PASSER,)
    assert not re.search(rb"(?mi)^bcc:", received.content)
    message = _parsed(received)
    assert message["Bcc"] is None
    [to] = message["To"].addresses
    assert to.addr_spec == PASSER
    assert to.display_name == "Taro Bcc: victim@evil.example <b onclick=x>Yamada</b>"
    html = _parts(message)["text/html"]
    assert "<b onclick" not in html
    assert "&lt;b onclick=x&gt;Yamada&lt;/b&gt;" in html


def test_the_background_jobs_send_the_outbox_unless_paused(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
) -> None:
    from app.jobs import registry
    from app.jobs.base import WorkContext
    from app.mail import tasks

    assert tasks.SEND_DUE in registry.by_name()
    assert tasks.OUTBOX in {p.name for p in registry.periodic_tasks()}
    _issue(client, staff, achievement_id)
    resources = app.state.resources

    def context(settings: Settings) -> WorkContext:
        return WorkContext(
            settings, resources.sessions, resources.keyring, resources.urls, resources.jobs
        )

    tasks.send_due(context(smtp.model_copy(update={"mail_paused": True})))
    assert inbox.received == []
    tasks.send_due(context(smtp.model_copy(update={"mail_paused": False})))
    assert len(inbox.received) == 1


def test_a_batch_queues_its_notifications_together(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    smtp: Settings,
    inbox: Inbox,
) -> None:
    from app.credentials.models import IssuedCredential
    from app.mail.outbox import queue_notifications

    ids = [
        _issue(client, staff, achievement_id, notify=False, recipient={"email": f"b{i}@x.jp"})["id"]
        for i in range(3)
    ]
    sessions, now = app.state.resources.sessions, datetime.now(UTC)
    with sessions() as session:
        credentials = session.scalars(select(IssuedCredential)).all()
        english = {credentials[0].id: "en"}
        queued = queue_notifications(
            session, credentials, settings=smtp, now=now, languages=english
        )
        session.commit()
        assert len(queued) == 3
        rows = session.scalars(select(OutboxMessage)).all()
        assert sorted(str(r.credential_id) for r in rows) == sorted(ids)
        assert {r.credential_id: r.language for r in rows}[credentials[0].id] == "en"
        assert (
            len({r.message_id for r in rows})
            == len(set(session.scalars(select(Claim.token_hash))))
            == 3
        )
    assert deliver_due(sessions, smtp, now) == 3
    assert sorted(r.rcpt_tos[0] for r in inbox.received) == ["b0@x.jp", "b1@x.jp", "b2@x.jp"]


def _forged(token: str) -> str:
    """``token`` with its first character changed (always a different token)."""
    return ("B" if token[0] == "A" else "A") + token[1:]
