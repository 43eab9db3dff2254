"""The claim page's "Add to Learner Credential Wallet" section, in headless Chromium.

For a Japanese and an English reader, on a phone and on a desktop: the section shows the
button (a ``https://lcw.app/request?request=…`` deep link whose ``protocols.vcapi`` is a live
exchange), a QR code of exactly that link, the interaction URL and the legacy link, in the
reader's language, without widening the page. Screenshots: ``claim-wallet-{ja,en}-{phone,
desktop}.png`` in ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import segno
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from app.mail.models import OutboxMessage
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.support import LiveServer, admin_headers, issue_through_api, serve

pytestmark = pytest.mark.browser

WORDS = {
    "ja": {
        "title": "ウォレットに追加する",
        "button": "Learner Credential Wallet に追加",
        "qr": "Learner Credential Wallet で読み取る QR コード",
    },
    "en": {
        "title": "Add to your wallet",
        "button": "Add to Learner Credential Wallet",
        "qr": "QR code to scan with the Learner Credential Wallet",
    },
}
LOCALES = {"ja": "ja-JP", "en": "en-US"}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('wallet-db') / 'shomei.db'}"
    upgrade(database_url)

    def make_app(base_url: str) -> FastAPI:
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            base_url=base_url,
            key_passphrase=SecretStr("browser tests, not a secret"),
            fetch_allow="",
            mail_paused=True,
        )
        return create_app(settings)

    with serve(make_app) as live:
        yield live


def _claim_link(server: LiveServer, api: httpx.Client) -> str:
    slug = f"wallet-{uuid.uuid4().hex[:8]}"
    issued = issue_through_api(api, admin_headers(server.app), slug=slug)
    with server.app.state.resources.sessions() as session:
        token = session.scalar(
            select(OutboxMessage.claim_token).where(
                OutboxMessage.credential_id == uuid.UUID(issued["id"])
            )
        )
    assert token is not None
    return f"{server.url}/claim/{token}"


def _qr_path(svg: str) -> str:
    match = re.search(r'<path[^>]* d="([^"]+)"', svg)
    assert match is not None, svg[:300]
    return match[1]


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_claim_page_offers_the_learner_credential_wallet_by_link_and_qr(
    server: LiveServer, browser: Any, screenshot_dir: Path, lang: str, device: str
) -> None:
    words = WORDS[lang]
    with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as api:
        link = _claim_link(server, api)
        context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[lang])
        problems: list[str] = []
        try:
            page = context.new_page()
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(link)
            section = page.locator("#wallet")
            assert section.is_visible()
            assert section.locator("h2").inner_text() == words["title"]
            button = page.get_by_role("link", name=words["button"])
            assert button.is_visible()
            href = button.get_attribute("href")
            qr = page.locator("#lcw-qr svg")
            assert qr.is_visible()
            box = qr.bounding_box()
            assert box is not None and box["width"] >= 150
            assert qr.locator("title").text_content() == words["qr"]
            svg = qr.evaluate("node => node.outerHTML")
            interaction = page.locator("#lcw-interaction").get_attribute("href")
            legacy = page.locator("#lcw-legacy").get_attribute("href")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            section.scroll_into_view_if_needed()
            page.screenshot(
                path=str(screenshot_dir / f"claim-wallet-{lang}-{device}.png"), full_page=True
            )
        finally:
            context.close()
        assert problems == []

        assert href is not None and href.startswith("https://lcw.app/request?request=")
        # The QR code is of exactly the button's link.
        expected = segno.make(href, error="m").svg_inline(scale=3, title="x", dark="#1d2433")
        assert _qr_path(svg) == _qr_path(html.unescape(expected))
        message = json.loads(parse_qs(urlsplit(href).query)["request"][0])
        exchange = message["protocols"]["vcapi"]
        assert exchange.startswith(f"{server.url}/wallets/vcapi/exchanges/")
        assert interaction is not None and interaction.startswith(f"interaction:{server.url}/")
        assert legacy is not None and legacy.startswith("dccrequest://request?")
        request = api.post(exchange, json={}).json()["verifiablePresentationRequest"]
        assert request["query"][0]["type"] == "DIDAuthentication"
