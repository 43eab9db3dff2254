"""Answers for the service's own URLs, straight from the database.

Credentials this service issued name its own URLs: the issuer's ``did:web`` DID document,
its JWK Set and profile, its status lists, the OB 2.0 assertion, badge class, issuer, key
and revocation list. Verifying them must not take a network round trip to ourselves (which
the fetcher would refuse anyway when the service runs on a private address).
:class:`LocalDocuments` is the ``local`` hook of :class:`app.fetching.SafeFetcher`: it returns
the document a URL would serve, ``None`` for a URL that is not ours (the fetcher then goes to
the network), and raises ``FetchError`` with status 404 for one of ours that names nothing.

A URL counts as ours when its host and port are the base URL's; ``http`` and ``https`` are
both accepted, because a ``did:web`` is always read over HTTPS even where the service itself
is configured with a plain-HTTP base URL (development, tests).
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session, sessionmaker

from app.achievements.documents import badge_class_document
from app.achievements.models import Achievement
from app.credentials import service as credential_service
from app.errors import NotFoundError
from app.issuers import service as issuer_service
from app.keyring import Keyring
from app.ob2 import documents as ob2_documents
from app.published import ISSUERS, STATUS, published_cache
from app.status import service as status_service
from app.urls import Urls
from badges.errors import FetchError
from badges.ports import JSONObject

__all__ = ["LocalDocuments"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SEGMENT = r"([^/]+)"
_ID = r"([0-9a-fA-F-]{36})"

Handler = Callable[["LocalDocuments", Session, tuple[str, ...]], Any]


def _origin(url: str) -> tuple[str, int | None, str] | None:
    """(host, explicit non-default port, path) of an http(s) URL, or ``None``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.query:
        return None
    if port in _DEFAULT_PORTS.values():
        port = None
    return parts.hostname.lower(), port, parts.path


