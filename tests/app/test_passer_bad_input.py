"""Hostile input on a passer's way: a spreadsheet name that tries to add mail headers or
markup, and the links of a mistyped address after staff correct it.

(The API's own names, forged, expired and reused links are in test_mail.py, test_claims.py
and test_credential_page.py.)
"""

from __future__ import annotations

import contextlib
import email
import re
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import event

from app.claims import page as claim_page
from app.claims import service as claims
from app.credentials import unclaimed
from app.credentials.models import IssuedCredential
from app.errors import ConflictError
from app.mail.inbox import Inbox
from app.mail.sender import deliver_due
from app.settings import Settings
from tests.app.conftest import TEST_PASSPHRASE
from tests.app.test_claims import claim_token

HOSTILE = 'Taro\r\nBcc: victim@evil.example\r\n<img src=x onerror="alert(1)">Yamada'
HOSTILE_EN = "Jiro\nTo: all@evil.example\n<script>alert(2)</script>"
PASSER = "taro@example.jp"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with Inbox() as server:
        yield server


@pytest.fixture
def settings(database_url: str, inbox: Inbox) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        base_url="http://testserver",
        key_passphrase=SecretStr(TEST_PASSPHRASE),
        jobs_run_in="server",  # the batch is issued by the app's own job thread
        mail_paused=True,  # and its mail sent by the test, when it chooses
        smtp_url=SecretStr(inbox.url),
        mail_from="badges@ai-exam.example.jp",
    )


def _csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _issue_batch(client: TestClient, staff: dict[str, str], achievement_id: str) -> None:
    rows = [
        "external_id,email,name,name_en,language",
        f"R-1,{PASSER},{_csv_field(HOSTILE)},,ja",
        f"R-2,jiro@example.jp,山田 次郎,{_csv_field(HOSTILE_EN)},en",
    ]
    preview = client.post(
        "/api/v1/batches",
        data={"achievement_id": achievement_id},
        files={"file": ("passers.csv", "\r\n".join(rows).encode() + b"\r\n", "text/csv")},
        headers=staff,
    )
    assert preview.status_code == 201, preview.text
    assert preview.json()["counts"]["ok"] == 2, preview.json()
    batch = preview.json()["id"]
    assert client.post(f"/api/v1/batches/{batch}/start", headers=staff).status_code == 202
    deadline = time.monotonic() + 60
    while client.get(f"/api/v1/batches/{batch}", headers=staff).json()["state"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_a_spreadsheet_name_adds_no_header_or_recipient_and_no_markup(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    settings: Settings,
    inbox: Inbox,
) -> None:
    _issue_batch(client, staff, achievement_id)
    assert deliver_due(app.state.resources.sessions, settings, datetime.now(UTC)) == 2
    assert sorted(r.rcpt_tos for r in inbox.received) == [("jiro@example.jp",), (PASSER,)]
    for received in inbox.received:
        assert not re.search(rb"(?mi)^(bcc|cc):", received.content)
        assert not re.search(rb"(?mi)^to: *all@", received.content)
        message = email.message_from_bytes(received.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        assert message["Bcc"] is None and message["Cc"] is None
        [to] = message["To"].addresses
        assert to.addr_spec == received.rcpt_tos[0]
        html = message.get_body(("html",))
        assert html is not None
        body = str(html.get_content())
        assert "<img src=x" not in body and "<script>" not in body

    listed = client.get("/api/v1/credentials", params={"external_id": "R-1"}, headers=staff)
    [credential] = listed.json()["items"]
    [mail] = [r for r in inbox.received if r.rcpt_tos == (PASSER,)]
    plain = email.message_from_bytes(mail.content, policy=policy.default).get_body(("plain",))
    assert isinstance(plain, EmailMessage)
    [token] = re.findall(r"/claim/([A-Za-z0-9_-]{43})", plain.get_content())
    for path in (
        f"/claim/{token}",
        credential["public_url"].removeprefix("http://testserver"),
    ):
        page = client.get(path, headers={"Accept": "text/html"}).text
        assert "<img src=x" not in page and "<script>alert" not in page
        assert "&lt;img src=x onerror=" in page  # shown, as text


def test_links_mailed_to_a_mistyped_address_stop_working_once_corrected(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    issued = client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "taro@exmaple.jp"}},
        headers=staff,
    ).json()
    typo = claim_token(app, issued["id"])
    assert client.get(f"/claim/{typo}").status_code == 200
    changed = client.patch(
        f"/api/v1/credentials/{issued['id']}", json={"recipient_email": PASSER}, headers=staff
    )
    assert changed.status_code == 200, changed.text
    fresh = claim_token(app, issued["id"])
    assert fresh != typo
    # The stranger's link: expired, and it accepts nothing.
    assert client.get(f"/claim/{typo}").status_code == 410
    refused = client.post(f"/claim/{typo}/accept", data={"csrf": claim_page.form_token(typo)})
    assert refused.status_code == 410
    staff_view = client.get(f"/api/v1/credentials/{issued['id']}", headers=staff).json()
    assert staff_view["claimed_at"] is None
    # The passer's link works.
    accepted = client.post(f"/claim/{fresh}/accept", data={"csrf": claim_page.form_token(fresh)})
    assert accepted.status_code == 200 and 'id="accepted"' in accepted.text


def test_an_accept_and_an_address_change_at_the_same_moment_do_not_both_happen(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    """Each transaction runs its statements, then waits for the other at commit (or until
    the database makes it wait): either the claim wins and the change is refused, or the
    change wins and the old link accepts nothing; never both."""
    issued = client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "taro@exmaple.jp"}},
        headers=staff,
    ).json()
    token = claim_token(app, issued["id"])
    resources = app.state.resources
    at_commit = threading.Barrier(2)

    def wait_for_the_other(_: Any) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            at_commit.wait(timeout=3)

    def accept() -> bool:
        with resources.sessions() as session:
            found = claims.look_up(session, token, now=datetime.now(UTC))
            assert found.claim is not None
            issuer_id = session.get_one(IssuedCredential, found.claim.credential_id).issuer_id
            event.listen(session, "before_commit", wait_for_the_other)
            return claims.accept(session, found.claim, issuer_id, now=datetime.now(UTC))

    def change() -> bool:
        with resources.sessions() as session:
            credential = session.get_one(IssuedCredential, uuid.UUID(issued["id"]))
            event.listen(session, "before_commit", wait_for_the_other)
            try:
                unclaimed.change_address(
                    session,
                    resources.keyring,
                    resources.urls,
                    credential,
                    PASSER,
                    datetime.now(UTC),
                    settings=resources.settings,
                    actor=None,
                )
            except ConflictError:
                return False
            return True

    with ThreadPoolExecutor(max_workers=2) as pool:
        accepted, changed = pool.submit(accept), pool.submit(change)
        outcome = (accepted.result(), changed.result())
    assert outcome in ((True, False), (False, True))
    after = client.get(f"/api/v1/credentials/{issued['id']}", headers=staff).json()
    assert (after["claimed_at"] is not None, after["recipient_email"] == PASSER) == outcome
