"""The console's view of a passer's claim and mail, and its resend and address forms."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.claims import page as claim_page
from app.console.models import ConsoleSession
from app.mail.models import OutboxMessage
from tests.app.test_claims import claim_token
from tests.app.test_console import bearer, sign_in, token_of
from tests.app.test_credentials import issue, make_achievement

EMAIL = "taro@example.jp"
REPLY = "550 5.1.1 <taro@example.jp>: Recipient address rejected <b>unknown</b>"


@pytest.fixture
def passer(client: TestClient, app: FastAPI, make_issuer: Any) -> dict[str, Any]:
    """A credential issued (its notification queued), and the console signed in as staff."""
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"], image="png")
    credential = issue(client, staff, achievement, recipient={"email": EMAIL, "name": "山田 太郎"})
    assert sign_in(client, bearer(staff)).status_code == 303
    path = f"/console/credentials/{credential['id']}"
    return credential | {"staff": staff, "path": path, "csrf": token_of(client.get(path).text)}


def _notifications(app: FastAPI, credential_id: str) -> list[OutboxMessage]:
    with app.state.resources.sessions() as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.credential_id == uuid.UUID(credential_id))
            .order_by(OutboxMessage.queued_at, OutboxMessage.id)
        ).all()
        session.expunge_all()
        return list(rows)


def _accept(client: TestClient, app: FastAPI, credential_id: str) -> None:
    token = claim_token(app, credential_id)
    client.post(f"/claim/{token}/accept", data={"csrf": claim_page.form_token(token)})


def test_the_page_shows_the_mail_state_and_the_servers_reply_then_the_claim(
    client: TestClient, app: FastAPI, passer: dict[str, Any]
) -> None:
    html = client.get(passer["path"], headers={"Accept-Language": "en"}).text
    assert 'id="claim-state" data-claimed="false">Not yet accepted' in html
    assert 'data-state="queued">Queued' in html
    assert 'action="/console/credentials/{}/resend"'.format(passer["id"]) in html
    assert 'action="/console/credentials/{}/address"'.format(passer["id"]) in html

    with app.state.resources.sessions() as session:
        session.execute(update(OutboxMessage).values(state="failed", attempts=1, last_error=REPLY))
        session.commit()
    html = client.get(passer["path"]).text
    assert 'data-state="failed">送信失敗' in html
    assert "Recipient address rejected &lt;b&gt;unknown&lt;/b&gt;" in html  # escaped

    _accept(client, app, passer["id"])
    html = client.get(passer["path"], headers={"Accept-Language": "en"}).text
    assert 'data-claimed="true">Accepted on ' in html
    assert "/resend" not in html and "/address" not in html  # closed once claimed


def test_resend_needs_the_session_token_and_queues_a_fresh_link_audited_with_the_key(
    client: TestClient, app: FastAPI, passer: dict[str, Any]
) -> None:
    path = f"{passer['path']}/resend"
    refused = [
        client.post(path, data={}, follow_redirects=False),
        client.post(path, data={"csrf": "x" + passer["csrf"]}, follow_redirects=False),
        client.post(
            path,
            data={"csrf": passer["csrf"]},
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert len(_notifications(app, passer["id"])) == 1

    done = client.post(path, data={"csrf": passer["csrf"]}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"{passer['path']}?done=resend"
    assert "新しい受け取りリンク付きで送信待ち" in client.get(done.headers["location"]).text
    first, again = _notifications(app, passer["id"])
    assert again.recipient == EMAIL and again.claim_token != first.claim_token
    with app.state.resources.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "credential.resend"))
        key_id = session.scalar(select(ConsoleSession.api_key_id))
    assert entry is not None and entry.api_key_id == key_id

    _accept(client, app, passer["id"])
    closed = client.post(path, data={"csrf": passer["csrf"]}, headers={"Accept-Language": "en"})
    assert closed.status_code == 409
    assert closed.headers["content-type"].startswith("text/html")
    assert "The passer has accepted the badge" in closed.text
    assert len(_notifications(app, passer["id"])) == 2


@pytest.mark.parametrize(
    "bad", ["", "not-an-address", "a@b", "taro@example.jp\r\nBcc: x@evil.example", "x" * 250]
)
def test_a_bad_address_is_refused_with_a_page(
    client: TestClient, app: FastAPI, passer: dict[str, Any], bad: str
) -> None:
    response = client.post(
        f"{passer['path']}/address",
        data={"csrf": passer["csrf"], "email": bad},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "That is not an e-mail address." in response.text
    assert len(_notifications(app, passer["id"])) == 1


def test_the_address_is_corrected_until_the_badge_is_claimed(
    client: TestClient, app: FastAPI, passer: dict[str, Any]
) -> None:
    path = f"{passer['path']}/address"
    new = "taro.yamada@example.com"
    missing = client.post(path, data={"email": new}, follow_redirects=False)
    assert missing.status_code == 403
    done = client.post(path, data={"csrf": passer["csrf"], "email": new}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=address")
    api = client.get(f"/api/v1/credentials/{passer['id']}", headers=passer["staff"]).json()
    assert api["recipient_email"] == new and api["id"] == passer["id"]
    assert api["document"]["proof"] != passer["document"]["proof"]  # signed again
    assert [m.recipient for m in _notifications(app, passer["id"])] == [EMAIL, new]
    page = client.get(passer["path"]).text
    assert new in page and "taro@example.jp<" not in page

    _accept(client, app, passer["id"])
    closed = client.post(path, data={"csrf": passer["csrf"], "email": "other@example.jp"})
    assert closed.status_code == 409
    api = client.get(f"/api/v1/credentials/{passer['id']}", headers=passer["staff"]).json()
    assert api["recipient_email"] == new


def test_another_issuers_credential_cannot_be_resent_or_readdressed(
    client: TestClient, app: FastAPI, passer: dict[str, Any], make_issuer: Any
) -> None:
    other, other_staff = make_issuer("other-exam")
    achievement = make_achievement(app, other["id"])
    theirs = issue(client, other_staff, achievement, recipient={"email": "hanako@example.jp"})
    path = f"/console/credentials/{theirs['id']}"
    for action, data in (("resend", {}), ("address", {"email": "x@example.jp"})):
        response = client.post(f"{path}/{action}", data={"csrf": passer["csrf"]} | data)
        assert response.status_code == 404
    assert len(_notifications(app, theirs["id"])) == 1
