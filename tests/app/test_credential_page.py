"""The passer's public page: language, dates, preview tags, sharing, states and privacy."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update

from app.audit.models import AuditEntry
from app.credentials.models import IssuedCredential
from badges.identity import Recipient
from tests.app.test_credentials import issue, make_achievement, statuses, verify

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]
HTML = {"Accept": "text/html,application/xhtml+xml"}
EMAIL = "taro@example.jp"


class _Page(HTMLParser):
    """The parts of a page the tests look at: meta tags, links, the html element's lang."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}  # link text -> href
        self._href: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang")
        elif tag == "meta" and ("property" in values or "name" in values):
            self.meta[values.get("property") or values["name"]] = values.get("content", "")
        elif tag == "a":
            self._href = values.get("href")

    def handle_data(self, data: str) -> None:
        if self._href is not None and data.strip():
            self.links[data.strip()] = self._href
            self._href = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None


def _page(client: TestClient, credential: dict[str, Any], **headers: str) -> tuple[Any, _Page]:
    response = client.get(urlsplit(credential["public_url"]).path, headers=HTML | headers)
    assert response.status_code == 200, response.text
    return response, _Page(response.text)


def _set(app: FastAPI, credential_id: str, **values: Any) -> None:
    with app.state.resources.sessions() as session:
        session.execute(
            update(IssuedCredential)
            .where(IssuedCredential.id == uuid.UUID(credential_id))
            .values(**values)
        )
        session.commit()


@pytest.fixture
def issued(client: TestClient, app: FastAPI, make_issuer: MakeIssuer) -> dict[str, Any]:
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"], image="svg")
    credential = issue(client, staff, achievement, recipient={"email": EMAIL, "name": "山田 太郎"})
    credential["staff"] = staff
    return credential


