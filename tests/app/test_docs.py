"""The API documentation works without internet: every asset is served by the service."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

_REFERENCES = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url:\s*'([^']+)'""")


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_reference_only_this_service(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    references = [a or b for a, b in _REFERENCES.findall(page.text)]
    assert references, page.text
    assert "//" not in page.text.replace("window.location.origin", ""), "an absolute URL"
    for reference in references:
        assert reference.startswith("/"), reference
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        assert len(asset.content) > 100, reference
    assert "fonts.googleapis.com" not in page.text


def test_the_docs_assets_have_their_media_types(client: TestClient) -> None:
    script = client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in script.text
    assert client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    missing = client.get("/docs/assets/nothing.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_home_page_leads_to_the_verifier_and_the_docs(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200
    links = re.findall(r'href="([^"]+)"', home.text)
    assert "/verify" in links
    assert "/docs" in links
