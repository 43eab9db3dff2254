"""Helpers for the verification tests: badges made with the library, and a live server.

``BadgeMaker`` plays a foreign issuer with a ``did:key`` (nothing to fetch for its key), so
its credentials verify with no network at all; its status lists are served by whatever
fetcher a test installs. ``LiveServer`` runs the real application under uvicorn on a free
loopback port, in a thread of the test process, so tests can reach into it (its database,
its fetcher) while a browser or a raw socket talks to it over TCP.
"""

from __future__ import annotations

import io
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import uvicorn
from fastapi import FastAPI
from PIL import Image, ImageDraw

from app.fetching import FetchedDocument
from badges import baking, data_integrity, status_list, vc_jwt
from badges.errors import FetchError
from badges.ob3.builder import build_credential
from badges.ob3.models import Achievement, Criteria, Profile
from badges.ob3.models import Image as BadgeImage
from keys import KeySigner, did_key, generate_key

NOW = datetime.now(UTC).replace(microsecond=0)
STATUS_LIST_URL = "https://status.example.org/lists/1"


class HTTPClient(Protocol):
    def post(self, url: str, **kwargs: Any) -> Any: ...

    def put(self, url: str, **kwargs: Any) -> Any: ...

    def get(self, url: str, **kwargs: Any) -> Any: ...


def admin_headers(app: FastAPI) -> dict[str, str]:
    """Headers with a new administrator API key of ``app``."""
    from app.apikeys.service import create_api_key

    with app.state.resources.sessions() as session:
        key = create_api_key(session, issuer_id=None, is_admin=True)
    return {"Authorization": f"Bearer {key}"}


def achievement_through_api(
    client: HTTPClient, headers: dict[str, str], *, slug: str, picture: bytes | None = None
) -> dict[str, Any]:
    """Create an issuer and a bilingual achievement with an image; return the achievement."""

    def ok(response: Any, status: int) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    ok(
        client.post(
            "/api/v1/issuers",
            json={
                "slug": slug,
                # Issuers' names may not look alike: each but the first carries its slug.
                "name": "一般社団法人 生成AI検定協会" + ("" if slug == "ai-exam" else f" {slug}"),
                "name_translations": {
                    "en": "Generative AI Examination Association"
                    + ("" if slug == "ai-exam" else f" {slug}")
                },
                "url": "https://ai-exam.example.jp/",
                "email": "badges@ai-exam.example.jp",
            },
            headers=headers,
        ),
        201,
    )
    achievement: dict[str, Any] = ok(
        client.post(
            "/api/v1/achievements",
            json={
                "issuer": slug,
                "language": "ja",
                "name": {"ja": "生成AIパスポート", "en": "Generative AI Passport"},
                "description": {
                    "ja": "生成AIを安全に活用するための基礎知識を証明します。",
                    "en": "Certifies the basics of using generative AI safely.",
                },
                "criteria": {"narrative": "試験に合格すること。"},
            },
            headers=headers,
        ),
        201,
    )
    ok(
        client.put(
            f"/api/v1/achievements/{achievement['id']}/image",
            content=picture or badge_png(),
            headers=headers | {"Content-Type": "image/png"},
        ),
        200,
    )
    return achievement


def issue_through_api(
    client: HTTPClient,
    headers: dict[str, str],
    *,
    slug: str,
    email: str = "hanako@example.jp",
    credential_format: str = "ob3",
    picture: bytes | None = None,
) -> dict[str, Any]:
    """Create an issuer and an achievement with an image, and issue one credential."""
    achievement = achievement_through_api(client, headers, slug=slug, picture=picture)
    body = {
        "achievement_id": achievement["id"],
        "recipient": {"email": email, "name": "山田 花子"},
        "format": credential_format,
    }
    response = client.post("/api/v1/credentials", json=body, headers=headers)
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


# --- badges ------------------------------------------------------------------------------


