"""The verify page in headless Chromium: what an employer sees, with and without JavaScript.

Badges are issued, revoked and baked by the service through its own API on the live server;
the browser then checks them the way a person would: dropping the PNG on the page, pasting
JSON, using only the keyboard. Screenshots (phone 375 by 812, desktop 1280 by 800) are written to
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.support import (
    BadgeMaker,
    LiveServer,
    admin_headers,
    badge_png,
    data_url,
    issue_through_api,
)

pytestmark = pytest.mark.browser

EMAIL = "hanako@example.jp"
LAYOUTS = [("en", DESKTOP, "desktop"), ("ja", PHONE, "phone")]
WORDS = {
    "en": {
        "valid": "Valid",
        "invalid": "Not valid",
        "signature": "Signature",
        "revoked": "Revoked",
    },
    "ja": {"valid": "有効", "invalid": "無効", "signature": "署名", "revoked": "失効"},
}
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with httpx.Client(base_url=live_server.url, trust_env=False, timeout=30) as client:
        yield client, admin_headers(live_server.app)


def _issue(api: tuple[httpx.Client, dict[str, str]], **options: Any) -> dict[str, Any]:
    client, headers = api
    return issue_through_api(client, headers, slug=f"exam-{uuid.uuid4().hex[:8]}", **options)


def _baked_png(
    api: tuple[httpx.Client, dict[str, str]], issued: dict[str, Any], tmp_path: Path
) -> Path:
    response = api[0].get(f"/credentials/{issued['id']}.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    path = tmp_path / "badge.png"
    path.write_bytes(response.content)
    return path


@pytest.fixture
def open_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """Open the verify page in a fresh context; console errors and dialogs fail the test."""
    contexts: list[Any] = []
    problems: list[str] = []

    def opener(lang: str, viewport: dict[str, int], *, javascript: bool = True) -> Any:
        context = browser.new_context(
            viewport=viewport, java_script_enabled=javascript, locale="en-US"
        )
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if _problem(m) else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.goto(f"{live_server.url}/verify?lang={lang}")
        return page

    yield opener
    for context in contexts:
        context.close()
    assert problems == []


def _problem(message: Any) -> bool:
    # A 4xx answer the page expects is logged as a failed resource; anything else is a fault.
    return bool(message.type == "error" and "Failed to load resource" not in message.text)


def _tab_to(page: Any, element_id: str) -> None:
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def _shoot(page: Any, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def _checks(page: Any) -> dict[str, str]:
    items = page.locator("ol.checks > li")
    return {
        items.nth(i).get_attribute("data-check"): items.nth(i).get_attribute("class")
        for i in range(items.count())
    }


# --- the empty form ---------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "viewport", "layout"), LAYOUTS)
def test_the_form_fits_the_screen(
    open_page: Any, screenshot_dir: Path, lang: str, viewport: dict[str, int], layout: str
) -> None:
    page = open_page(lang, viewport)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.get_by_label({"en": "Choose a badge image", "ja": "バッジ画像"}[lang]).count() == 1
    assert page.locator("#result").get_attribute("aria-live") == "polite"
    _shoot(page, screenshot_dir, f"verify-form-{layout}-{lang}")


# --- valid, not valid, revoked ------------------------------------------------------------


@pytest.mark.parametrize(("lang", "viewport", "layout"), LAYOUTS)
def test_a_dropped_png_issued_by_the_service_is_valid(
    open_page: Any,
    api: tuple[httpx.Client, dict[str, str]],
    tmp_path: Path,
    screenshot_dir: Path,
    lang: str,
    viewport: dict[str, int],
    layout: str,
) -> None:
    png = _baked_png(api, _issue(api, email=EMAIL), tmp_path)
    page = open_page(lang, viewport)
    page.set_input_files("#file", str(png))
    page.fill("#email", EMAIL)
    page.click("#submit")
    verdict = page.locator("#verdict")
    verdict.wait_for()
    assert verdict.inner_text() == WORDS[lang]["valid"]
    assert page.locator(".verdict").get_attribute("class") == "verdict verdict--valid"
    assert page.locator(".badge-name").inner_text() == "生成AIパスポート"
    assert page.locator(".pill--good").count() == 2  # recipient matched, status active
    assert page.evaluate("document.activeElement.id") == "verdict"  # focus moved to the answer
    assert page.locator("img.badge-image").get_attribute("src").startswith("blob:")
    assert all("check--failed" not in c for c in _checks(page).values())
    assert page.url.endswith(f"/verify?lang={lang}")  # no page load: the result is in place
    _shoot(page, screenshot_dir, f"verify-valid-{layout}-{lang}")


@pytest.mark.parametrize(("lang", "viewport", "layout"), LAYOUTS)
def test_a_tampered_credential_pasted_as_json_is_not_valid(
    open_page: Any,
    api: tuple[httpx.Client, dict[str, str]],
    screenshot_dir: Path,
    lang: str,
    viewport: dict[str, int],
    layout: str,
) -> None:
    document = _issue(api)["document"]
    document["credentialSubject"]["achievement"]["name"] = "上級 生成AIパスポート"
    page = open_page(lang, viewport)
    page.fill("#text", json.dumps(document, ensure_ascii=False, indent=2))
    page.click("#submit")
    page.locator("#verdict").wait_for()
    assert page.locator("#verdict").inner_text() == WORDS[lang]["invalid"]
    assert WORDS[lang]["signature"] in page.locator(".verdict-text").inner_text()
    assert "check--failed" in _checks(page)["proof.signature"]
    failed = page.locator('li[data-check="proof.signature"] .check-label').inner_text()
    assert failed == WORDS[lang]["signature"]
    assert page.locator(".claims").is_visible()  # the card's claims are flagged unconfirmed
    _shoot(page, screenshot_dir, f"verify-tampered-{layout}-{lang}")


@pytest.mark.parametrize(("lang", "viewport", "layout"), LAYOUTS)
def test_a_revoked_credential_shows_revoked(
    open_page: Any,
    api: tuple[httpx.Client, dict[str, str]],
    tmp_path: Path,
    screenshot_dir: Path,
    lang: str,
    viewport: dict[str, int],
    layout: str,
) -> None:
    issued = _issue(api)
    client, headers = api
    revoked = client.post(
        f"/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "試験での不正行為が判明したため"},
        headers=headers,
    )
    assert revoked.status_code == 200, revoked.text
    png = _baked_png(api, issued, tmp_path)
    page = open_page(lang, viewport)
    page.set_input_files("#file", str(png))
    page.click("#submit")
    page.locator("#verdict").wait_for()
    assert page.locator("#verdict").inner_text() == WORDS[lang]["invalid"]
    assert page.locator(".pill--bad").inner_text() == WORDS[lang]["revoked"]
    assert "check--failed" in _checks(page)["status.revocation"]
    assert "check--passed" in _checks(page)["proof.signature"]
    _shoot(page, screenshot_dir, f"verify-revoked-{layout}-{lang}")


# --- language, glyphs, no JavaScript, keyboard ---------------------------------------------


def test_the_japanese_page_shows_japanese_glyphs(open_page: Any, screenshot_dir: Path) -> None:
    page = open_page("ja", DESKTOP)
    heading = page.locator("h1")
    assert heading.inner_text() == "デジタルバッジを検証する"
    assert page.locator("html").get_attribute("lang") == "ja"
    box = heading.bounding_box()
    assert box is not None and box["width"] > 12 * 24 and box["height"] > 20
    # Without a CJK font every character is drawn as the same empty box (.notdef):
    # distinct characters drawn in the page's font must give distinct pixels.
    glyphs = page.evaluate(
        """() => {
          const font = getComputedStyle(document.querySelector('h1')).fontFamily;
          const draw = (text) => {
            const canvas = document.createElement('canvas');
            canvas.width = 64; canvas.height = 64;
            const context = canvas.getContext('2d');
            context.font = `48px ${font}`;
            context.fillText(text, 4, 52);
            const data = context.getImageData(0, 0, 64, 64).data;
            let inked = 0, hash = 0;
            for (let i = 3; i < data.length; i += 4) {
              if (data[i] > 0) inked += 1;
              hash = (hash * 31 + data[i]) | 0;
            }
            return [inked, hash];
          };
          return [draw('検'), draw('証'), draw('有')];
        }"""
    )
    inked = [g[0] for g in glyphs]
    assert min(inked) > 100, glyphs
    assert len({g[1] for g in glyphs}) == 3, "CJK characters render as identical boxes"
    heading.screenshot(path=str(screenshot_dir / "verify-heading-desktop-ja.png"))


def test_the_language_switch_sticks(open_page: Any, live_server: LiveServer) -> None:
    page = open_page("en", PHONE)
    assert page.locator("h1").inner_text() == "Verify a digital badge"
    with page.expect_navigation():
        page.click("a[hreflang=ja]")
    assert page.locator("h1").inner_text() == "デジタルバッジを検証する"
    page.goto(f"{live_server.url}/verify")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("a[hreflang=ja]").get_attribute("aria-current") == "true"


@pytest.mark.parametrize(("lang", "viewport", "layout"), LAYOUTS)
def test_the_form_works_without_javascript(
    open_page: Any,
    api: tuple[httpx.Client, dict[str, str]],
    tmp_path: Path,
    screenshot_dir: Path,
    lang: str,
    viewport: dict[str, int],
    layout: str,
) -> None:
    png = _baked_png(api, _issue(api, email=EMAIL), tmp_path)
    page = open_page(lang, viewport, javascript=False)
    page.set_input_files("#file", str(png))
    page.fill("#email", EMAIL)
    with page.expect_navigation():
        page.click("#submit")
    assert page.url.endswith("/verify")  # the plain form post, answered by the server
    assert page.locator("#verdict").inner_text() == WORDS[lang]["valid"]
    assert page.locator("img.badge-image").get_attribute("src").startswith("data:image/png")
    assert page.locator("ol.checks > li").count() >= 8
    _shoot(page, screenshot_dir, f"verify-nojs-valid-{layout}-{lang}")
    # And a failure, pasted as text.
    document = _issue(api)["document"]
    document["validFrom"] = "2020-01-01T00:00:00Z"
    page.fill("#text", json.dumps(document))
    with page.expect_navigation():
        page.click("#submit")
    assert page.locator("#verdict").inner_text() == WORDS[lang]["invalid"]


def test_keyboard_alone_reaches_the_form_and_gets_an_answer(open_page: Any) -> None:
    page = open_page("en", DESKTOP)
    order: list[str] = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    for control in ("file", "text", "email", "submit"):
        assert control in order, order
    assert order.index("file") < order.index("text") < order.index("email") < order.index("submit")
    # Type a badge into the text box and send it, never touching the mouse.
    credential = BadgeMaker().credential()
    _tab_to(page, "text")
    page.keyboard.insert_text(json.dumps(credential))
    _tab_to(page, "submit")
    page.keyboard.press("Enter")
    page.locator("#verdict").wait_for()
    assert page.locator("#verdict").inner_text() == "Valid"
    assert page.evaluate("document.activeElement.id") == "verdict"


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_badge_text_is_shown_as_text_never_run(
    open_page: Any, screenshot_dir: Path, javascript: bool
) -> None:
    credential = BadgeMaker(name=XSS).credential(
        name=XSS, description=XSS, image=data_url(badge_png("#b42318", "X"))
    )
    page = open_page("en", DESKTOP, javascript=javascript)
    page.fill("#text", json.dumps(credential))
    if javascript:
        page.click("#submit")
        page.locator("#verdict").wait_for()
    else:
        with page.expect_navigation():
            page.click("#submit")
    assert page.locator("#verdict").inner_text() == "Valid"  # the badge itself is genuine
    assert page.locator(".badge-name").inner_text() == XSS
    assert page.locator(".badge-description").inner_text() == XSS
    assert page.locator("img[src=x]").count() == 0
    if javascript:
        _shoot(page, screenshot_dir, "verify-escaped-name-desktop-en")
    # open_page fails the test if an alert() ran (a dialog) or the console saw an error.


def test_an_unreadable_file_gets_a_clear_message(open_page: Any, tmp_path: Path) -> None:
    plain = tmp_path / "photo.png"
    plain.write_bytes(badge_png())
    page = open_page("ja", PHONE)
    page.set_input_files("#file", str(plain))
    page.click("#submit")
    alert = page.locator("[role=alert]")
    alert.wait_for()
    assert "バッジとして読み取れませんでした" in alert.inner_text()
    page.click("#file-clear")
    page.click("#submit")
    assert "ファイルを選ぶか" in page.locator("[role=alert]").inner_text()
