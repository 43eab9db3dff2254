"""The passer's public badge page in headless Chromium: language, preview tags, sharing.

A badge is issued through the live server's API; the browser opens its page as a Japanese
and an English reader (the browser's own language, no ``?lang=``) on a phone (375 by 812)
and a desktop (1280 by 800). The screenshots of a valid badge's page and its share image are
taken by ``test_passer_journey``, on a badge issued in a batch and claimed; this file saves
the revoked page's.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.support import LiveServer, admin_headers, issue_through_api

pytestmark = pytest.mark.browser

LAYOUTS = [
    ("ja", PHONE, "phone"),
    ("ja", DESKTOP, "desktop"),
    ("en", PHONE, "phone"),
    ("en", DESKTOP, "desktop"),
]
LOCALES = {"ja": "ja-JP", "en": "en-US"}
WORDS = {
    "ja": {
        "title": "生成AIパスポート",
        "linkedin": "LinkedIn のプロフィールに追加",
        "copy": "リンクをコピー",
        "copied": "コピーしました",
        "valid": "有効",
    },
    "en": {
        "title": "Generative AI Passport",
        "linkedin": "Add to LinkedIn profile",
        "copy": "Copy link",
        "copied": "Copied",
        "valid": "Valid",
    },
}


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with httpx.Client(base_url=live_server.url, trust_env=False, timeout=30) as client:
        yield client, admin_headers(live_server.app)


@pytest.fixture(scope="module")
def issued(api: tuple[httpx.Client, dict[str, str]]) -> dict[str, Any]:
    client, headers = api
    return issue_through_api(client, headers, slug=f"page-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """Open a URL in a fresh context of a reader of ``lang``; script errors fail the test."""
    contexts: list[Any] = []
    problems: list[str] = []

    def opener(url: str, lang: str, viewport: dict[str, int], *, javascript: bool = True) -> Any:
        context = browser.new_context(
            viewport=viewport, locale=LOCALES[lang], java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: problems.append(m.text) if _problem(m) else None)
        page.on("response", lambda r: problems.append(r.url) if _missing(r) else None)
        page.goto(url)
        return page

    yield opener
    for context in contexts:
        context.close()
    assert problems == []


def _problem(message: Any) -> bool:
    # A failed load is reported by the response hook below, with its URL.
    return bool(message.type == "error" and "Failed to load resource" not in message.text)


def _missing(response: Any) -> bool:
    # The browser asks for /favicon.ico on its own; the service has none.
    return bool(response.status >= 400 and not response.url.endswith("/favicon.ico"))


def _meta(page: Any, key: str) -> str:
    attribute = "name" if key.startswith(("twitter:", "robots")) else "property"
    value = page.locator(f'meta[{attribute}="{key}"]').get_attribute("content")
    assert value is not None, key
    return str(value)


@pytest.mark.parametrize(("lang", "viewport", "layout"), LAYOUTS)
def test_the_page_in_the_readers_language_with_preview_tags_and_linkedin(
    open_page: Any,
    issued: dict[str, Any],
    api: tuple[httpx.Client, dict[str, str]],
    lang: str,
    viewport: dict[str, int],
    layout: str,
) -> None:
    page = open_page(issued["public_url"], lang, viewport)
    words = WORDS[lang]
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == words["title"]
    assert page.locator("#state").inner_text() == words["valid"]
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    assert _meta(page, "og:title") == words["title"]
    assert _meta(page, "og:url") == issued["public_url"]
    assert (_meta(page, "og:image:width"), _meta(page, "og:image:height")) == ("1200", "627")
    assert _meta(page, "twitter:card") == "summary_large_image"
    assert _meta(page, "robots") == "noindex"
    image_url = _meta(page, "og:image")
    assert image_url.startswith(issued["public_url"] + "/share.png?lang=" + lang)

    linkedin = page.get_by_role("link", name=words["linkedin"]).get_attribute("href")
    params = dict(parse_qsl(urlsplit(linkedin).query))
    assert params["startTask"] == "CERTIFICATION_NAME"
    assert params["name"] == words["title"]
    assert params["organizationName"].startswith(
        "一般社団法人 生成AI検定協会" if lang == "ja" else "Generative AI Examination Association"
    )
    assert params["certUrl"] == issued["public_url"] and params["certId"] == issued["id"]
    assert params["issueYear"].isdigit() and 1 <= int(params["issueMonth"]) <= 12
    assert "hanako@example.jp" not in page.content()

    # The image the preview tags name is a 1200 by 627 PNG.
    card = api[0].get(urlsplit(image_url).path + "?" + urlsplit(image_url).query)
    assert card.status_code == 200 and card.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(card.content)).size == (1200, 627)


def test_copy_link_copies_the_page_address(
    open_page: Any, issued: dict[str, Any], browser: Any
) -> None:
    page = open_page(issued["public_url"], "en", DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button = page.locator("#copy-link")
    assert button.inner_text() == WORDS["en"]["copy"]
    button.click()
    # The clipboard answers asynchronously: wait for the button's new label.
    expect(button).to_have_text(WORDS["en"]["copied"])
    assert page.evaluate("navigator.clipboard.readText()") == issued["public_url"]


def test_without_javascript_the_link_is_a_plain_selectable_field(
    open_page: Any, issued: dict[str, Any]
) -> None:
    page = open_page(issued["public_url"], "ja", PHONE, javascript=False)
    field = page.locator("#page-link")
    assert field.input_value() == issued["public_url"]
    assert field.get_attribute("readonly") is not None
    assert not page.locator("#copy-link").is_visible()  # nothing that would not work
    assert page.locator(".qr svg").is_visible()


def test_a_revoked_badge_page_shows_its_state_and_no_share_buttons(
    open_page: Any, api: tuple[httpx.Client, dict[str, str]], screenshot_dir: Path
) -> None:
    client, headers = api
    revoked = issue_through_api(client, headers, slug=f"rev-{uuid.uuid4().hex[:8]}")
    answer = client.post(
        f"/api/v1/credentials/{revoked['id']}/revoke",
        json={"reason": "受験資格の誤り", "reason_public": True},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    page = open_page(revoked["public_url"], "ja", PHONE)
    assert page.locator("#state").inner_text() == "取り消し済み"
    assert "受験資格の誤り" in page.content()
    assert page.locator("#share").count() == 0
    assert _meta(page, "og:description").startswith("取り消し済み")
    page.screenshot(path=str(screenshot_dir / "badge-page-revoked-ja-phone.png"), full_page=True)
