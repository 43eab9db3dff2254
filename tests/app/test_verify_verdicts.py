"""The verify API on the verdicts of issue 8: OB 2.0 hosted revocation through the app's fetcher."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from badges.errors import FetchError
from tests.badges import worlds
from tests.browser.support import TableFetcher


class GoneFetcher(TableFetcher):
    """A table fetcher where some URLs answer 410 Gone."""

    def __init__(self, documents: dict[str, Any], gone: set[str]) -> None:
        super().__init__(documents)
        self.gone = gone

    def _find(self, url: str) -> dict[str, Any] | bytes:
        if url in self.gone:
            self.asked.append(url)
            raise FetchError(f"{url} returned 410 Gone", status=410)
        return super()._find(url)


@pytest.fixture
def install(app: FastAPI, client: TestClient) -> Iterator[Any]:
    resources = app.state.resources
    original = resources.fetcher

    def put(fetcher: TableFetcher) -> None:
        resources.fetcher = fetcher

    yield put
    resources.fetcher = original


def _verify(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", json=body)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


@pytest.mark.parametrize("answer", ["410", "stub"])
def test_a_withdrawn_hosted_assertion_is_revoked_by_url_and_by_json(
    client: TestClient, install: Any, answer: str
) -> None:
    documents: dict[str, Any] = dict(worlds.ob2_documents())
    gone: set[str] = set()
    if answer == "410":
        gone.add(worlds.OB2_HOSTED)
    else:
        documents[worlds.OB2_HOSTED] = {
            "id": worlds.OB2_HOSTED,
            "revoked": True,
            "revocationReason": "Awarded in error.",
        }
    install(GoneFetcher(documents, gone))
    by_url = _verify(client, url=worlds.OB2_HOSTED)
    by_json = _verify(client, credential=worlds.ob2_hosted())
    for report in (by_url, by_json):
        checks = {c["id"]: c["status"] for c in report["checks"]}
        assert report["format"] == "ob2-hosted"
        assert checks["status.revocation"] == "failed"
        assert report["summary"]["status"] == "revoked"
        assert report["ok"] is False
