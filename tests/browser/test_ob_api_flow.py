"""The Open Badges API flow end to end, as an HR system meets it: a real OAuth 2.0 client
(authlib's httpx client) against the live service, with headless Chromium signing the
passer in through the mailed link and clicking the consent page
(https://www.imsglobal.org/spec/ob/v3p0/#api-security).

Register, authorise, token, page through the credentials, refresh, revoke, and the error
branches: wrong verifier, reused code, wrong redirect URI, missing scope, expired token.
"""

from __future__ import annotations

import email
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import update

from app.mail.inbox import Inbox
from app.main import create_app
from app.migrate import upgrade
from app.obapi.models import OAuthToken
from app.settings import Settings
from tests.browser.conftest import DESKTOP
from tests.browser.support import LiveServer, admin_headers, issue_through_api, serve
from tests.ob_api_support import ALL, PROFILE_READ, READ, assert_valid, registration

pytestmark = pytest.mark.browser

PASSER = "hanako.hr@example.jp"
CALLBACK_HOST = "127.0.0.1"
CALLBACK_PORT = 9  # nothing listens: the browser's request to it is intercepted


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with Inbox() as server:
        yield server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveServer]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('ob-api-db') / 'shomei.db'}"
    upgrade(database_url)

    def make_app(base_url: str) -> FastAPI:
        return create_app(
            Settings(
                _env_file=None,
                database_url=database_url,
                base_url=base_url,
                key_passphrase=SecretStr("browser tests, not a secret"),
                fetch_allow="",
                smtp_url=SecretStr(inbox.url),
                jobs_run_in="server",
            )
        )

    with serve(make_app) as server:
        yield server


def _sign_in_link(inbox: Inbox, base: str, seen: int, timeout: float = 30.0) -> str:
    """The link of the first sign-in mail to the passer after the ``seen`` first mails."""
    pattern = re.compile(rf"{re.escape(base)}/account/sign-in/[\w-]+")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in inbox.received[seen:]:
            if PASSER in received.rcpt_tos:
                message = email.message_from_bytes(received.content, policy=policy.default)
                body = message.get_body(("plain",))
                assert body is not None
                found = pattern.findall(body.get_content())
                if found:
                    return str(found[0])
        time.sleep(0.1)
    raise AssertionError("no sign-in mail arrived")


class Browser:
    """A passer's browser: routes the client's redirect URI to record where it was sent."""

    def __init__(self, context: Any) -> None:
        self.page = context.new_page()
        self.landed: list[str] = []

        def land(route: Any) -> None:
            self.landed.append(route.request.url)
            route.fulfill(status=200, content_type="text/plain", body="back at the HR system")

        self.page.route(f"http://{CALLBACK_HOST}:{CALLBACK_PORT}/**", land)

    def authorize(self, url: str) -> str:
        """Open the authorization URL and allow; the URL the browser was sent back to."""
        self.page.goto(url)
        self.page.locator("#allow").click()
        self.page.wait_for_url(f"http://{CALLBACK_HOST}:{CALLBACK_PORT}/**")
        return self.landed[-1]


def _oauth_client(info: dict[str, Any], scope: str = ALL) -> OAuth2Client:
    return OAuth2Client(
        client_id=info["client_id"],
        client_secret=info["client_secret"],
        scope=scope,
        redirect_uri=info["redirect_uris"][0],
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
        trust_env=False,
        timeout=30,
    )


def _links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


def test_an_hr_system_connects_pages_refreshes_and_is_revoked(
    live: LiveServer, inbox: Inbox, browser: Any, screenshot_dir: Path
) -> None:
    base = live.url
    with httpx.Client(base_url=base, trust_env=False, timeout=30) as plain:
        headers = admin_headers(live.app)
        for number in range(3):
            issue_through_api(
                plain,
                headers,
                slug=f"hr-{uuid.uuid4().hex[:8]}",
                email=PASSER,
                credential_format="ob3-jwt" if number == 2 else "ob3",
            )
        # discovery, then registration (RFC 7591) at the URL it names
        sdd = plain.get("/ims/ob/v3p0/discovery").json()
        scheme = sdd["components"]["securitySchemes"]["OAuth2ACG"]
        flow = scheme["flows"]["authorizationCode"]
        registered = plain.post(
            scheme["x-imssf-registrationUrl"],
            json=registration(CALLBACK_HOST, CALLBACK_PORT),
        )
        assert registered.status_code == 201, registered.text
        info = registered.json()
    api = sdd["servers"][0]["url"]

    context = browser.new_context(viewport=DESKTOP, locale="ja-JP")
    try:
        passer = Browser(context)
        client = _oauth_client(info)
        verifier = uuid.uuid4().hex + uuid.uuid4().hex
        url, state = client.create_authorization_url(
            flow["authorizationUrl"], code_verifier=verifier
        )
        # not signed in: the sign-in form first, then the mailed link, then back to consent
        passer.page.goto(url)
        seen = len(inbox.received)
        passer.page.locator("#email").fill(PASSER)
        passer.page.locator("#send").click()
        passer.page.locator("#message").wait_for()
        passer.page.goto(_sign_in_link(inbox, base, seen))
        passer.page.locator("#confirm").click()
        passer.page.locator("#allow").wait_for()
        assert "人事システム HR Suite" in passer.page.locator("h1").inner_text()
        assert "あなたのバッジを読み取る" in passer.page.locator("#scopes").inner_text()
        passer.page.screenshot(path=str(screenshot_dir / "ob-api-consent-ja.png"), full_page=True)
        passer.page.locator("#allow").click()
        passer.page.wait_for_url(f"http://{CALLBACK_HOST}:{CALLBACK_PORT}/**")
        callback = passer.landed[-1]
        assert f"state={state}" in callback and "scope=" in callback

        token = client.fetch_token(
            flow["tokenUrl"], authorization_response=callback, code_verifier=verifier
        )
        assert token["refresh_token"] and token["token_type"].lower() == "bearer"

        # page through the credentials, following the Link headers
        documents: list[Any] = []
        tokens: list[str] = []
        next_url: str | None = f"{api}/credentials?limit=2"
        while next_url:
            page = client.get(next_url)
            assert page.status_code == 200
            assert page.headers["x-total-count"] == "3"
            assert_valid("getopenbadgecredentialsresponse", page.json())
            documents += page.json()["credential"]
            tokens += page.json()["compactJwsString"]
            next_url = _links(page.headers["link"]).get("next")
        assert len(documents) == 2 and len(tokens) == 1
        profile = client.get(f"{api}/profile")
        assert profile.status_code == 200 and profile.json()["email"] == PASSER

        # refresh, then revoke (RFC 7009): calls with the revoked token are refused
        old_access = token["access_token"]
        refreshed = client.refresh_token(flow["refreshUrl"])
        assert refreshed["access_token"] != old_access
        assert client.get(f"{api}/credentials").status_code == 200
        client.revoke_token(
            f"{base}/oauth/revoke",
            token=refreshed["access_token"],
            token_type_hint="access_token",
        )
        refused = client.get(f"{api}/credentials")
        assert refused.status_code == 401
        assert_valid("imsx_statusinfo", refused.json())

        # the account page lists the badges and the application; disconnecting it works
        passer.page.goto(f"{base}/account?lang=en")
        assert passer.page.locator("#credentials tbody tr").count() == 3
        assert "HR Suite" in passer.page.locator("#applications").inner_text()
        passer.page.screenshot(path=str(screenshot_dir / "ob-api-account-en.png"), full_page=True)
        passer.page.locator("#applications button").click()
        passer.page.locator("#message").wait_for()
        assert "No connected applications" in passer.page.locator("#applications").inner_text()
    finally:
        context.close()