def test_the_page_is_japanese_by_default_with_dates_in_tokyo(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    # 20:00 UTC on 31 March is 1 April in Tokyo, the issuer's default zone.
    _set(app, issued["id"], issued_at=datetime(2026, 3, 31, 20, 0, tzinfo=UTC))
    response, page = _page(client, issued)
    assert page.lang == "ja" and response.headers["content-language"] == "ja"
    assert "<h1>生成AI活用検定 ジェネラリスト</h1>" in response.text
    assert "2026年4月1日" in response.text
    assert "一般社団法人 AIリテラシー検定協会" in response.text
    assert "Generative AI Literacy" not in response.text  # one language at a time
    assert page.links["English"].endswith("?lang=en")
    assert EMAIL not in response.text


def test_accept_language_picks_english_and_lang_overrides_it(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    _set(app, issued["id"], issued_at=datetime(2026, 3, 31, 20, 0, tzinfo=UTC))
    response, page = _page(client, issued, **{"Accept-Language": "en-GB,en;q=0.9,ja;q=0.5"})
    assert page.lang == "en"
    assert "<h1>Generative AI Literacy: Generalist</h1>" in response.text
    assert "AI Literacy Examination Association" in response.text
    assert "1 April 2026" in response.text
    # The criteria exist in Japanese only: marked so, for screen readers and translators.
    assert '<p lang="ja">2026年度の試験に合格すること。</p>' in response.text
    assert page.meta["og:locale"] == "en_US"
    assert page.links["日本語"].endswith("?lang=ja")
    path = urlsplit(issued["public_url"]).path
    ja = client.get(f"{path}?lang=ja", headers=HTML | {"Accept-Language": "en"})
    assert _Page(ja.text).lang == "ja"
    for junk in ("xx", "<script>", "en-US", ""):
        other = client.get(path, params={"lang": junk}, headers=HTML | {"Accept-Language": "en"})
        assert other.status_code == 200 and _Page(other.text).lang == "en"


def test_dates_follow_the_issuers_time_zone(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ny-exam", time_zone="America/New_York")
    assert issuer["time_zone"] == "America/New_York"
    credential = issue(client, staff, make_achievement(app, issuer["id"]))
    _set(app, credential["id"], issued_at=datetime(2026, 3, 31, 20, 0, tzinfo=UTC))
    response, page = _page(client, credential)
    assert "2026年3月31日" in response.text
    linkedin = dict(parse_qsl(urlsplit(page.links["LinkedIn のプロフィールに追加"]).query))
    assert (linkedin["issueYear"], linkedin["issueMonth"]) == ("2026", "3")


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc/passwd", "Asia/Tokyo\n", ""])
def test_an_unknown_time_zone_is_refused(
    client: TestClient, admin_headers: dict[str, str], issued: dict[str, Any], zone: str
) -> None:
    response = client.patch(
        "/api/v1/issuers/ai-exam", json={"time_zone": zone}, headers=admin_headers
    )
    assert response.status_code == 422, response.text


def test_open_graph_and_twitter_tags_describe_a_valid_badge(
    client: TestClient, issued: dict[str, Any]
) -> None:
    response, page = _page(client, issued)
    meta = page.meta
    assert meta["og:title"] == "生成AI活用検定 ジェネラリスト"  # no name: the page is unlisted
    assert "検証できるデジタルバッジ" in meta["og:description"]
    assert "一般社団法人 AIリテラシー検定協会" in meta["og:description"]
    assert meta["og:url"] == issued["public_url"]
    image = urlsplit(meta["og:image"])
    assert meta["og:image"].startswith(issued["public_url"] + "/share.png?")
    assert parse_qs(image.query)["lang"] == ["ja"] and len(parse_qs(image.query)["v"][0]) == 16
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "627")
    assert meta["og:type"] == "website" and meta["og:locale"] == "ja_JP"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:image"] == meta["og:image"]
    assert f'<link rel="canonical" href="{issued["public_url"]}">' in response.text


def test_the_linkedin_link_and_share_buttons(client: TestClient, issued: dict[str, Any]) -> None:
    response, page = _page(client, issued, **{"Accept-Language": "en"})
    linkedin = urlsplit(page.links["Add to LinkedIn profile"])
    assert (linkedin.netloc, linkedin.path) == ("www.linkedin.com", "/profile/add")
    params = dict(parse_qsl(linkedin.query))
    assert params == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Generative AI Literacy: Generalist",
        "organizationName": "AI Literacy Examination Association",
        "issueYear": str(datetime.now(UTC).year),
        "issueMonth": params["issueMonth"],
        "certUrl": issued["public_url"],
        "certId": issued["id"],
    }
    assert parse_qs(urlsplit(page.links["Share on X"]).query)["url"] == [issued["public_url"]]
    assert page.links["Share on Facebook"].startswith(
        "https://www.facebook.com/sharer/sharer.php?u="
    )
    assert page.links["Send with LINE"].startswith("https://social-plugins.line.me/lineit/share?")
    mail = page.links["Send by e-mail"]
    assert mail.startswith("mailto:?subject=") and EMAIL not in mail
    assert f'id="page-link" type="url" readonly value="{issued["public_url"]}"' in response.text
    assert '<svg width="' in response.text and 'class="segno"' in response.text  # the QR code


def test_linkedin_gets_the_organization_id_and_expiry_when_there_are(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("li-exam", linkedin_organization_id="12345678")
    until = (datetime.now(UTC) + timedelta(days=800)).replace(microsecond=0)
    credential = issue(
        client,
        staff,
        make_achievement(app, issuer["id"]),
        valid_until=until.isoformat(),
        external_id="JP-2026-000123",
    )
    _, page = _page(client, credential)
    params = dict(parse_qsl(urlsplit(page.links["LinkedIn のプロフィールに追加"]).query))
    assert params["organizationId"] == "12345678" and "organizationName" not in params
    local = until.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert (params["expirationYear"], params["expirationMonth"]) == (
        str(local.year),
        str(local.month),
    )
    assert params["certId"] == "JP-2026-000123"  # the issuer's own number, when it has one


def test_an_unlisted_page_says_noindex_and_a_listed_one_does_not(
    client: TestClient, app: FastAPI, issued: dict[str, Any]
) -> None:
    response, page = _page(client, issued)
    assert page.meta["robots"] == "noindex" and response.headers["x-robots-tag"] == "noindex"
    assert issued["listed"] is False

    changed = client.patch(
        f"/api/v1/credentials/{issued['id']}", json={"listed": True}, headers=issued["staff"]
    )
    assert changed.status_code == 200 and changed.json()["listed"] is True
    response, page = _page(client, issued)
    assert "robots" not in page.meta and "x-robots-tag" not in response.headers
    assert page.meta["og:title"] == "生成AI活用検定 ジェネラリスト — 山田 太郎"
    with app.state.resources.sessions() as session:
        entries = session.query(AuditEntry).filter_by(action="credential.listing").all()
        assert [e.details for e in entries] == [{"listed": True}]
    again = client.patch(
        f"/api/v1/credentials/{issued['id']}", json={"listed": True}, headers=issued["staff"]
    )
    assert again.status_code == 200
    bad = client.patch(
        f"/api/v1/credentials/{issued['id']}", json={"listed": "yes"}, headers=issued["staff"]
    )
    assert bad.status_code == 422


def _not_shared(page: _Page, html: str) -> None:
    assert 'id="share"' not in html and "linkedin.com" not in html
    assert "検証できるデジタルバッジ" not in page.meta["og:description"]


@pytest.mark.parametrize("reason_public", [False, True])
def test_a_revoked_badge_says_so_and_shows_its_reason_only_when_public(
    client: TestClient, issued: dict[str, Any], reason_public: bool
) -> None:
    revoke = client.post(
        f"/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "試験の不正が判明", "reason_public": reason_public},
        headers=issued["staff"],
    )
    assert revoke.status_code == 200 and revoke.json()["revocation_reason_public"] is reason_public
    response, page = _page(client, issued)
    assert 'data-state="revoked"' in response.text and "取り消し済み" in response.text
    assert page.meta["og:description"].startswith("取り消し済み")
    _not_shared(page, response.text)
    assert ("試験の不正が判明" in response.text) is reason_public


def test_a_suspended_badge_says_so(client: TestClient, issued: dict[str, Any]) -> None:
    suspend = client.post(f"/api/v1/credentials/{issued['id']}/suspend", headers=issued["staff"])
    assert suspend.status_code == 200
    response, page = _page(client, issued, **{"Accept-Language": "en"})
    assert 'data-state="suspended"' in response.text
    assert page.meta["og:description"].startswith("Suspended:")
    _not_shared(page, response.text)


def test_an_expired_badge_says_so(client: TestClient, app: FastAPI, issued: dict[str, Any]) -> None:
    _set(app, issued["id"], valid_until=datetime(2026, 1, 10, 3, 0, tzinfo=UTC))
    response, page = _page(client, issued)
    assert 'data-state="expired"' in response.text
    assert "このバッジの有効期限は2026年1月10日に切れました。" in response.text
    assert page.meta["og:description"].startswith("期限切れ")
    _not_shared(page, response.text)


def test_html_in_a_name_is_escaped_in_the_page_and_the_tags(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("xss-exam")
    hostile = '"><img src=x onerror=alert(1)>'
    achievement = make_achievement(app, issuer["id"], name=f"検定{hostile}")
    credential = issue(
        client,
        staff,
        achievement,
        recipient={"email": EMAIL, "name": f"<script>1</script>{hostile}"},
    )
    client.patch(f"/api/v1/credentials/{credential['id']}", json={"listed": True}, headers=staff)
    response, page = _page(client, credential)
    assert "<img src=x" not in response.text and "<script>1" not in response.text
    assert "&lt;script&gt;1&lt;/script&gt;&#34;&gt;&lt;img src=x" in response.text
    assert page.meta["og:title"] == f"検定{hostile} — <script>1</script>{hostile}"
    linkedin = dict(parse_qsl(urlsplit(page.links["LinkedIn のプロフィールに追加"]).query))
    assert linkedin["name"] == f"検定{hostile}"


@pytest.mark.parametrize("image", ["svg", "png", "none"])
def test_the_share_image_is_a_1200_by_627_png_with_a_stable_etag(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer, image: Any
) -> None:
    issuer, staff = make_issuer("img-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"], image=image))
    _, page = _page(client, credential)
    url = urlsplit(page.meta["og:image"])
    response = client.get(f"{url.path}?{url.query}")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    picture = Image.open(io.BytesIO(response.content))
    assert (picture.format, picture.size) == ("PNG", (1200, 627))
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    etag = response.headers["etag"]
    assert etag == f'"{parse_qs(url.query)["v"][0]}"'
    # Drawn once per content version, then served from memory.
    version = parse_qs(url.query)["v"][0]
    cached = app.state.resources.share_images[f"{credential['id']}:{version}"]
    assert cached == response.content
    other_v = client.get(url.path, params={"lang": "ja", "v": "stale"})
    assert other_v.content == response.content and other_v.headers["etag"] == etag
    again = client.get(url.path, params={"lang": "ja"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["cache-control"] == "public, max-age=300"


def test_the_share_image_changes_with_the_state_and_language(
    client: TestClient, issued: dict[str, Any]
) -> None:
    _, ja = _page(client, issued)
    _, en = _page(client, issued, **{"Accept-Language": "en"})
    assert ja.meta["og:image"] != en.meta["og:image"]
    client.post(f"/api/v1/credentials/{issued['id']}/suspend", headers=issued["staff"])
    _, suspended = _page(client, issued)
    assert suspended.meta["og:image"] != ja.meta["og:image"]
    assert client.get(f"/credentials/{uuid.uuid4()}/share.png").status_code == 404
    assert client.get("/credentials/nonsense/share.png").status_code == 404


@pytest.mark.parametrize("credential_format", ["ob3", "ob3-jwt"])
def test_the_credential_carries_the_name_and_the_other_language(
    client: TestClient,
    issued: dict[str, Any],
    make_issuer: MakeIssuer,
    app: FastAPI,
    credential_format: str,
) -> None:
    issuer, staff = make_issuer("fmt-exam")
    credential = issue(
        client,
        staff,
        make_achievement(app, issuer["id"]),
        recipient={"email": EMAIL, "name": "山田 太郎"},
        format=credential_format,
    )
    document = client.get(urlsplit(credential["json_url"]).path).json()
    subject = document.get("vc", document)["credentialSubject"]
    assert {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": "山田 太郎",
        "identityType": "name",
    } in subject["identifier"]
    (related,) = subject["achievement"]["related"]
    assert related["inLanguage"] == "en" and related["type"] == ["Related"]
    assert related["name"] == "Generative AI Literacy: Generalist"
    assert related["id"] == subject["achievement"]["id"] + "?lang=en"
    english = client.get(urlsplit(related["id"]).path, params={"lang": "en"}).json()
    assert english["name"] == related["name"] and english["inLanguage"] == "en"
    assert english["related"][0]["inLanguage"] == "ja"
    stored = credential["document"]
    report = verify(client, stored, Recipient("email", EMAIL))
    assert report.ok, statuses(report)
    assert statuses(report)["recipient.identity"] == "passed"


def test_an_issuer_can_leave_the_name_out_of_its_credentials(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("anon-exam", recipient_name_in_credential=False)
    credential = issue(
        client,
        staff,
        make_achievement(app, issuer["id"]),
        recipient={"email": EMAIL, "name": "山田 太郎"},
    )
    assert "山田" not in json.dumps(credential["document"], ensure_ascii=False)
    response, _ = _page(client, credential)
    assert "山田 太郎" in response.text  # the page still shows it, from the stored row
    assert re.search(r"identityType\W+emailAddress", json.dumps(credential["document"]))


def test_the_verifier_shows_whose_badge_it_is_from_the_name_identifier(
    client: TestClient, issued: dict[str, Any]
) -> None:
    response = client.post("/api/v1/verify", json={"credential": issued["document"]})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] is True
    recipient = report["summary"]["recipient"]
    assert (recipient["type"], recipient["hashed"], recipient["name"]) == (
        "email",
        True,
        "山田 太郎",
    )