def badge_png(colour: str = "#1d4ed8", label: str = "AI") -> bytes:
    """A small, plain badge picture (a coloured disc with a label)."""
    image = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 152, 152), fill=colour, outline="#f5c542", width=8)
    draw.text((64, 70), label, fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def data_url(png: bytes) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(png).decode()


@dataclass
class BadgeMaker:
    """An issuer with a did:key that signs OB 3.0 credentials and status lists."""

    name: str = "一般社団法人 生成AI検定協会"
    key: Any = field(default_factory=lambda: generate_key("Ed25519"))

    @property
    def did(self) -> str:
        return did_key(self.key.public_key())

    @property
    def signer(self) -> KeySigner:
        return KeySigner(self.key, f"{self.did}#{self.did.removeprefix('did:key:')}")

    def unsigned(
        self,
        *,
        name: str = "生成AIパスポート",
        description: str = "生成AIを安全に活用するための基礎知識を証明します。",
        email: str = "hanako@example.jp",
        image: str | None = None,
        valid_until: datetime | None = None,
        status_index: int | None = None,
    ) -> dict[str, Any]:
        status = None
        if status_index is not None:
            status = status_list.StatusEntry(
                type="BitstringStatusListEntry",
                purpose="revocation",
                index=status_index,
                list_credential=STATUS_LIST_URL,
            ).to_json()
        achievement: dict[str, Any] = {
            "id": f"https://badges.example.org/achievements/{uuid.uuid4()}",
            "type": ["Achievement"],
            "name": name,
            "description": description,
            "criteria": Criteria.from_wire({"narrative": "試験に合格すること。"}).to_wire(),
        }
        if image:
            achievement["image"] = BadgeImage.from_wire({"id": image, "type": "Image"}).to_wire()
        return build_credential(
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            issuer=Profile.from_wire(
                {
                    "id": self.did,
                    "type": ["Profile"],
                    "name": self.name,
                    "url": "https://issuer.example.org/",
                }
            ),
            achievement=Achievement.from_wire(achievement),
            recipient_email=email,
            valid_from=NOW - timedelta(days=30),
            valid_until=valid_until,
            credential_status=status,
        )

    def credential(self, **options: Any) -> dict[str, Any]:
        """A signed OB 3.0 credential (Data Integrity, eddsa-rdfc-2022)."""
        return data_integrity.sign(self.unsigned(**options), self.signer, created=NOW)

    def jwt(self, **options: Any) -> str:
        """The same credential secured as a VC-JWT (EdDSA)."""
        return vc_jwt.sign(self.unsigned(**options), self.signer)

    def status_list(self, revoked: tuple[int, ...] = ()) -> dict[str, Any]:
        bits = status_list.new_bitstring()
        for index in revoked:
            status_list.set_bit(bits, index, 1)
        unsigned = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": STATUS_LIST_URL,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.did,
            "validFrom": (NOW - timedelta(days=1)).isoformat().replace("+00:00", "Z"),
            "credentialSubject": status_list.status_list_credential_subject(
                subject_id=f"{STATUS_LIST_URL}#list", purpose="revocation", bits=bits
            ),
        }
        return data_integrity.sign(unsigned, self.signer, created=NOW)

    def baked_png(self, credential: dict[str, Any] | str, picture: bytes | None = None) -> bytes:
        import json

        payload = credential if isinstance(credential, str) else json.dumps(credential)
        return baking.bake(picture or badge_png(), payload, version="3.0")


class TableFetcher:
    """Stands in for SafeFetcher: serves a table of documents, records every URL asked.

    A document is a JSON object, or bytes served as they are (an image, a JWS).
    """

    def __init__(self, documents: Mapping[str, dict[str, Any] | bytes] | None = None) -> None:
        self.documents = dict(documents or {})
        self.asked: list[str] = []

    def _find(self, url: str) -> dict[str, Any] | bytes:
        self.asked.append(url)
        try:
            return self.documents[url]
        except KeyError:
            raise FetchError(f"{url} returned 404 Not Found", status=404) from None

    def get_json(self, url: str) -> dict[str, Any]:
        document = self._find(url)
        if isinstance(document, bytes):
            raise FetchError(f"{url} is not a JSON object")
        return document

    def get(self, url: str, *, accept: str) -> FetchedDocument:
        import json

        document = self._find(url)
        if isinstance(document, bytes):
            media = "image/png" if document.startswith(b"\x89PNG") else "text/plain"
            return FetchedDocument(200, url, media, document)
        return FetchedDocument(200, url, "application/json", json.dumps(document).encode())


# --- a live server -----------------------------------------------------------------------


def free_socket() -> socket.socket:
    """A listening-ready socket bound to a free loopback port."""
    # IPPROTO_TCP spelt out: asyncio sets TCP_NODELAY only on sockets that name it, and
    # without it every keep-alive response waits 40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class LiveServer:
    """The app under uvicorn in a background thread; ``url`` is its base URL."""

    app: FastAPI
    sock: socket.socket
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serve(make_app: Callable[[str], FastAPI], *, timeout: float = 20.0) -> Iterator[LiveServer]:
    """Start ``make_app(base_url)`` on a free port; stop it on exit."""
    sock = free_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = make_app(base_url)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(app, sock, server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
