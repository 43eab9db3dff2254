"""Request dependencies, as ``Annotated`` aliases: database session, caller, clock, services."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

from anyio import CapacityLimiter
from cachetools import LRUCache
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.apikeys.service import Principal, authenticate
from app.errors import ForbiddenError, UnauthorizedError
from app.fetching import SafeFetcher
from app.jobs.base import Jobs
from app.keyring import Keyring
from app.logs import set_request_context
from app.settings import Settings
from app.sharing import Generations
from app.urls import Urls

SHARE_IMAGE_CACHE_BYTES = 16 * 1024 * 1024


@dataclass
class Resources:
    """What the running service holds: built in the lifespan, shared by requests."""

    settings: Settings
    sessions: sessionmaker[Session]
    keyring: Keyring
    urls: Urls
    fetcher: SafeFetcher
    jobs: Jobs  # background work (app/jobs): batch issuing, mail, reminders
    # Issued documents never change: the public GETs keep the most asked-for in memory.
    issued_documents: LRUCache[uuid.UUID, tuple[str, str]] = field(init=False)
    issued_documents_lock: threading.Lock = field(default_factory=threading.Lock)
    # Badge pages' preview images by content version: drawing one takes a tenth of a second.
    share_images: LRUCache[str, bytes] = field(
        default_factory=lambda: LRUCache(maxsize=SHARE_IMAGE_CACHE_BYTES, getsizeof=len)
    )
    share_images_lock: threading.Lock = field(default_factory=threading.Lock)
    generations: Generations = field(default_factory=Generations)
    # Issuing runs on this process's few threads (issuing_threads), not the whole pool.
    issuing_threads: CapacityLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.issued_documents = LRUCache(maxsize=self.settings.document_cache_entries)
        self.issuing_threads = CapacityLimiter(issuing_threads(self.settings.database_url))


def issuing_threads(database_url: str) -> int:
    """How many issuances one process runs at once.

    Issuing is CPU work under one interpreter lock: a second thread adds no speed, and on
    SQLite it made the first wait for the interpreter while holding the database's write
    lock, which the other processes then waited for (four connections issued a third fewer
    credentials a second than one thread each). On PostgreSQL a few run at once, so one
    request's round trips to the database overlap another's work.
    """
    return 1 if database_url.startswith("sqlite") else 4


# Dependencies that do no I/O are `async def`: FastAPI then runs them on the event loop
# instead of handing each to the thread pool, which costs more than they do.
async def _resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


def _session(resources: Annotated[Resources, Depends(_resources)]) -> Iterator[Session]:
    # Services commit their own unit of work; this only closes the session.
    with resources.sessions() as session:
        yield session


async def _now() -> datetime:
    return datetime.now(UTC)


_bearer = HTTPBearer(auto_error=False, description="An API key: `shm_…`")


def _authenticate(resources: Resources, token: str, *, hr: bool = False) -> Principal:
    with resources.sessions() as session:
        return authenticated(session, token, hr=hr)


HR_KEY_REFUSED = "an HR system's key may only manage its watches and verify badges"


def authenticated(session: Session, token: str, *, hr: bool = False) -> Principal:
    """The caller ``token`` stands for, looked up now (a route's own unit of work may do it).

    ``hr``: the route is one an HR system's key may call (its watches, the verifier); every
    other route refuses such a key, so a new route is closed to HR keys unless it says so.

    Raises:
        UnauthorizedError: the key is not valid, has expired or was revoked.
        ForbiddenError: an HR system's key, on a route that is not for it.
    """
    # Looked up on every call (one indexed row), never trusted from a cache: a key revoked
    # through any server stops working at once on every server.
    principal = authenticate(session, token, datetime.now(UTC))
    if principal is None:
        raise UnauthorizedError("the API key is not valid, has expired or was revoked")
    set_request_context(api_key_id=str(principal.key_id))
    if principal.is_hr and not hr:
        raise ForbiddenError(HR_KEY_REFUSED)
    return principal


async def _bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthorizedError(_KEY_REQUIRED)
    return credentials.credentials


_KEY_REQUIRED = "an API key is required: Authorization: Bearer shm_…"


def bearer_token(authorization: str | None) -> str:
    """The API key of an ``Authorization`` header, read as :data:`BearerTokenDep` reads it.

    Raises:
        UnauthorizedError: no header, or not a bearer token.
    """
    scheme, token = get_authorization_scheme_param(authorization)
    if not (scheme and token) or scheme.lower() != "bearer":
        raise UnauthorizedError(_KEY_REQUIRED)
    return token


async def _principal(
    resources: Annotated[Resources, Depends(_resources)],
    token: Annotated[str, Depends(_bearer_token)],
) -> Principal:
    return await run_in_threadpool(_authenticate, resources, token)


async def _watcher(
    resources: Annotated[Resources, Depends(_resources)],
    token: Annotated[str, Depends(_bearer_token)],
) -> Principal:
    """The caller of the watch routes: an HR system's key, or an administrator's."""
    principal = await run_in_threadpool(partial(_authenticate, resources, token, hr=True))
    if not (principal.is_hr or principal.is_admin):
        raise ForbiddenError("watches are for HR systems' keys (and administrators)")
    return principal


async def _maybe_principal(
    resources: Annotated[Resources, Depends(_resources)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller of a public route that gives more to callers with an API key."""
    if credentials is None:
        return None
    return await principal_of(resources, credentials)  # a key that is not valid is a 401


async def principal_of(
    resources: Resources, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The caller of the verifier, where a key is optional (one that is sent must be valid;
    an HR system's key is welcome)."""
    token = await _bearer_token(credentials)
    return await run_in_threadpool(partial(_authenticate, resources, token, hr=True))


ResourcesDep = Annotated[Resources, Depends(_resources)]
SessionDep = Annotated[Session, Depends(_session)]
PrincipalDep = Annotated[Principal, Depends(_principal)]
# The API key as sent, for a route that checks it with :func:`authenticated` in its own trip
# to the thread pool (a key that is missing or not a bearer token is a 401 already).
BearerTokenDep = Annotated[str, Depends(_bearer_token)]
WatcherDep = Annotated[Principal, Depends(_watcher)]
MaybePrincipalDep = Annotated[Principal | None, Depends(_maybe_principal)]
NowDep = Annotated[datetime, Depends(_now)]


async def urls(resources: ResourcesDep) -> Urls:
    return resources.urls


async def keyring(resources: ResourcesDep) -> Keyring:
    return resources.keyring


UrlsDep = Annotated[Urls, Depends(urls)]
KeyringDep = Annotated[Keyring, Depends(keyring)]
