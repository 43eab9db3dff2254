"""Request dependencies, as ``Annotated`` aliases: database session, caller, clock, services."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from cachetools import LRUCache
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.apikeys.service import Principal, authenticate
from app.errors import UnauthorizedError
from app.fetching import SafeFetcher
from app.keyring import Keyring
from app.settings import Settings
from app.sharing import Generations
from app.urls import Urls


@dataclass
class Resources:
    """What the running service holds: built in the lifespan, shared by requests."""

    settings: Settings
    sessions: sessionmaker[Session]
    keyring: Keyring
    urls: Urls
    fetcher: SafeFetcher
    # Issued documents never change: the public GETs keep the most asked-for in memory.
    issued_documents: LRUCache[uuid.UUID, tuple[str, str]] = field(
        default_factory=lambda: LRUCache(maxsize=4096)
    )
    issued_documents_lock: threading.Lock = field(default_factory=threading.Lock)
    # A checked key: (principal, trusted until, the API keys' generation it was checked at).
    principals: LRUCache[bytes, tuple[Principal, float, int]] = field(
        default_factory=lambda: LRUCache(maxsize=1024)
    )
    generations: Generations = field(default_factory=Generations)
    principals_lock: threading.Lock = field(default_factory=threading.Lock)


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


def _authenticate(resources: Resources, token: str) -> Principal | None:
    with resources.sessions() as session:
        return authenticate(session, token)


async def _principal(
    resources: Annotated[Resources, Depends(_resources)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthorizedError("an API key is required: Authorization: Bearer shm_…")
    token = credentials.credentials
    # A batch job calls with the same key thousands of times: a key that checked out is
    # trusted for a few seconds (only its hash is kept) instead of looked up every time.
    # A change to any key (revocation) through any server bumps the keys' generation.
    digest = hashlib.sha256(token.encode()).digest()
    now = time.monotonic()
    generations = resources.generations
    generation = (
        await run_in_threadpool(generations.current, API_KEYS)
        if generations.shared
        else generations.current(API_KEYS)
    )
    with resources.principals_lock:
        cached = resources.principals.get(digest)
    if cached is not None and cached[1] > now and cached[2] == generation:
        return cached[0]
    principal = await run_in_threadpool(_authenticate, resources, token)
    if principal is None:
        raise UnauthorizedError("the API key is not valid")
    if generation is not None:
        with resources.principals_lock:
            resources.principals[digest] = (principal, now + PRINCIPAL_SECONDS, generation)
    return principal


# Verifications at once in this process, in each lane (app.verification.fairness). Verifying
# a foreign badge may wait seconds on the network; capped, it can never hold the threads every
# other route needs (two lanes of 16 of the thread pool's 40).
VERIFY_SLOTS = 16

# How long a checked API key is trusted without looking it up again.
PRINCIPAL_SECONDS = 5.0
API_KEYS = "api-keys"  # the generation topic of API keys (app.sharing)

ResourcesDep = Annotated[Resources, Depends(_resources)]
SessionDep = Annotated[Session, Depends(_session)]
PrincipalDep = Annotated[Principal, Depends(_principal)]
principal_of = _principal  # for a route where a key is optional
NowDep = Annotated[datetime, Depends(_now)]


async def urls(resources: ResourcesDep) -> Urls:
    return resources.urls


async def keyring(resources: ResourcesDep) -> Keyring:
    return resources.keyring


UrlsDep = Annotated[Urls, Depends(urls)]
KeyringDep = Annotated[Keyring, Depends(keyring)]
