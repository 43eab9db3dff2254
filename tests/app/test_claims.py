"""The claim page a passer's link opens: accept once, download, share, choose listing."""

from __future__ import annotations

import contextlib
import email
import json
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email import policy
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, update

from app.audit.models import AuditEntry
from app.claims import page as claim_page
from app.claims import service as claims_service
from app.claims.models import Claim
from app.credentials.models import IssuedCredential
from app.mail import outbox
from app.mail.models import OutboxMessage
from badges import baking
from badges.identity import Recipient
from keys import b64url_decode
from tests.app.test_credentials import issue, make_achievement, verify

EMAIL = "taro@example.jp"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def claim_token(app: FastAPI, credential_id: str) -> str:
    """The claim link's token, read from the queued mail (tests send no mail here)."""
    with app.state.resources.sessions() as session:
        token = session.scalar(
            select(OutboxMessage.claim_token)
            .where(OutboxMessage.credential_id == uuid.UUID(credential_id))
            .order_by(OutboxMessage.queued_at.desc())
            .limit(1)
        )
    assert token is not None
    return token


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match is not None, html
    return match[1]


@pytest.fixture
def issued(client: TestClient, app: FastAPI, make_issuer: Any) -> dict[str, Any]:
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"], image="png")
    credential = issue(client, staff, achievement, recipient={"email": EMAIL, "name": "山田 太郎"})
    credential["staff"] = staff
    credential["token"] = claim_token(app, credential["id"])
    return credential


def _claims(app: FastAPI, credential_id: str) -> list[datetime | None]:
    with app.state.resources.sessions() as session:
        return list(
            session.scalars(
                select(Claim.claimed_at).where(Claim.credential_id == uuid.UUID(credential_id))
            )
        )


