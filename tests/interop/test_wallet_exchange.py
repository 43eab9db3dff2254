"""A wallet that behaves like the Learner Credential Wallet receives a badge over VC-API.

One live server (the real app under uvicorn on a loopback port, fresh SQLite) issues a badge;
the passer's claim page offers the wallet links. ``js/lcw-wallet.mjs`` follows each link as
the Learner Credential Wallet does (the ``https://lcw.app/request?request=…`` message, the
``interaction:`` URL, and the legacy ``dccrequest://`` one-POST request): it makes a
``did:key``, POSTs ``{}``, signs the DID Authentication with ``@digitalbazaar/vc`` and
``Ed25519Signature2020``, receives the credential, and has ``@digitalbazaar/vc`` verify it
inside a presentation signed by the same key (holder binding, status list fetched live). Our
own verifier checks each credential too; after the award is revoked both report it revoked.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import badges
from app.mail.models import OutboxMessage
from badges import JSONObject
from tests.browser.support import LiveServer
from tests.interop import harness
from tests.interop.service_support import LiveFetcher, ShomeiAPI, serve_shomei

pytestmark = pytest.mark.interop

LINKS = {
    "request": re.compile(r'id="lcw-link" href="([^"]+)"'),
    "interaction": re.compile(r'id="lcw-interaction" href="([^"]+)"'),
    "legacy": re.compile(r'id="lcw-legacy" href="([^"]+)"'),
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, ShomeiAPI]]:
    with (
        serve_shomei(tmp_path_factory.mktemp("wallet")) as server,
        ShomeiAPI.connect(server) as api,
    ):
        yield server, api


def _claim_token(server: LiveServer, credential_id: str) -> str:
    with server.app.state.resources.sessions() as session:
        token = session.scalar(
            select(OutboxMessage.claim_token).where(
                OutboxMessage.credential_id == uuid.UUID(credential_id)
            )
        )
    assert token is not None
    return token


def _links(api: ShomeiAPI, token: str) -> dict[str, str]:
    page = api.client.get(f"/claim/{token}?lang=en").text
    found = {}
    for name, pattern in LINKS.items():
        match = pattern.search(page)
        assert match is not None, name
        found[name] = html.unescape(match[1])
    return found


def _ours(server: LiveServer, api: ShomeiAPI, credential: JSONObject) -> badges.VerificationReport:
    host = server.url.removeprefix("http://")
    config = badges.VerifierConfig(
        resolver=badges.ResolverConfig(did_web_http_hosts=frozenset({host}))
    )
    return badges.verify(
        credential,
        fetcher=LiveFetcher(api.client, server.url),
        now=datetime.now(UTC),
        config=config,
    )


def test_the_lcw_like_wallet_receives_bound_credentials_that_verify_then_revoke(
    oracle: None, live: tuple[LiveServer, ShomeiAPI]
) -> None:
    server, api = live
    api.create_issuer("wallet-exam")
    achievement = api.create_achievement("wallet-exam")
    award = api.issue(achievement, "ob3", result=[{"value": "91"}])
    token = _claim_token(server, award["id"])
    # One claim page visit per link form: each visit makes one single-use offer.
    requests = [
        {"link": _links(api, token)[form], "allow": [server.url]}
        for form in ("request", "interaction", "legacy")
    ]
    results = harness.run_script("lcw-wallet.mjs", requests)
    for form, result in zip(("request", "interaction", "legacy"), results, strict=True):
        assert result["verified"] is True, (form, result["errors"])
        assert result["presentationVerified"] is True, form
        assert result["bound"] is True, form
        assert result["status"] == [{"statusPurpose": "revocation", "set": False}], form
        expected = [200] if form == "legacy" else [200, 200]
        assert result["exchange"] == expected, form
        credential = result["credential"]
        assert credential["credentialSubject"]["id"] == result["holder"]
        assert credential["credentialSubject"]["result"][0]["value"] == "91"
        report = _ours(server, api, credential)
        assert report.ok, (form, report.checks)
    request = results[0]["request"]
    assert request["domain"] == server.url.removeprefix("http://")
    assert request["query"][0]["type"] == "DIDAuthentication"

    api.revoke(award["id"], "Awarded in error.")
    credentials = [result["credential"] for result in results]
    verdicts = harness.verify_di_many(
        [harness.di_request(c, fetch=True, allow=[server.url]) for c in credentials]
    )
    for verdict in verdicts:
        assert verdict["verified"] is False
        assert verdict["status"][0]["set"] is True
    for credential in credentials:
        checks = {c.id: c.status for c in _ours(server, api, credential).checks}
        assert checks["status.revocation"] == "failed"


def test_a_used_link_gives_another_wallet_nothing(
    oracle: None, live: tuple[LiveServer, ShomeiAPI]
) -> None:
    server, api = live
    api.create_issuer("wallet-reuse")
    award = api.issue(api.create_achievement("wallet-reuse"), "ob3")
    link = _links(api, _claim_token(server, award["id"]))["request"]
    first, second = harness.run_script(
        "lcw-wallet.mjs", [{"link": link, "allow": [server.url]}] * 2
    )
    assert first["verified"] is True, first["errors"]
    assert second["verified"] is False
    assert second["exchange"] == [409]
