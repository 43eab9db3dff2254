"""The staff console in headless Chromium: sign in, find a passer, revoke, read the statistics.

Each flow runs in Japanese and in English (the browser's Accept-Language picks the language,
the switch in the header changes it) on a laptop-sized window, with and without JavaScript.
Screenshots go to ``test-artifacts/screenshots/console-*.png``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.apikeys.service import create_api_key
from app.credentials.models import IssuedCredential
from tests.browser.conftest import DESKTOP
from tests.browser.support import LiveServer, admin_headers, issue_through_api

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 860} if DESKTOP["width"] < 1366 else DESKTOP
WORDS = {
    "ja": {
        "sign_in": "サインイン",
        "badges": "バッジ",
        "search": "検索",
        "revoke": "失効させる",
        "revoked": "失効させました。",
        "statistics": "統計",
        "tokyo": "東京都",
        "sign_out": "サインアウト",
    },
    "en": {
        "sign_in": "Sign in",
        "badges": "Badges",
        "search": "Search",
        "revoke": "Revoke",
        "revoked": "The credential was revoked.",
        "statistics": "Statistics",
        "tokyo": "Tokyo",
        "sign_out": "Sign out",
    },
}


@pytest.fixture(scope="module")
def exam(live_server: LiveServer) -> Iterator[dict[str, Any]]:
    """An issuer with one badge, a key for its staff, and passers issued over a year."""
    slug = f"exam-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=live_server.url, trust_env=False, timeout=30) as client:
        admin = admin_headers(live_server.app)
        first = issue_through_api(client, admin, slug=slug)
        numbers = {}
        for lang, script in (("ja", "js"), ("en", "js"), ("ja", "nojs"), ("en", "nojs")):
            number = f"2026-{lang}-{script}-{uuid.uuid4().hex[:4]}"
            response = client.post(
                "/api/v1/credentials",
                json={
                    "achievement_id": first["achievement_id"],
                    "recipient": {"email": f"{lang}@example.jp", "name": "山田 花子"},
                    "external_id": number,
                },
                headers=admin,
            )
            assert response.status_code == 201, response.text
            numbers[lang, script] = (number, response.json()["id"])
    sessions = live_server.app.state.resources.sessions
    with sessions() as session:
        issuer_id = session.get(IssuedCredential, uuid.UUID(first["id"])).issuer_id
        key = create_api_key(session, issuer_id=issuer_id, is_admin=False, name="console")
        # A year of sessions, spread over prefectures, for the statistics.
        start = datetime.now(UTC) - timedelta(days=330)
        for n in range(90):
            session.add(
                IssuedCredential(
                    issuer_id=issuer_id,
                    achievement_id=uuid.UUID(first["achievement_id"]),
                    format="ob3",
                    status=("active", "active", "active", "revoked", "suspended")[n % 5],
                    recipient_email=f"p{n}@example.jp",
                    recipient_email_lower=f"p{n}@example.jp",
                    issued_at=start + timedelta(days=(n * 37) % 330),
                    document="{}",
                    prefecture=(13, 13, 14, 27, 1, 40, None)[n % 7],
                )
            )
            session.flush()  # one at a time, as issuing writes them
        session.commit()
    yield {"key": key, "numbers": numbers, "achievement_id": first["achievement_id"]}


def _shoot(page: Any, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


@pytest.fixture
def open_console(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    contexts: list[Any] = []
    problems: list[str] = []

    def opener(lang: str, *, javascript: bool = True) -> Any:
        context = browser.new_context(
            viewport=LAPTOP,
            java_script_enabled=javascript,
            locale="ja-JP" if lang == "ja" else "en-US",
            extra_http_headers={"Accept-Language": "ja" if lang == "ja" else "en"},
        )
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{live_server.url}/console")
        return page

    yield opener
    for context in contexts:
        context.close()
    assert problems == []


def _sign_in(page: Any, key: str, lang: str) -> None:
    assert page.url.endswith("/console/sign-in")
    page.get_by_label("API").fill(key)
    page.get_by_role("button", name=WORDS[lang]["sign_in"]).click()
    page.wait_for_url(re.compile(r"/console/achievements$"))


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_sign_in_find_a_passer_revoke_and_read_statistics(
    open_console: Any, exam: dict[str, Any], screenshot_dir: Path, lang: str, javascript: bool
) -> None:
    words = WORDS[lang]
    suffix = f"{lang}" if javascript else f"{lang}-nojs"
    page = open_console(lang, javascript=javascript)
    if javascript:
        _shoot(page, screenshot_dir, f"console-sign-in-{suffix}")
    _sign_in(page, exam["key"], lang)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("heading", level=1).inner_text() == words["badges"]
    assert page.locator("table tbody tr").count() == 1
    if javascript:
        _shoot(page, screenshot_dir, f"console-badges-{suffix}")

    # Find the passer by examinee number, open the credential, revoke it with a reason.
    number, credential_id = exam["numbers"][lang, "js" if javascript else "nojs"]
    page.get_by_role("navigation").get_by_role("link").nth(1).click()
    page.locator("#q").fill(number)
    page.get_by_role("button", name=words["search"], exact=True).click()
    row = page.locator("table tbody tr")
    assert row.count() == 1 and number in row.inner_text()
    if javascript:
        _shoot(page, screenshot_dir, f"console-search-{suffix}")
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(f"/console/credentials/{credential_id}$"))
    page.locator("#reason").fill("受験資格の不備 / ineligible")
    page.get_by_role("button", name=words["revoke"], exact=True).click()
    page.wait_for_url(re.compile(r"\?done=revoke$"))
    assert page.get_by_role("status").inner_text() == words["revoked"]
    assert "受験資格の不備 / ineligible" in page.locator(".facts").first.inner_text()
    if javascript:
        _shoot(page, screenshot_dir, f"console-credential-revoked-{suffix}")
    _statistics(page, words, screenshot_dir, suffix, javascript)


def _statistics(
    page: Any, words: dict[str, str], directory: Path, suffix: str, javascript: bool
) -> None:
    page.get_by_role("link", name=words["statistics"], exact=True).first.click()
    page.wait_for_url(re.compile(r"/console/statistics$"))
    charts = page.get_by_role("img")
    assert charts.count() == 2
    assert charts.first.locator("title").first.text_content()
    tokyo = page.locator("table.counts tr", has_text=words["tokyo"])
    assert tokyo.count() == 1
    totals = page.locator(".total-issued .total-n").inner_text()
    assert int(totals) >= 94
    if javascript:
        _shoot(page, directory, f"console-statistics-{suffix}")
    # Sign out: the console asks for a key again.
    page.get_by_role("button", name=words["sign_out"]).click()
    page.wait_for_url(re.compile(r"/console/sign-in\?signed_out=1$"))
    page.goto(page.url.split("/console")[0] + "/console/search")
    assert page.url.endswith("/console/sign-in")


def test_the_language_switch_changes_the_console(open_console: Any, exam: dict[str, Any]) -> None:
    page = open_console("ja")
    _sign_in(page, exam["key"], "ja")
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Badges"
    page.get_by_role("link", name="日本語").click()
    assert page.get_by_role("heading", level=1).inner_text() == "バッジ"


CLAIM_WORDS = {
    "ja": {
        "not_claimed": "未受け取り",
        "resend": "再送する",
        "resent": "通知メールを新しい受け取りリンク付きで送信待ちにしました。",
        "address": "訂正して通知する",
        "corrected": "メールアドレスを訂正し",
    },
    "en": {
        "not_claimed": "Not yet accepted",
        "resend": "Send again",
        "resent": "The notification was queued again, with a fresh claim link.",
        "address": "Correct and notify",
        "corrected": "The address was corrected",
    },
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_passers_mail_resend_and_a_corrected_address(
    open_console: Any,
    exam: dict[str, Any],
    live_server: LiveServer,
    screenshot_dir: Path,
    lang: str,
) -> None:
    words = CLAIM_WORDS[lang]
    with httpx.Client(base_url=live_server.url, trust_env=False, timeout=30) as client:
        admin = admin_headers(live_server.app)
        issued = client.post(
            "/api/v1/credentials",
            json={
                "achievement_id": exam["achievement_id"],
                "recipient": {"email": f"typo-{lang}@exmaple.jp", "name": "鈴木 一郎"},
                "external_id": f"2026-mail-{lang}-{uuid.uuid4().hex[:4]}",
            },
            headers=admin,
        )
        assert issued.status_code == 201, issued.text
        credential_id = issued.json()["id"]
    page = open_console(lang)
    _sign_in(page, exam["key"], lang)
    page.goto(f"{live_server.url}/console/credentials/{credential_id}")
    assert page.locator("#claim-state").inner_text() == words["not_claimed"]
    assert page.locator("#mail-state").get_attribute("data-state") in ("queued", "sending", "sent")
    _shoot(page, screenshot_dir, f"console-credential-mail-{lang}")

    page.get_by_role("button", name=words["resend"]).click()
    page.wait_for_url(re.compile(r"\?done=resend$"))
    assert page.get_by_role("status").inner_text() == words["resent"]

    corrected = f"ichiro-{lang}@example.jp"
    page.locator("#new-email").fill(corrected)
    page.get_by_role("button", name=words["address"]).click()
    page.wait_for_url(re.compile(r"\?done=address$"))
    assert words["corrected"] in page.get_by_role("status").inner_text()
    assert corrected in page.locator(".facts").first.inner_text()
    _shoot(page, screenshot_dir, f"console-credential-corrected-{lang}")


def _session_csv(lang: str, rows: int) -> bytes:
    """A session's passers as staff export them: Japanese headers in Shift_JIS, or English."""
    prefix = uuid.uuid4().hex[:6]
    if lang == "ja":
        lines = ["受験番号,メールアドレス,氏名,都道府県"]
        lines += [
            f"{prefix}-{n:04d},p{n}.{prefix}@example.jp,合格 {n}号,{n % 47 + 1}"
            for n in range(rows)
        ]
        lines.append(f"{prefix}-bad,not-an-address,誤り 太郎,東京都")
        return ("\r\n".join(lines) + "\r\n").encode("cp932")
    lines = ["external_id,email,name,prefecture"]
    lines += [f"{prefix}-{n:04d},p{n}.{prefix}@example.jp,Passer {n},Tokyo" for n in range(rows)]
    lines.append(f"{prefix}-bad,not-an-address,Wrong Row,Atlantis")
    return ("\r\n".join(lines) + "\r\n").encode()