def test_a_valid_link_shows_the_badge_and_an_accept_button(
    client: TestClient, issued: dict[str, Any]
) -> None:
    response = client.get(f"/claim/{issued['token']}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.text
    assert '<html lang="en">' in html
    assert "AI Literacy Examination Association" in html
    assert "山田 太郎" in html
    assert f'src="{issued["public_url"]}.png"' in html  # the baked image, also the download
    assert 'id="accept"' in html and "Accept the badge" in html
    assert "Add to LinkedIn profile" in html  # the badge page's share buttons
    assert f'href="{issued["public_url"]}.json" download' in html
    assert EMAIL not in html
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    japanese = client.get(f"/claim/{issued['token']}?lang=ja")
    assert '<html lang="ja">' in japanese.text and "バッジを受け取る" in japanese.text


@pytest.mark.parametrize(
    "token", ["x" * 43, "short", "A" * 129, "%00" * 20, "あ" * 20, "claim.json"]
)
def test_a_forged_link_is_a_404_page_with_the_lost_link_form(
    client: TestClient, issued: dict[str, Any], token: str
) -> None:
    response = client.get(f"/claim/{token}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'action="/claim/lost' in response.text
    assert "生成AI" not in response.text


def test_an_expired_link_is_a_410_page_that_names_no_badge(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    with app.state.resources.sessions() as session:
        session.execute(update(Claim).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        session.commit()
    response = client.get(f"/claim/{issued['token']}?lang=en")
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert 'action="/claim/lost' in response.text
    assert "AI Literacy" not in response.text
    post = client.post(
        f"/claim/{issued['token']}/accept",
        data={"csrf": claim_page.form_token(issued["token"])},
    )
    assert post.status_code == 410
    assert _claims(app, issued["id"]) == [None]


def test_accepting_twice_records_one_claim_and_the_link_still_opens(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    token = issued["token"]
    csrf = csrf_of(client.get(f"/claim/{token}").text)
    first = client.post(
        f"/claim/{token}/accept?lang=en", data={"csrf": csrf}, follow_redirects=False
    )
    assert first.status_code == 303
    assert first.headers["location"] == f"http://testserver/claim/{token}?lang=en"
    second = client.post(f"/claim/{token}/accept", data={"csrf": csrf}, follow_redirects=False)
    assert second.status_code == 303
    [claimed_at] = _claims(app, issued["id"])
    assert claimed_at is not None
    again = client.get(f"/claim/{token}?lang=en")  # the passer comes back to download
    assert again.status_code == 200
    assert 'id="accepted"' in again.text and "Accepted on " in again.text
    assert 'id="accept"' not in again.text
    with app.state.resources.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "credential.claim")
        ).all()
        assert [str(e.subject_id) for e in entries] == [issued["id"]]
    staff_view = client.get(f"/api/v1/credentials/{issued['id']}", headers=issued["staff"])
    assert staff_view.json()["claimed_at"] is not None


def test_a_second_link_of_a_claimed_credential_records_no_second_claim(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    token = issued["token"]
    client.post(f"/claim/{token}/accept", data={"csrf": claim_page.form_token(token)})
    lost = client.post("/claim/lost", data={"email": EMAIL})
    assert lost.status_code == 200
    fresh = claim_token(app, issued["id"])
    assert fresh != token
    client.post(f"/claim/{fresh}/accept", data={"csrf": claim_page.form_token(fresh)})
    assert sum(at is not None for at in _claims(app, issued["id"])) == 1
    assert "受け取りました" in client.get(f"/claim/{fresh}?lang=ja").text


@pytest.mark.parametrize("data", [{}, {"csrf": ""}, {"csrf": "0" * 64}])
def test_an_accept_without_the_pages_token_is_refused(
    client: TestClient, app: FastAPI, issued: dict[str, Any], data: dict[str, str]
) -> None:
    response = client.post(f"/claim/{issued['token']}/accept", data=data)
    assert response.status_code == 403
    assert _claims(app, issued["id"]) == [None]


def test_an_accept_from_another_site_is_refused_even_with_the_token(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    token = issued["token"]
    response = client.post(
        f"/claim/{token}/accept",
        data={"csrf": claim_page.form_token(token)},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert _claims(app, issued["id"]) == [None]


def test_another_links_page_token_does_not_accept(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    response = client.post(
        f"/claim/{issued['token']}/accept", data={"csrf": claim_page.form_token("x" * 43)}
    )
    assert response.status_code == 403


def test_the_downloaded_png_carries_a_credential_that_verifies(
    client: TestClient, issued: dict[str, Any]
) -> None:
    html = client.get(f"/claim/{issued['token']}").text
    [href] = re.findall(r'href="(http://testserver/credentials/[^"]+\.png)" download', html)
    image = client.get(href)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    baked = baking.unbake(image.content)
    assert baked is not None and baked.version == "3.0"
    report = verify(client, baked.text, Recipient("email", EMAIL))
    assert report.ok, report.checks


def test_an_svg_badge_offers_the_baked_svg(
    client: TestClient, app: FastAPI, make_issuer: Any
) -> None:
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"], image="svg")
    credential = issue(client, staff, achievement)
    html = client.get(f"/claim/{claim_token(app, credential['id'])}").text
    assert f'href="{credential["public_url"]}.svg" download' in html
    baked = baking.unbake(client.get(f"{credential['public_url']}.svg").content)
    assert baked is not None


def test_the_passer_chooses_whether_the_page_is_listed(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    token = issued["token"]
    html = client.get(f"/claim/{token}?lang=en").text
    assert 'data-listed="false"' in html
    response = client.post(
        f"/claim/{token}/listing?lang=en",
        data={"csrf": csrf_of(html), "listed": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert 'data-listed="true"' in client.get(f"/claim/{token}").text
    public = client.get(issued["public_url"], headers={"Accept": "text/html"})
    assert "x-robots-tag" not in public.headers
    forged = client.post(f"/claim/{token}/listing", data={"listed": "false"})
    assert forged.status_code == 403
    bad = client.post(f"/claim/{token}/listing", data={"csrf": csrf_of(html), "listed": "maybe"})
    assert bad.status_code == 422
    with app.state.resources.sessions() as session:
        listed = session.scalar(select(IssuedCredential.listed))
        audits = session.scalar(
            select(func.count()).where(AuditEntry.action == "credential.listing")
        )
    assert listed is True and audits == 1


def test_a_revoked_badge_cannot_be_accepted_or_shared(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    client.post(
        f"/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "withdrawn"},
        headers=issued["staff"],
    )
    token = issued["token"]
    html = client.get(f"/claim/{token}?lang=en").text
    assert 'data-state="revoked"' in html
    assert 'id="accept"' not in html and "LinkedIn" not in html
    client.post(f"/claim/{token}/accept", data={"csrf": claim_page.form_token(token)})
    assert _claims(app, issued["id"]) == [None]


def test_statistics_count_each_claimed_credential_once(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    other = issue(client, issued["staff"], issued["achievement_id"])
    token = issued["token"]
    for _ in range(2):
        client.post(f"/claim/{token}/accept", data={"csrf": claim_page.form_token(token)})
    body = client.get("/api/v1/statistics", headers=issued["staff"]).json()
    assert "claimed" in body["measures"]
    assert body["totals"]["issued"] == 2 and body["totals"]["claimed"] == 1
    [row] = body["groups"]["achievement"]
    assert row["counts"]["claimed"] == 1
    unclaimed = client.get(f"/api/v1/credentials/{other['id']}", headers=issued["staff"])
    assert unclaimed.json()["claimed_at"] is None
    listed = client.get("/api/v1/credentials", headers=issued["staff"]).json()["items"]
    assert sorted(item["claimed_at"] is not None for item in listed) == [False, True]


def _lost(client: TestClient, email: str, **headers: str) -> Any:
    return client.post("/claim/lost?lang=en", data={"email": email}, headers=headers)


def _outbox(app: FastAPI) -> list[OutboxMessage]:
    with app.state.resources.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.queued_at)).all()
        session.expunge_all()
        return list(rows)


def test_the_lost_link_form_answers_the_same_for_known_and_unknown_addresses(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    form = client.get("/claim/lost?lang=en")
    assert form.status_code == 200 and 'name="email"' in form.text
    known = _lost(client, "Taro@Example.jp")  # addresses are matched without case
    unknown = _lost(client, "nobody@example.jp")
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    assert "If there are badges for this address" in known.text
    [first, fresh] = _outbox(app)
    assert (first.kind, fresh.kind) == ("notification", "claim_link")
    assert fresh.recipient == EMAIL and str(fresh.credential_id) == issued["id"]
    with app.state.resources.sessions() as session:
        row = session.get(OutboxMessage, fresh.id)
        assert row is not None
        message = outbox.compose(session, row, app.state.resources.settings)
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "claim.lost_link")
        ).all()
    assert [str(a.subject_id) for a in audits] == [issued["id"]]
    assert EMAIL not in str(audits[0].details)
    text = email.message_from_bytes(message, policy=policy.default)
    assert "受け取りリンク" in str(text["Subject"])
    assert fresh.claim_token is not None
    plain = text.get_body(("plain",))
    assert plain is not None and f"/claim/{fresh.claim_token}" in plain.get_content()
    assert client.get(f"/claim/{fresh.claim_token}").status_code == 200
    assert client.get(f"/claim/{issued['token']}").status_code == 200  # the old link still works


def test_the_lost_link_form_refuses_what_is_not_an_address(client: TestClient) -> None:
    for value in ("", "not-an-address", "a@b", "x" * 250 + "@example.jp", "a\r\n@example.jp"):
        assert _lost(client, value).status_code == 422
    assert client.post("/claim/lost", data={}).status_code == 422
    elsewhere = _lost(client, EMAIL, Origin="https://evil.example")
    assert elsewhere.status_code == 403


def test_the_lost_link_form_is_rate_limited_per_email_and_per_address(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    settings = app.state.resources.settings
    for _ in range(settings.claim_lost_per_email_per_hour):
        assert _lost(client, EMAIL).status_code == 200
    refused = _lost(client, EMAIL.upper())  # the same address, however written
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert len(_outbox(app)) == 1 + settings.claim_lost_per_email_per_hour
    # Another address from the same client: the per-address budget is what is left.
    answers = [_lost(client, f"p{i}@example.jp").status_code for i in range(5)]
    assert answers.count(429) >= 1 and answers[0] == 200


def test_staff_can_resend_the_notification_until_the_badge_is_claimed(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    path = f"/api/v1/credentials/{issued['id']}/resend"
    response = client.post(path, headers=issued["staff"])
    assert response.status_code == 200, response.text
    assert response.json()["notification"]["state"] == "queued"
    rows = _outbox(app)
    assert [row.kind for row in rows] == ["notification", "notification"]
    assert rows[0].claim_token != rows[1].claim_token
    assert rows[1].language == rows[0].language
    with app.state.resources.sessions() as session:
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "credential.resend")
        ).all()
    assert [str(a.subject_id) for a in audits] == [issued["id"]]
    fresh = rows[1].claim_token
    assert fresh is not None
    client.post(f"/claim/{fresh}/accept", data={"csrf": claim_page.form_token(fresh)})
    refused = client.post(path, headers=issued["staff"])
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert len(_outbox(app)) == 2


def test_staff_cannot_resend_a_revoked_badge_or_another_issuers(
    client: TestClient, app: FastAPI, issued: dict[str, Any], make_issuer: Any
) -> None:
    _, other_staff = make_issuer("other-exam")
    path = f"/api/v1/credentials/{issued['id']}/resend"
    assert client.post(path, headers=other_staff).status_code == 404
    assert client.post(path).status_code == 401
    client.post(
        f"/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "withdrawn"},
        headers=issued["staff"],
    )
    assert client.post(path, headers=issued["staff"]).status_code == 409
    assert len(_outbox(app)) == 1


def test_staff_correct_the_address_of_an_unclaimed_badge_by_signing_it_again(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    path = f"/api/v1/credentials/{issued['id']}"
    new = "taro.yamada@example.com"
    response = client.patch(path, json={"recipient_email": new}, headers=issued["staff"])
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["recipient_email"] == new and changed["id"] == issued["id"]
    assert changed["document"]["id"] == issued["document"]["id"]
    assert changed["document"]["validFrom"] >= issued["document"]["validFrom"]
    assert changed["document"]["credentialStatus"] == issued["document"]["credentialStatus"]
    assert changed["document"]["proof"] != issued["document"]["proof"]
    assert changed["notification"]["state"] == "queued"
    rows = _outbox(app)
    assert [row.recipient for row in rows] == [EMAIL, new]
    public = client.get(f"{issued['public_url']}.json").json()
    assert public["proof"] == changed["document"]["proof"]  # served at once, not the cached one
    report = verify(client, public, Recipient("email", new))
    assert report.ok, report.checks
    old = verify(client, public, Recipient("email", EMAIL))
    assert not old.ok
    with app.state.resources.sessions() as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "credential.address")
        ).one()
    assert EMAIL not in str(audit.details) and new not in str(audit.details)


def test_the_address_cannot_change_once_the_badge_is_claimed(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    token = issued["token"]
    client.post(f"/claim/{token}/accept", data={"csrf": claim_page.form_token(token)})
    path = f"/api/v1/credentials/{issued['id']}"
    response = client.patch(
        path, json={"recipient_email": "other@example.jp"}, headers=issued["staff"]
    )
    assert response.status_code == 409
    after = client.get(path, headers=issued["staff"]).json()
    assert after["recipient_email"] == EMAIL
    assert after["document"]["proof"] == issued["document"]["proof"]
    assert len(_outbox(app)) == 1
    # The listing choice stays open to staff whatever the claim.
    listed = client.patch(path, json={"listed": True}, headers=issued["staff"])
    assert listed.status_code == 200 and listed.json()["listed"] is True
    assert client.patch(path, json={}, headers=issued["staff"]).status_code == 422
    bad = client.patch(path, json={"recipient_email": "nope"}, headers=issued["staff"])
    assert bad.status_code == 422


@pytest.mark.parametrize("credential_format", ["ob3-jwt", "ob2"])
def test_a_corrected_address_keeps_the_other_formats_content(
    client: TestClient, app: FastAPI, make_issuer: Any, credential_format: str
) -> None:
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"])
    credential = issue(
        client,
        staff,
        achievement,
        format=credential_format,
        evidence=[{"id": "https://ai-exam.example.jp/evidence/1", "narrative": "満点"}],
        external_id="R-1",
    )
    new = "hanako@example.jp"
    response = client.patch(
        f"/api/v1/credentials/{credential['id']}",
        json={"recipient_email": new},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["external_id"] == "R-1" and changed["format"] == credential_format
    document = changed["document"]
    if credential_format == "ob2":
        assert document["evidence"] == credential["document"]["evidence"]
        assert document["id"] == credential["document"]["id"]
    else:
        assert document != credential["document"]  # a new JWS
        payload = json.loads(b64url_decode(document.split(".")[1], "payload"))
        assert payload["evidence"][0]["narrative"] == "満点"
        assert payload["evidence"][0]["id"] == "https://ai-exam.example.jp/evidence/1"
    report = verify(client, document, Recipient("email", new))
    assert report.ok, report.checks


def test_two_links_accepted_at_the_same_moment_record_one_claim(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    """Both transactions have run their UPDATE before either commits (a barrier at commit):
    the NOT EXISTS of the conditional UPDATE cannot see the other's uncommitted row, so the
    database's partial unique index is what keeps the second claim out."""
    _lost(client, EMAIL)
    tokens = [issued["token"], claim_token(app, issued["id"])]
    assert tokens[0] != tokens[1]
    sessions = app.state.resources.sessions
    at_commit = threading.Barrier(2)

    def wait_for_the_other(_: Any) -> None:
        # The other may be held by the database until this one commits: then it breaks.
        with contextlib.suppress(threading.BrokenBarrierError):
            at_commit.wait(timeout=3)

    def accept(token: str) -> bool:
        with sessions() as session:
            found = claims_service.look_up(session, token, now=datetime.now(UTC))
            assert found.claim is not None
            credential = session.get_one(IssuedCredential, found.claim.credential_id)
            event.listen(session, "before_commit", wait_for_the_other)
            return claims_service.accept(
                session, found.claim, credential.issuer_id, now=datetime.now(UTC)
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        recorded = list(pool.map(accept, tokens))
    assert sorted(recorded) == [False, True]
    assert sum(at is not None for at in _claims(app, issued["id"])) == 1
    with sessions() as session:
        entries = session.scalar(
            select(func.count()).where(AuditEntry.action == "credential.claim")
        )
    assert entries == 1
    # Both links still open the page, which says the badge was accepted.
    for token in tokens:
        assert 'id="accepted"' in client.get(f"/claim/{token}?lang=en").text