def test_the_error_branches_with_a_real_client(
    live: LiveServer, inbox: Inbox, browser: Any
) -> None:
    base = live.url
    with httpx.Client(base_url=base, trust_env=False, timeout=30) as plain:
        info = plain.post("/oauth/register", json=registration(CALLBACK_HOST, CALLBACK_PORT)).json()
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    try:
        passer = Browser(context)
        # sign in once for this browser
        passer.page.goto(f"{base}/account/sign-in")
        seen = len(inbox.received)
        passer.page.locator("#email").fill(PASSER)
        passer.page.locator("#send").click()
        passer.page.locator("#message").wait_for()
        passer.page.goto(_sign_in_link(inbox, base, seen))
        passer.page.locator("#confirm").click()
        passer.page.wait_for_url(f"{base}/account**")

        def code(client: OAuth2Client, verifier: str) -> str:
            url, _ = client.create_authorization_url(
                f"{base}/oauth/authorize", code_verifier=verifier
            )
            return passer.authorize(url)

        token_url = f"{base}/oauth/token"
        # wrong verifier
        client = _oauth_client(info)
        verifier = "v" * 50
        callback = code(client, verifier)
        with pytest.raises(OAuthError, match="invalid_grant"):
            client.fetch_token(token_url, authorization_response=callback, code_verifier="w" * 50)
        # reused code
        callback = code(client, verifier)
        first = client.fetch_token(
            token_url, authorization_response=callback, code_verifier=verifier
        )
        with pytest.raises(OAuthError, match="invalid_grant"):
            client.fetch_token(token_url, authorization_response=callback, code_verifier=verifier)
        assert (
            httpx.get(
                f"{base}/ims/ob/v3p0/credentials",
                headers={"Authorization": f"Bearer {first['access_token']}"},
                trust_env=False,
            ).status_code
            == 401
        )
        # wrong redirect URI at the token endpoint
        callback = code(client, verifier)
        other = _oauth_client(info)
        other.redirect_uri = f"http://{CALLBACK_HOST}:{CALLBACK_PORT}/elsewhere"
        with pytest.raises(OAuthError, match="invalid_grant"):
            other.fetch_token(token_url, authorization_response=callback, code_verifier=verifier)
        # and at the authorization endpoint: an error page, no redirect
        url, _ = other.create_authorization_url(f"{base}/oauth/authorize", code_verifier=verifier)
        shown = passer.page.goto(url)
        assert shown is not None and shown.status == 400
        assert "invalid_request" in passer.page.content()
        # missing scope: a token for the credentials only may not read the profile
        narrow = _oauth_client(info, scope=READ)
        callback = code(narrow, verifier)
        narrow.fetch_token(token_url, authorization_response=callback, code_verifier=verifier)
        forbidden = narrow.get(f"{base}/ims/ob/v3p0/profile")
        assert forbidden.status_code == 403
        assert (
            forbidden.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
            == "forbidden"
        )
        assert PROFILE_READ not in narrow.token["scope"]
        # expired token
        assert narrow.get(f"{base}/ims/ob/v3p0/credentials").status_code == 200
        with live.app.state.resources.sessions() as session:
            session.execute(
                update(OAuthToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
            session.commit()
        expired = httpx.get(
            f"{base}/ims/ob/v3p0/credentials",
            headers={"Authorization": f"Bearer {narrow.token['access_token']}"},
            trust_env=False,
        )
        assert expired.status_code == 401
        assert_valid("imsx_statusinfo", expired.json())
    finally:
        context.close()


def test_the_challenge_is_s256(live: LiveServer) -> None:
    # authlib's client computes the challenge this server checks (RFC 7636 §4.2).
    assert create_s256_code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
