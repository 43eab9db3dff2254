"""The running service as the interop oracles see it: a live server, its API, its one origin.

    serve_shomei(directory)       the real app under uvicorn on a free loopback port, with a
                                  fresh SQLite database, recording the paths it is asked for
    ShomeiAPI                     issuers, achievements, credentials, revocation and key
                                  rotation through ``/api/v1``, and public documents by path
    LiveFetcher                   a ``badges`` fetcher that reads the live server only, over HTTP
    run_validator_on_service(…)   1EdTech's OB 2.0 validator with the live server as the one
                                  origin it may reach

The OB 2.0 validator always loads the OB 2.0 JSON-LD context from w3id.org, and its runner
(tests/interop_ob2/validator.py) rewrites that URL to a pinned copy on the one loopback
origin the validator may reach. Here that origin is the live service, so the test server
also answers that one path, ``/_contexts/openbadges-v2``, with ``badges/contexts``' copy.
Nothing else is added to the application.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, MutableSequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from badges import FetchError, JSONObject, baking
from tests.browser.support import LiveServer, admin_headers, badge_png, serve
from tests.interop import harness
from tests.interop_ob2.validator import (
    CONTEXT_PATH,
    CONTEXTS,
    LoopbackServer,
    ValidatorResult,
    run_validator,
)

PASSPHRASE = "interop tests, not a secret"
ISSUER_EMAIL = "badges@ai-exam.example.jp"


# --- the live server -----------------------------------------------------------------------


class RequestLog:
    """ASGI middleware that records the path of every HTTP request (``app.state.requested``)."""

    def __init__(self, app: ASGIApp, paths: MutableSequence[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


def _serve_pinned_ob2_context(app: FastAPI) -> None:
    body = (CONTEXTS / "openbadges-v2.json").read_bytes()

    def context() -> Response:
        return Response(body, media_type="application/ld+json")

    app.add_api_route(CONTEXT_PATH, context, methods=["GET"], include_in_schema=False)


@contextmanager
def serve_shomei(directory: Path) -> Iterator[LiveServer]:
    """Run the service on a free loopback port with a new SQLite database in ``directory``."""
    database_url = f"sqlite:///{directory / 'shomei.db'}"
    upgrade(database_url)

    def make_app(base_url: str) -> FastAPI:
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            base_url=base_url,
            key_passphrase=SecretStr(PASSPHRASE),
            fetch_allow="",
            # The tests read a claim link's token from the outbox row, where it stays in
            # clear only until the mail is sent: kept queued, it cannot be sent under them.
            mail_paused=True,
        )
        app = create_app(settings)
        requested: list[str] = []
        app.state.requested = requested
        app.add_middleware(RequestLog, paths=requested)
        _serve_pinned_ob2_context(app)
        return app

    with serve(make_app) as server:
        yield server


def requested_paths(server: LiveServer) -> list[str]:
    """Every path the live server has been asked for so far, in order."""
    paths: list[str] = server.app.state.requested
    return list(paths)


# --- the API -------------------------------------------------------------------------------


@dataclass
class ShomeiAPI:
    """The admin API and the public documents of a live server, over HTTP."""

    client: httpx.Client
    headers: dict[str, str]

    @classmethod
    @contextmanager
    def connect(cls, server: LiveServer) -> Iterator[ShomeiAPI]:
        with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as client:
            yield cls(client, admin_headers(server.app))

    @staticmethod
    def _expect(response: httpx.Response, status: int) -> Any:
        assert response.status_code == status, f"{response.request.url}: {response.text}"
        return response.json()

    def create_issuer(self, slug: str) -> None:
        body = {
            "slug": slug,
            # Issuers' names may not look alike: each carries its slug.
            "name": f"一般社団法人 生成AI検定協会 {slug}",
            "name_translations": {"en": f"Generative AI Examination Association {slug}"},
            "url": "https://ai-exam.example.jp/",
            "email": ISSUER_EMAIL,
        }
        self._expect(self.client.post("/api/v1/issuers", json=body, headers=self.headers), 201)

    def create_achievement(self, slug: str) -> str:
        """An achievement of issuer ``slug`` with a PNG image; returns its id."""
        body = {
            "issuer": slug,
            "language": "ja",
            "name": {"ja": "生成AIパスポート", "en": "Generative AI Passport"},
            "description": {
                "ja": "生成AIを安全に活用するための基礎知識を証明します。",
                "en": "Certifies the basics of using generative AI safely.",
            },
            "criteria": {"narrative": "試験に合格すること。"},
        }
        created = self._expect(
            self.client.post("/api/v1/achievements", json=body, headers=self.headers), 201
        )
        image = self.client.put(
            f"/api/v1/achievements/{created['id']}/image",
            content=badge_png(),
            headers=self.headers | {"Content-Type": "image/png"},
        )
        self._expect(image, 200)
        achievement_id: str = created["id"]
        return achievement_id

    def issue(self, achievement_id: str, credential_format: str, **extra: Any) -> JSONObject:
        """``POST /api/v1/credentials``; ``extra`` adds request fields (valid_until, ...)."""
        body = {
            "achievement_id": achievement_id,
            "recipient": {"email": "hanako@example.jp", "name": "山田 花子"},
            "format": credential_format,
            **extra,
        }
        issued: JSONObject = self._expect(
            self.client.post("/api/v1/credentials", json=body, headers=self.headers), 201
        )
        return issued

    def revoke(self, credential_id: str, reason: str) -> JSONObject:
        response = self.client.post(
            f"/api/v1/credentials/{credential_id}/revoke",
            json={"reason": reason},
            headers=self.headers,
        )
        revoked: JSONObject = self._expect(response, 200)
        return revoked

    def suspend(self, credential_id: str) -> JSONObject:
        response = self.client.post(
            f"/api/v1/credentials/{credential_id}/suspend", headers=self.headers
        )
        suspended: JSONObject = self._expect(response, 200)
        return suspended

    def rotate_key(self, slug: str, algorithm: str) -> JSONObject:
        response = self.client.post(
            f"/api/v1/issuers/{slug}/keys/rotate",
            json={"algorithm": algorithm},
            headers=self.headers,
        )
        key: JSONObject = self._expect(response, 201)
        return key

    def public(self, path: str) -> httpx.Response:
        """GET a public document (no credentials sent); it must answer 200."""
        response = self.client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response

    def baked_png(self, credential_id: str) -> bytes:
        response = self.public(f"/credentials/{credential_id}.png")
        assert response.headers["content-type"] == "image/png"
        return response.content

    def baked_text(self, credential_id: str) -> str:
        """What ``/credentials/ID.png`` carries, read with our own unbaker."""
        return unbaked_text(self.baked_png(credential_id))


def unbaked_text(image: bytes) -> str:
    """The badge baked into a PNG or SVG image (a JWS or JSON text); it must have one."""
    found = baking.unbake(image)
    assert found is not None, "the image carries no badge"
    return found.text


# --- our verifier's view of the live server ------------------------------------------------


class LiveFetcher:
    """A ``badges`` fetcher over HTTP that reads nothing but the live server's URLs."""

    def __init__(self, client: httpx.Client, origin: str) -> None:
        self._client = client
        self._origin = origin.rstrip("/")

    def get_json(self, url: str) -> JSONObject:
        if not url.startswith(self._origin + "/"):
            raise FetchError(f"{url} is not on the live server")
        try:
            response = self._client.get(url, headers={"Accept": "application/ld+json"})
        except httpx.HTTPError as exc:
            raise FetchError(f"{url} could not be read: {exc}") from None
        if response.status_code != 200:
            raise FetchError(f"{url} answered {response.status_code}", status=response.status_code)
        try:
            document = response.json()
        except ValueError:
            raise FetchError(f"{url} is not JSON") from None
        if not isinstance(document, dict):
            raise FetchError(f"{url} is not a JSON object")
        return document

    def get_document(self, url: str) -> JSONObject | str:
        """JSON, or a status list secured as a VC-JWT (``application/vc+jwt``)."""
        if url.startswith(self._origin + "/") and url.endswith(".jwt"):
            response = self._client.get(url, headers={"Accept": "application/vc+jwt"})
            if response.headers.get("content-type", "").startswith("application/vc+jwt"):
                return response.text
        return self.get_json(url)


# --- 1EdTech's OB 2.0 validator against the live server -------------------------------------


class _ServiceOrigin(LoopbackServer):
    """The live service standing in for the validator runner's document server.

    ``run_validator`` needs only the origin the validator may reach (``netloc``) and the URL
    of the pinned OB 2.0 context there (``url``); both come from the service's base URL.
    It is never entered: the service serves the documents itself.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self._netloc = urlsplit(base_url).netloc

    @property
    def netloc(self) -> str:
        return self._netloc


def run_validator_on_service(
    python: Path, base_url: str, *, data: str | None = None, image: bytes | None = None
) -> ValidatorResult:
    """Run the validator on ``data`` (a URL or a JWS) or a baked ``image``.

    Its network is confined to the service at ``base_url``; the run's duration is recorded
    with the other oracle timings.
    """
    started = time.perf_counter()
    result = run_validator(python, _ServiceOrigin(base_url), data=data, image=image)
    harness.TIMINGS.record("1EdTech OB 2.0 validator", 1, time.perf_counter() - started)
    return result
