"""A passer's way from the mail to the badge, in headless Chromium against a live server.

The server sends its mail to a real SMTP server on loopback (``app.mail.inbox``) through its
own background sender, as in production. The test reads the mail as it arrived, follows its
claim link as a Japanese and an English reader, accepts the badge, downloads the PNG and has
the service's verify API check it. Screenshots: ``claim-page-{ja,en}.png`` (before accepting)
and ``claim-accepted-{ja,en}.png`` (after), in ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import email
import re
import time
import uuid
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from app.mail.inbox import Inbox, Received
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from badges import baking
from tests.browser.conftest import PHONE
from tests.browser.support import LiveServer, admin_headers, issue_through_api, serve

pytestmark = pytest.mark.browser

FROM = "badges@ai-exam.example.jp"
WORDS = {
    "ja": {"accept": "バッジを受け取る", "accepted": "受け取りました", "title": "生成AIパスポート"},
    "en": {
        "accept": "Accept the badge",
        "accepted": "Accepted on",
        "title": "Generative AI Passport",
    },
}
LOCALES = {"ja": "ja-JP", "en": "en-US"}


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with Inbox() as server:
        yield server


@pytest.fixture(scope="module")
def mailing_server(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveServer]:
    """A live server whose background sender mails to ``inbox``."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('claim-db') / 'shomei.db'}"
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


def _mail_to(inbox: Inbox, address: str, timeout: float = 30.0) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found: list[Received] = [r for r in inbox.received if address in r.rcpt_tos]
        if found:
            message = email.message_from_bytes(found[-1].content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            return message
        time.sleep(0.1)
    raise AssertionError(f"no mail arrived in {timeout} s")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_passer_follows_the_mail_accepts_and_downloads_a_badge_that_verifies(
    mailing_server: LiveServer,
    inbox: Inbox,
    browser: Any,
    screenshot_dir: Path,
    lang: str,
) -> None:
    words = WORDS[lang]
    address = f"passer-{lang}@example.jp"
    with httpx.Client(base_url=mailing_server.url, trust_env=False, timeout=30) as api:
        headers = admin_headers(mailing_server.app)
        issued = issue_through_api(
            api, headers, slug=f"claim-{uuid.uuid4().hex[:8]}", email=address
        )
        message = _mail_to(inbox, address)
        body = message.get_body(("plain",))
        assert body is not None
        [link] = re.findall(
            rf"{re.escape(mailing_server.url)}/claim/[A-Za-z0-9_-]+", body.get_content()
        )

        context = browser.new_context(viewport=PHONE, locale=LOCALES[lang], accept_downloads=True)
        problems: list[str] = []
        try:
            page = context.new_page()
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(link)
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("h1").inner_text() == words["title"]
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
        finally:
            context.close()
        assert problems == []

        baked = baking.unbake(png)
        assert baked is not None and baked.version == "3.0"
        report = api.post(
            "/api/v1/verify",
            files={"file": ("badge.png", png, "image/png")},
            data={"email": address},
        ).json()
        assert report["ok"] is True, report
        staff_view = api.get(f"/api/v1/credentials/{issued['id']}", headers=headers).json()
        assert staff_view["claimed_at"] is not None
        assert staff_view["notification"]["state"] == "sent"
