"""The passer's page: download the badge with the credential inside, and share its link."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.app.test_credentials import issue, make_achievement

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]
HTML = {"Accept": "text/html,application/xhtml+xml"}


def _links(html: str) -> dict[str, str]:
    """Link text → href (the page escapes & as &amp;)."""
    return {
        text: href.replace("&amp;", "&")
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    }


def test_an_active_credential_can_be_downloaded_baked_and_shared(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"], image="svg"))
    page = client.get(f"/credentials/{credential['id']}", headers=HTML).text
    links = _links(page)

    image = links["バッジ画像をダウンロード / Download the badge image"]
    assert image == f"{credential['public_url']}.svg"
    assert f'href="{image}" download' in page
    baked = client.get(urlsplit(image).path)
    assert baked.status_code == 200 and b"openbadges:credential" in baked.content

    linkedin = urlsplit(links["LinkedIn のプロフィールに追加 / Add to LinkedIn"])
    query = parse_qs(linkedin.query)
    assert linkedin.netloc == "www.linkedin.com"
    assert query["certUrl"] == [credential["public_url"]]
    assert query["organizationName"] == ["一般社団法人 AIリテラシー検定協会"]
    assert links["メールで送る / Send by e-mail"].startswith("mailto:?subject=")


def test_a_revoked_credential_offers_nothing_to_share(
    client: TestClient, app: FastAPI, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    credential = issue(client, staff, make_achievement(app, issuer["id"], image="svg"))
    revoke = client.post(
        f"/api/v1/credentials/{credential['id']}/revoke", json={"reason": "不正"}, headers=staff
    )
    assert revoke.status_code == 200, revoke.text
    page = client.get(f"/credentials/{credential['id']}", headers=HTML).text
    assert "Download and share" not in page
    assert "不正" in page