class LocalDocuments:
    """The ``local`` hook: ``LocalDocuments(...)(url)`` → the document, or ``None``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        keyring: Keyring,
        urls: Urls,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._keyring = keyring
        self._urls = urls
        self._clock = clock
        base = _origin(urls.base + "/")
        if base is None:
            raise ValueError(f"not an http(s) base URL: {urls.base!r}")
        self._host, self._port, self._prefix = base[0], base[1], base[2].rstrip("/")

    def __call__(self, url: str) -> JSONObject | None:
        """The JSON document ``url`` serves, if it is one of ours."""
        found = self._answer(url, _DOCUMENTS)
        return found if isinstance(found, dict) else None

    def body(self, url: str) -> bytes | None:
        """A credential exactly as issued (JSON or a VC-JWT), if ``url`` is one of ours."""
        found = self._answer(url, _BODIES)
        return found if isinstance(found, bytes) else None

    def document(self, url: str) -> JSONObject | str | None:
        """A JSON document, or a status list secured as a VC-JWT (its compact JWS)."""
        found = self._answer(url, _SECURED)
        if isinstance(found, str):
            return found
        return self(url)

    def _answer(self, url: str, routes: tuple[tuple[re.Pattern[str], Handler], ...]) -> Any:
        path = self._own_path(url)
        if path is None:
            return None
        for pattern, handler in routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            groups = tuple(unquote(g) if g else "" for g in match.groups())
            try:
                scope = _PUBLISHED.get(handler)
                if scope is None:
                    return self._read(handler, groups)
                cache = published_cache(self._sessions)
                key = (handler.__name__, *groups)
                return cache.get(scope, key, functools.partial(self._read, handler, groups))
            except NotFoundError:
                raise FetchError(f"{url} returned 404 Not Found", status=404) from None
        return None

    def _read(self, handler: Handler, groups: tuple[str, ...]) -> Any:
        with self._sessions() as session:
            return handler(self, session, groups)

    def _own_path(self, url: str) -> str | None:
        origin = _origin(url)
        if origin is None or origin[:2] != (self._host, self._port):
            return None
        path = origin[2]
        if self._prefix and not path.startswith(self._prefix + "/"):
            return None
        return path[len(self._prefix) :]

    # --- the documents ------------------------------------------------------------

    def _did_document(self, session: Session, groups: tuple[str, ...]) -> JSONObject:
        issuer = issuer_service.get_issuer(session, groups[0])
        return issuer_service.did_document_of(self._urls, issuer)

    def _jwks(self, session: Session, groups: tuple[str, ...]) -> JSONObject:
        issuer = issuer_service.get_issuer(session, groups[0])
        return issuer_service.jwks_of(self._urls, issuer)

    def _profile(self, session: Session, groups: tuple[str, ...]) -> JSONObject:
        issuer = issuer_service.get_issuer(session, groups[0])
        return issuer_service.profile_of(self._urls, issuer)

    def _status_list(self, session: Session, groups: tuple[str, ...]) -> JSONObject:
        slug, purpose, number = groups
        return status_service.status_list_document(
            session, self._keyring, self._urls, slug, purpose, int(number), self._clock()
        )

    def _status_list_jwt(self, session: Session, groups: tuple[str, ...]) -> str:
        slug, purpose, number = groups
        signed = status_service.signed_status_list(
            session,
            self._keyring,
            self._urls,
            slug,
            purpose,
            int(number),
            self._clock(),
            securing="jwt",
        )
        return signed.body.decode("ascii")

    def _credential(self, session: Session, groups: tuple[str, ...]) -> JSONObject | None:
        credential = credential_service.get_credential(
            session, credential_service.parse_id(groups[0])
        )
        if credential.format == "ob3-jwt":
            return None  # not JSON: see _credential_body
        document: JSONObject = json.loads(credential.document)
        return document

    def _credential_body(self, session: Session, groups: tuple[str, ...]) -> bytes:
        credential = credential_service.get_credential(
            session, credential_service.parse_id(groups[0])
        )
        if groups[1] and credential.format != "ob3-jwt":  # as the public .jwt route says
            raise NotFoundError(f"credential {credential.id} is not a VC-JWT")
        return credential.document.encode()

    def _ob2_assertion(self, session: Session, groups: tuple[str, ...]) -> JSONObject:
        credential = credential_service.get_credential(
            session, credential_service.parse_id(groups[0])
        )
        return ob2_documents.assertion_document(credential)

    def _ob2_badge(self, session: Session, groups: tuple[str, ...]) -> JSONObject:
        try:
            achievement = session.get(Achievement, uuid.UUID(groups[0]))
        except ValueError:
            achievement = None
        if achievement is None:
            raise NotFoundError(f"badge {groups[0]} does not exist")
        return badge_class_document(self._urls, achievement)

    def _ob2_issuer(self, session: Session, groups: tuple[str, ...]) -> JSONObject:
        issuer = issuer_service.get_issuer(session, groups[0])
        return ob2_documents.issuer_profile(self._urls, issuer)

    def _ob2_key(self, session: Session, groups: tuple[str, ...]) -> JSONObject:
        return ob2_documents.key_document(session, self._urls, groups[0])

    def _ob2_revocations(self, session: Session, groups: tuple[str, ...]) -> JSONObject:
        issuer = issuer_service.get_issuer(session, groups[0])
        return ob2_documents.revocation_list(session, self._urls, issuer)


_DOCUMENTS: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (re.compile(rf"/issuers/{_SEGMENT}/did\.json"), LocalDocuments._did_document),
    (re.compile(rf"/issuers/{_SEGMENT}/jwks\.json"), LocalDocuments._jwks),
    (re.compile(rf"/issuers/{_SEGMENT}"), LocalDocuments._profile),
    (re.compile(rf"/status/{_SEGMENT}/([a-z]+)/([0-9]{{1,9}})"), LocalDocuments._status_list),
    (re.compile(rf"/credentials/{_ID}(?:\.json)?"), LocalDocuments._credential),
    (re.compile(rf"/ob2/assertions/{_ID}"), LocalDocuments._ob2_assertion),
    (re.compile(rf"/ob2/badges/{_ID}"), LocalDocuments._ob2_badge),
    (re.compile(rf"/ob2/issuers/{_SEGMENT}"), LocalDocuments._ob2_issuer),
    (re.compile(rf"/ob2/keys/{_ID}"), LocalDocuments._ob2_key),
    (re.compile(rf"/ob2/revocations/{_SEGMENT}"), LocalDocuments._ob2_revocations),
)
_SECURED: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (
        re.compile(rf"/status/{_SEGMENT}/([a-z]+)/([0-9]{{1,9}})\.jwt"),
        LocalDocuments._status_list_jwt,
    ),
)
# The documents that change only with their issuer or with a credential's status: kept by
# app.published until they do.
_PUBLISHED: dict[Handler, str] = {
    LocalDocuments._did_document: ISSUERS,
    LocalDocuments._jwks: ISSUERS,
    LocalDocuments._profile: ISSUERS,
    LocalDocuments._ob2_issuer: ISSUERS,
    LocalDocuments._ob2_key: ISSUERS,
    LocalDocuments._status_list: STATUS,
    LocalDocuments._status_list_jwt: STATUS,
    LocalDocuments._ob2_revocations: STATUS,
}
_BODIES: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (re.compile(rf"/credentials/{_ID}(\.jwt)?"), LocalDocuments._credential_body),
)
