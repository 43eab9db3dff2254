"""A session's passers, from the batch staff upload to the page an employer opens.

Staff upload a spreadsheet of passers (Japanese headers, a Japanese and an English reader)
through the API and start it; the live server issues the batch and its own background sender
mails each passer at a real SMTP server on loopback (``app.mail.inbox``), as in production.
Headless Chromium then follows each mail's claim link on a phone, accepts the badge, downloads
the baked PNG (which the service's verify API checks), and opens the public badge page on a
phone and a desktop in the passer's language, where the preview tags and every parameter of
LinkedIn's "add to profile" link are checked.

Screenshots, in ``test-artifacts/screenshots``: ``claim-page-{ja,en}.png`` (the link opened),
``claim-accepted-{ja,en}.png`` (after accepting), ``badge-page-{ja,en}-{phone,desktop}.png``,
and ``badge-share-card-{ja,en}.png`` (the 1200 by 627 image the preview tags name).
"""

from __future__ import annotations

import email
import io
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from pydantic import SecretStr

from app.mail.inbox import Inbox, Received
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from badges import baking
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.support import LiveServer, achievement_through_api, admin_headers, serve

pytestmark = pytest.mark.browser

FROM = "badges@ai-exam.example.jp"
TOKYO = ZoneInfo("Asia/Tokyo")
LOCALES = {"ja": "ja-JP", "en": "en-US"}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
ISSUER = {"ja": "一般社団法人 生成AI検定協会", "en": "Generative AI Examination Association"}
# One passer a language; the English reader's badge expires, so LinkedIn gets an expiry too.
PASSERS = {
    "ja": {"name": "山田 花子", "name_en": "Hanako Yamada", "valid_until": ""},
    "en": {"name": "Emily Clark", "name_en": "", "valid_until": "2029-03-31"},
}
WORDS = {
    "ja": {
        "subject": "生成AIパスポート",
        "title": "生成AIパスポート",
        "accept": "バッジを受け取る",
        "accepted": "受け取りました",
        "valid": "有効",
        "linkedin": "LinkedIn のプロフィールに追加",
    },
    "en": {
        "subject": "Generative AI Passport",
        "title": "Generative AI Passport",
        "accept": "Accept the badge",
        "accepted": "Accepted on",
        "valid": "Valid",
        "linkedin": "Add to LinkedIn profile",
    },
}


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with Inbox() as server:
        yield server