BATCH_WORDS = {
    "ja": {"upload": "CSV で発行", "check": "確認する", "error": "エラー", "done": "完了"},
    "en": {"upload": "Issue from CSV", "check": "Check", "error": "Error", "done": "Done"},
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_upload_preview_start_watch_and_download_results(
    open_console: Any, exam: dict[str, Any], screenshot_dir: Path, tmp_path: Path, lang: str
) -> None:
    words = BATCH_WORDS[lang]
    page = open_console(lang)
    _sign_in(page, exam["key"], lang)
    page.get_by_role("link", name=words["upload"]).first.click()
    page.wait_for_url(re.compile(r"/console/batches/new\?achievement_id="))
    source = tmp_path / f"session-{lang}.csv"
    source.write_bytes(_session_csv(lang, 120))
    page.locator("#file").set_input_files(str(source))
    page.locator("#label").fill(f"2026#{lang}")
    _shoot(page, screenshot_dir, f"console-upload-{lang}")
    page.get_by_role("button", name=words["check"]).click()
    page.wait_for_url(re.compile(r"/console/batches/[0-9a-f-]{36}$"))

    # The preview: nothing issued yet, the bad row first in the report.
    first = page.locator("table.report tbody tr").first
    assert words["error"] in first.inner_text()
    assert page.locator(".total-error .total-n").inner_text() == "1"
    assert page.locator(".total-ok .total-n").inner_text() == "120"
    _shoot(page, screenshot_dir, f"console-preview-{lang}")

    # Start, and watch the bar fill; the page turns into the finished batch by itself.
    page.locator("form[action$='/start'] button").click()
    progress = page.locator("progress")
    progress.wait_for()
    _shoot(page, screenshot_dir, f"console-progress-{lang}")
    page.locator(".state-done").wait_for(timeout=120_000)
    assert page.locator("[data-state]").inner_text() == words["done"]
    assert progress.get_attribute("value") == progress.get_attribute("max") == "120"
    assert page.locator("[data-figure='issued']").inner_text() == "120"
    _shoot(page, screenshot_dir, f"console-batch-done-{lang}")

    with page.expect_download() as download:
        page.locator("a[href$='/results.csv']").click()
    saved = screenshot_dir.parent / f"console-results-{lang}.csv"
    download.value.save_as(str(saved))
    lines = saved.read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(lines) == 122
    assert sum("/credentials/" in line for line in lines) == 120


def test_progress_without_javascript_refreshes_itself(
    open_console: Any, exam: dict[str, Any], tmp_path: Path, live_server: LiveServer
) -> None:
    page = open_console("en", javascript=False)
    _sign_in(page, exam["key"], "en")
    page.get_by_role("link", name="Issue from CSV").first.click()
    source = tmp_path / "session.csv"
    source.write_bytes(_session_csv("en", 30))
    page.locator("#file").set_input_files(str(source))
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(re.compile(r"/console/batches/[0-9a-f-]{36}$"))
    page.locator("form[action$='/start'] button").click()
    # Without a script, the page reloads itself (meta refresh) until the batch is done.
    page.locator(".state-done").wait_for(timeout=120_000)
    assert page.locator("[data-figure='issued']").inner_text() == "30"
    assert page.locator("meta[http-equiv=refresh]").count() == 0
