"""The claim page's OpenID4VCI section, in headless Chromium.

For a Japanese and an English reader, on a phone and on a desktop: the section shows the
``openid-credential-offer://`` deep link, a QR code of exactly that link and the transaction
code, in the reader's language, without widening the page; the link's offer is live and the
code shown redeems it. Screenshots: ``claim-oid4vci-{ja,en}-{phone,desktop}.png`` in
``test-artifacts/screenshots``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import segno

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.support import LiveServer
from tests.browser.test_claim_wallet import _claim_link, _qr_path, server  # noqa: F401

pytestmark = pytest.mark.browser

WORDS = {
    "ja": {
        "title": "ウォレットに追加 (OpenID4VCI)",
        "link": "ウォレットアプリで開く",
        "qr": "OpenID4VCI の QR コード",
    },
    "en": {
        "title": "Add to a wallet (OpenID4VCI)",
        "link": "Open in your wallet app",
        "qr": "OpenID4VCI QR code",
    },
}
LOCALES = {"ja": "ja-JP", "en": "en-US"}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_claim_page_offers_openid4vci_wallets_by_link_qr_and_code(
    server: LiveServer,  # noqa: F811
    browser: Any,
    screenshot_dir: Path,
    lang: str,
    device: str,
) -> None:
    words = WORDS[lang]
    with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as api:
        link = _claim_link(server, api)
        context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[lang])
        problems: list[str] = []
        try:
            page = context.new_page()
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{link}?lang={lang}")
            section = page.locator("#oid4vci")
            assert section.is_visible()
            assert section.locator("h2").inner_text() == words["title"]
            deep_link = page.get_by_role("link", name=words["link"])
            assert deep_link.is_visible()
            href = deep_link.get_attribute("href")
            qr = page.locator("#oid4vci-qr svg")
            assert qr.is_visible()
            box = qr.bounding_box()
            assert box is not None and box["width"] >= 150
            assert qr.locator("title").text_content() == words["qr"]
            svg = qr.evaluate("node => node.outerHTML")
            tx_code = page.locator("#oid4vci-tx-code").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            section.scroll_into_view_if_needed()
            page.screenshot(
                path=str(screenshot_dir / f"claim-oid4vci-{lang}-{device}.png"), full_page=True
            )
        finally:
            context.close()
        assert problems == []

        assert href is not None and href.startswith("openid-credential-offer://?")
        expected = segno.make(href, error="m").svg_inline(scale=3, title="x", dark="#1d2433")
        assert _qr_path(svg) == _qr_path(html.unescape(expected))
        assert re.fullmatch(r"\d{6}", tx_code)
        offer_uri = parse_qs(urlsplit(href).query)["credential_offer_uri"][0]
        assert offer_uri.startswith(f"{server.url}/oid4vci/offers/")
        offer = api.get(offer_uri).json()
        assert tx_code not in str(offer)
        code = offer["grants"][PRE_AUTH]["pre-authorized_code"]
        form = {"grant_type": PRE_AUTH, "pre-authorized_code": code, "tx_code": tx_code}
        token = api.post("/oid4vci/token", data=form)
        assert token.status_code == 200, token.text
