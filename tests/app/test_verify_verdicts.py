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


def _ob3_table() -> TableFetcher:
    return TableFetcher({worlds.DID_URL: worlds.did_doc(), worlds.LIST_URL: worlds.signed_list()})


def test_endorsements_are_listed_in_the_summary_with_their_own_outcome(
    client: TestClient, install: Any
) -> None:
    from tests.badges.test_verification_verdicts import _endorsement, _with_endorsement

    install(_ob3_table())
    altered = _endorsement()
    altered["credentialSubject"]["endorsementComment"] = "書き換え"
    credential = _with_endorsement("credential", _endorsement())
    credential_bad = _with_endorsement("achievement", altered)
    good, bad = _verify(client, credential=credential), _verify(client, credential=credential_bad)
    for report, verified in ((good, True), (bad, False)):
        assert report["ok"] is True  # an endorsement never changes the verdict
        [endorsement] = report["summary"]["endorsements"]
        assert endorsement["endorser"] == "日本資格評議会"
        assert endorsement["endorser_id"].startswith("did:key:")
        assert endorsement["verified"] is verified
    page = client.post("/verify", data={"text": __import__("json").dumps(credential_bad)})
    assert page.status_code == 200
    assert "日本資格評議会" in page.text


def test_the_summary_shows_the_verified_issuer_and_signed_dates_only(
    client: TestClient, install: Any
) -> None:
    from tests.badges.test_verification_verdicts import _signed

    install(_ob3_table())
    credential = _signed()
    credential["expirationDate"] = "2020-01-01T00:00:00Z"  # added after signing: not signed
    summary = _verify(client, credential=credential)["summary"]
    assert summary["valid_until"] is None
    assert summary["issued"] == summary["valid_from"] == credential["validFrom"]
    good = _verify(client, credential=_signed())["summary"]
    assert good["issuer"]["name"] == worlds.ISSUER_NAME
    assert good["issuer"]["verified_id"] == worlds.DID