@pytest.fixture(scope="module")
def mailing_server(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveServer]:
    """A live server whose workers issue batches and mail to ``inbox``."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('journey-db') / 'shomei.db'}"
    upgrade(database_url)

    def make_app(base_url: str) -> FastAPI:
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            base_url=base_url,
            key_passphrase=SecretStr("browser tests, not a secret"),
            fetch_allow="",
            smtp_url=SecretStr(inbox.url),
            mail_from=FROM,
            jobs_run_in="server",
        )
        return create_app(settings)

    with serve(make_app) as server:
        yield server


@pytest.fixture(scope="module")
def api(mailing_server: LiveServer) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with httpx.Client(base_url=mailing_server.url, trust_env=False, timeout=30) as client:
        yield client, admin_headers(mailing_server.app)


def _spreadsheet(prefix: str) -> bytes:
    """The passers as staff export them: Japanese headers, UTF-8 with a BOM, CRLF."""
    lines = ["受験番号,メールアドレス,氏名,氏名（英字）,言語,有効期限"]
    for lang, passer in PASSERS.items():
        lines.append(
            f"{prefix}-{lang},passer-{lang}.{prefix}@example.jp,{passer['name']},"
            f"{passer['name_en']},{lang},{passer['valid_until']}"
        )
    # A third passer, so the batch is a batch: mailed, never opened here.
    lines.append(f"{prefix}-x,passer-x.{prefix}@example.jp,佐藤 一郎,Ichiro Sato,ja,")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


@pytest.fixture(scope="module")
def batch(api: tuple[httpx.Client, dict[str, str]]) -> dict[str, Any]:
    """Upload the spreadsheet, start the batch, wait until it is issued."""
    client, headers = api
    prefix = uuid.uuid4().hex[:8]
    achievement = achievement_through_api(client, headers, slug=f"journey-{prefix}")
    preview = client.post(
        "/api/v1/batches",
        data={"achievement_id": achievement["id"], "label": "2026年12月 第1回"},
        files={"file": ("passers.csv", _spreadsheet(prefix), "text/csv")},
        headers=headers,
    )
    assert preview.status_code == 201, preview.text
    counts = preview.json()["counts"]
    assert (counts["total"], counts["ok"], counts["error"]) == (3, 3, 0), preview.json()
    batch_id = preview.json()["id"]
    started = client.post(f"/api/v1/batches/{batch_id}/start", headers=headers)
    assert started.status_code in (200, 202), started.text
    deadline = time.monotonic() + 120
    while (state := client.get(f"/api/v1/batches/{batch_id}", headers=headers).json())[
        "state"
    ] != "done":
        assert time.monotonic() < deadline, state
        time.sleep(0.2)
    assert state["counts"]["issued"] == 3 and state["notify"] is True
    passers = {}
    for lang in PASSERS:
        found = client.get(
            "/api/v1/credentials", params={"external_id": f"{prefix}-{lang}"}, headers=headers
        ).json()["items"]
        assert len(found) == 1, found
        passers[lang] = found[0] | {"address": f"passer-{lang}.{prefix}@example.jp"}
    return passers


def _mail_to(inbox: Inbox, address: str, timeout: float = 60.0) -> tuple[EmailMessage, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found: list[Received] = [r for r in inbox.received if address in r.rcpt_tos]
        if found:
            message = email.message_from_bytes(found[-1].content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            return message, len(found)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} arrived in {timeout} s")


@pytest.fixture
def contexts(browser: Any) -> Iterator[Any]:
    """New browser contexts; script errors and failed loads in any of them fail the test."""
    opened: list[Any] = []
    problems: list[str] = []

    def new(lang: str, viewport: dict[str, int]) -> Any:
        context = browser.new_context(
            viewport=viewport, locale=LOCALES[lang], accept_downloads=True
        )
        opened.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        return page

    yield new
    for context in opened:
        context.close()
    assert problems == []


def _meta(page: Any, key: str) -> str:
    attribute = "name" if key.startswith(("twitter:", "robots")) else "property"
    value = page.locator(f'meta[{attribute}="{key}"]').get_attribute("content")
    assert value is not None, key
    return str(value)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_mail_arrives_the_passer_accepts_and_the_png_verifies(
    mailing_server: LiveServer,
    inbox: Inbox,
    api: tuple[httpx.Client, dict[str, str]],
    batch: dict[str, Any],
    contexts: Any,
    screenshot_dir: Path,
    lang: str,
) -> None:
    client, headers = api
    words, issued = WORDS[lang], batch[lang]
    address = issued["address"]

    # The mail: in the passer's language, from the issuer's name, both parts, one claim link.
    message, count = _mail_to(inbox, address)
    assert count == 1
    assert words["subject"] in str(message["Subject"])
    [sender] = message["From"].addresses
    assert sender.addr_spec == FROM and sender.display_name.startswith(ISSUER[lang])
    assert message["Message-ID"]
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    claim_link = re.escape(mailing_server.url) + r"/claim/[A-Za-z0-9_-]{43}"
    [link] = re.findall(claim_link, plain.get_content())
    assert f'href="{link}"' in html.get_content()

    page = contexts(lang, PHONE)
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == words["title"]
    assert page.get_by_role("button", name=words["accept"]).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert address not in page.content()
    page.screenshot(path=str(screenshot_dir / f"claim-page-{lang}.png"), full_page=True)

    page.get_by_role("button", name=words["accept"]).click()
    page.wait_for_load_state()
    assert page.locator("#accepted").count() == 1, page.content()
    assert words["accepted"] in page.locator("#accepted").inner_text()
    assert page.url.startswith(link)
    page.screenshot(path=str(screenshot_dir / f"claim-accepted-{lang}.png"), full_page=True)

    with page.expect_download() as waiting:
        page.locator(f'a[download][href$="{issued["id"]}.png"]').click()
    png = Path(waiting.value.path()).read_bytes()
    baked = baking.unbake(png)
    assert baked is not None and baked.version == "3.0"
    report = client.post(
        "/api/v1/verify",
        files={"file": ("badge.png", png, "image/png")},
        data={"email": address},
    ).json()
    assert report["ok"] is True, report
    staff_view = client.get(f"/api/v1/credentials/{issued['id']}", headers=headers).json()
    assert staff_view["claimed_at"] is not None
    assert staff_view["notification"]["state"] == "sent"


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("layout", ["phone", "desktop"])
def test_the_public_page_with_its_preview_tags_and_linkedin_link(
    api: tuple[httpx.Client, dict[str, str]],
    batch: dict[str, Any],
    contexts: Any,
    screenshot_dir: Path,
    lang: str,
    layout: str,
) -> None:
    client = api[0]
    words, issued = WORDS[lang], batch[lang]
    public_url = issued["public_url"]
    page = contexts(lang, VIEWPORTS[layout])
    page.goto(public_url)  # no ?lang=: the browser's language picks the page's
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == words["title"]
    assert page.locator("#state").inner_text() == words["valid"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert issued["address"] not in page.content()
    name = PASSERS[lang]["name_en"] if lang == "en" and PASSERS[lang]["name_en"] else None
    assert (name or PASSERS[lang]["name"]) in page.locator("main").inner_text()

    # Open Graph (https://ogp.me/) and X's summary_large_image card.
    assert _meta(page, "og:type") == "website"
    assert _meta(page, "og:title") == words["title"]
    assert _meta(page, "og:url") == public_url
    assert ISSUER[lang] in _meta(page, "og:description")
    assert _meta(page, "og:locale") == LOCALES[lang].replace("-", "_")
    image_url = _meta(page, "og:image")
    assert image_url.startswith(f"{public_url}/share.png?lang={lang}")
    assert (_meta(page, "og:image:width"), _meta(page, "og:image:height")) == ("1200", "627")
    assert _meta(page, "og:image:alt")
    assert _meta(page, "twitter:card") == "summary_large_image"
    assert _meta(page, "twitter:title") == words["title"]
    assert _meta(page, "twitter:image") == image_url
    assert _meta(page, "robots") == "noindex"  # public, but unlisted by default

    # LinkedIn "add to profile": every parameter, in order, nothing else.
    href = page.get_by_role("link", name=words["linkedin"]).get_attribute("href")
    assert href.startswith("https://www.linkedin.com/profile/add?")
    params = parse_qsl(urlsplit(href).query, keep_blank_values=True)
    issued_at = datetime.fromisoformat(issued["issued_at"]).astimezone(TOKYO)
    expected = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", words["title"]),
        ("organizationName", ISSUER[lang] + " " + issued["issuer"]),
        ("issueYear", str(issued_at.year)),
        ("issueMonth", str(issued_at.month)),
    ]
    if issued["valid_until"]:
        expires = datetime.fromisoformat(issued["valid_until"]).astimezone(TOKYO)
        expected += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    # The certificate's id is the examinee number the passer knows, when there is one.
    expected += [("certUrl", public_url), ("certId", issued["external_id"])]
    assert params == expected
    # Every value percent-encoded: no raw space, colon, slash or non-ASCII in the query.
    assert re.fullmatch(r"[A-Za-z0-9=&%._~-]*", urlsplit(href).query)

    shot = screenshot_dir / f"badge-page-{lang}-{layout}.png"
    page.screenshot(path=str(shot), full_page=True)
    if layout == "desktop":
        card = client.get(
            urlsplit(image_url).path, params=dict(parse_qsl(urlsplit(image_url).query))
        )
        assert card.status_code == 200 and card.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(card.content)).size == (1200, 627)
        (screenshot_dir / f"badge-share-card-{lang}.png").write_bytes(card.content)
