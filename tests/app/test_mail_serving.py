"""``shomei serve`` sends the outbox by itself: a credential issued through a real server
reaches the loopback SMTP server, or the ``.eml`` directory, with no other process."""

from __future__ import annotations

import email
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from app.mail.inbox import Inbox
from app.settings import Settings
from tests.app.conftest import TEST_PASSPHRASE
from tests.app.processes import serve

pytestmark = pytest.mark.slow


def _wait(condition: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        "SHOMEI_DATABASE_URL": settings.database_url,
        "SHOMEI_KEY_PASSPHRASE": TEST_PASSPHRASE,
        "SHOMEI_JOBS_RUN_IN": "server",  # on PostgreSQL too: no `shomei worker` here
        "SHOMEI_MAIL_FROM": "badges@ai-exam.example.jp",
        **extra,
    }


def test_serve_sends_the_mail_of_a_credential_it_issued(
    settings: Settings, staff: dict[str, str], achievement_id: str, tmp_path: Path
) -> None:
    with Inbox() as inbox, serve(_env(settings, SHOMEI_SMTP_URL=inbox.url), tmp_path) as server:
        issued = httpx.post(
            f"{server.url}/api/v1/credentials",
            json={"achievement_id": achievement_id, "recipient": {"email": "p@example.com"}},
            headers=staff,
            timeout=30,
        )
        assert issued.status_code == 201, issued.text
        assert _wait(lambda: len(inbox.received) == 1), server.log.read_text()
        url = f"{server.url}/api/v1/credentials/{issued.json()['id']}"
        assert _wait(
            lambda: httpx.get(url, headers=staff).json()["notification"]["state"] == "sent"
        )
    assert f"sending through smtp://127.0.0.1:{inbox.port}" in server.log.read_text()
    message = email.message_from_bytes(inbox.received[0].content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None and f"{server.url}/claim/" in str(body.get_content())


def test_without_smtp_serve_writes_eml_files_and_logs_where(
    settings: Settings, staff: dict[str, str], achievement_id: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "mails"
    with serve(_env(settings, SHOMEI_MAIL_OUTBOX_DIR=str(outbox)), tmp_path) as server:
        issued = httpx.post(
            f"{server.url}/api/v1/credentials",
            json={"achievement_id": achievement_id, "recipient": {"email": "p@example.com"}},
            headers=staff,
            timeout=30,
        )
        assert issued.status_code == 201, issued.text
        assert _wait(lambda: len(list(outbox.glob("*.eml"))) == 1), server.log.read_text()
        [written] = outbox.glob("*.eml")
        assert _wait(lambda: str(written) in server.log.read_text())
    log = server.log.read_text()
    assert f"mails are written as .eml files under {outbox}" in log
    assert "p@example.com" not in log
