"""Rate limits per API key and per client address, shared between servers through Redis.

Limits are moving windows of one minute (the ``limits`` library), kept in Redis when
``SHOMEI_REDIS_URL`` is set, so every server behind a load balancer counts the same requests,
and in this process's memory otherwise.

* A request with an API key is counted against that key (``SHOMEI_KEY_RATE_PER_MINUTE``).
* Anonymous verifications (the verify API and the verify page's form) are counted against the
  client's address (``SHOMEI_VERIFY_RATE_PER_MINUTE``), read through trusted proxies only
  (:mod:`app.middleware.clients`).
* An API key that turns out not to be valid (401) is counted against its address's failures
  (the same quota as anonymous verifications), and a key not yet seen to be valid is refused
  once its address has no failures left: trying keys cannot escape the address's limit, and
  anonymous traffic from a shared address does not lock out a valid key.

Every counted answer carries ``RateLimit-Policy`` and ``RateLimit`` fields
(https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/ §2 and §3); a refusal
is a 429 problem document with ``Retry-After`` (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3).
A route that does more work than one request's worth (a batch) charges the rest with
:func:`charge`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from dataclasses import dataclass

from cachetools import LRUCache
from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import AppError, problem
from app.middleware.body import ErrorPage
from app.middleware.clients import TrustedProxies

__all__ = [
    "CLIENT_STATE",
    "Decision",
    "RateLimitMiddleware",
    "RateLimits",
    "TooManyRequestsError",
    "charge",
    "client_of",
]

log = logging.getLogger(__name__)

CLIENT_STATE = "rate_client"  # scope["state"] key: who the request is counted against
_BUCKET_STATE = "rate_bucket"
_DECISION_STATE = "rate_decision"
_LIMITS_STATE = "rate_limits"
_KNOWN_KEYS = 10_000  # API keys seen to be valid, per process


@dataclass(frozen=True)
class _Bucket:
    policy: str  # the name in the RateLimit fields
    item: RateLimitItem
    identifier: str


@dataclass(frozen=True)
class Decision:
    """The outcome of counting a request: allowed or not, and what is left."""

    allowed: bool
    policy: str
    quota: int
    remaining: int
    reset: int  # seconds until the window has room again

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Policy": f'"{self.policy}";q={self.quota};w=60',
            "RateLimit": f'"{self.policy}";r={self.remaining};t={self.reset}',
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, self.reset))
        return headers


class RateLimits:
    """The limiter and its storage: made inside the running event loop, on first use."""

    def __init__(
        self, *, address_per_minute: int, key_per_minute: int, redis_url: str = ""
    ) -> None:
        self.address = RateLimitItemPerMinute(address_per_minute, namespace="shomei")
        self.key = RateLimitItemPerMinute(key_per_minute, namespace="shomei")
        self.address_on = address_per_minute > 0
        self.key_on = key_per_minute > 0
        self.redis_url = redis_url
        self.known_keys: LRUCache[str, bool] = LRUCache(maxsize=_KNOWN_KEYS)
        self._limiter: MovingWindowRateLimiter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _strategy(self) -> MovingWindowRateLimiter:
        loop = asyncio.get_running_loop()
        if self._limiter is None or self._loop is not loop:
            storage = (
                RedisStorage("async+" + self.redis_url, implementation="redispy")
                if self.redis_url
                else MemoryStorage()
            )
            self._limiter, self._loop = MovingWindowRateLimiter(storage), loop
        return self._limiter

    def bucket_for_address(self, address: str) -> _Bucket | None:
        return _Bucket("per-address", self.address, f"a:{address}") if self.address_on else None

    def bucket_for_failures(self, address: str) -> _Bucket | None:
        """Failed authentications from ``address``: keys it may try, a minute."""
        return _Bucket("per-address", self.address, f"f:{address}") if self.address_on else None

    def buckets_for_lost_link(
        self,
        address: str,
        email_digest: str,
        *,
        per_minute: int,
        per_hour: int,
        form: str = "lost",
    ) -> list[_Bucket]:
        """The budgets of a form that mails a link (``form``: ``lost`` for lost claim links,
        ``sign-in`` for passers' sign-in links): asks a minute from an address, an hour for an
        e-mail (by its hash), so the form can neither probe addresses nor flood a mailbox."""
        buckets = []
        if per_minute > 0:
            item = RateLimitItemPerMinute(per_minute, namespace="shomei")
            buckets.append(_Bucket(f"{form}-per-address", item, f"{form}-a:{address}"))
        if per_hour > 0:
            hourly = RateLimitItemPerHour(per_hour, namespace="shomei")
            buckets.append(_Bucket(f"{form}-per-email", hourly, f"{form}-e:{email_digest}"))
        return buckets

    def bucket_for_key(self, digest: str) -> _Bucket | None:
        return _Bucket("per-key", self.key, f"k:{digest}") if self.key_on else None

    async def hit(self, bucket: _Bucket, cost: int = 1) -> Decision:
        """Count ``cost`` requests, unless that would pass the limit."""
        limiter = self._strategy()
        cost = max(1, min(cost, bucket.item.amount))  # a cost over the quota waits a window
        try:
            allowed = await limiter.hit(bucket.item, bucket.identifier, cost=cost)
            stats = await limiter.get_window_stats(bucket.item, bucket.identifier)
        except (RedisError, OSError) as error:
            # A shared store that is down must not take the service down with it.
            log.warning("rate limit store unavailable, request not counted: %s", error)
            return Decision(True, bucket.policy, bucket.item.amount, bucket.item.amount, 0)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return Decision(allowed, bucket.policy, bucket.item.amount, stats.remaining, reset)

    async def exhausted(self, bucket: _Bucket) -> Decision | None:
        """The refusal ``bucket`` would give now, without counting anything."""
        limiter = self._strategy()
        try:
            if await limiter.test(bucket.item, bucket.identifier):
                return None
            stats = await limiter.get_window_stats(bucket.item, bucket.identifier)
        except (RedisError, OSError):
            return None
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(False, bucket.policy, bucket.item.amount, 0, reset)


def _bearer_digest(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return None


def _is_verification(scope: Scope) -> bool:
    path: str = scope["path"]
    return scope["method"] == "POST" and (path == "/verify" or path.startswith("/api/v1/verify"))


def client_of(scope: Scope) -> str:
    """Who this request is counted against: ``k:…`` for an API key, ``a:…`` for an address."""
    state = scope.get("state") or {}
    client: str = (
        state.get(CLIENT_STATE) or f"a:{scope['client'][0] if scope.get('client') else '?'}"
    )
    return client


def _too_many(scope: Scope, decision: Decision, error_page: ErrorPage | None) -> Response:
    who = "API key" if decision.policy == "per-key" else "address"
    detail = f"Too many requests from this {who}; retry in {max(1, decision.reset)} s."
    response = error_page(scope, 429, detail) if error_page else None
    if response is None:
        response = problem(429, "too_many_requests", detail)
    response.headers.update(decision.headers())
    return response


class TooManyRequestsError(AppError):
    """The caller's rate limit has no room for this request (the middleware adds the fields)."""

    status_code = 429
    code = "too_many_requests"


async def charge(request: Request, cost: int) -> None:
    """Charge ``cost`` more requests to this request's bucket.

    Raises:
        TooManyRequestsError: the bucket has no room for them; nothing is charged.
    """
    state = request.scope.get("state", {})
    bucket: _Bucket | None = state.get(_BUCKET_STATE)
    limits: RateLimits | None = state.get(_LIMITS_STATE)
    if limits is None or bucket is None or cost <= 0:
        return
    decision = await limits.hit(bucket, cost)
    if not decision.allowed:
        state[_DECISION_STATE] = decision
        raise TooManyRequestsError(
            f"This batch needs {cost + 1} verifications; retry in {max(1, decision.reset)} s."
        )
    state[_DECISION_STATE] = decision


async def mail_form_refusal(
    request: Request, email: str, *, per_minute: int, per_hour: int, form: str
) -> dict[str, str] | None:
    """The refusal's headers when a form that mails a link (see
    :meth:`RateLimits.buckets_for_lost_link`) was used too often, else ``None``."""
    limits: RateLimits | None = getattr(request.app.state, "rate_limits", None)
    if limits is None:
        return None
    proxies: TrustedProxies = getattr(request.app.state, "trusted_proxies", TrustedProxies())
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:32]  # never the address itself
    for bucket in limits.buckets_for_lost_link(
        proxies.client_address(request.scope),
        digest,
        per_minute=per_minute,
        per_hour=per_hour,
        form=form,
    ):
        decision = await limits.hit(bucket)
        if not decision.allowed:
            return {"Retry-After": str(max(1, decision.reset))}
    return None


class RateLimitMiddleware:
    """Counts API and verification requests before any route runs; 429 when over."""

    def __init__(
        self,
        app: ASGIApp,
        limits: RateLimits,
        proxies: TrustedProxies,
        error_page: ErrorPage | None = None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.proxies = proxies
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        verification = _is_verification(scope)
        if not (path.startswith("/api/") or verification):
            await self.app(scope, receive, send)
            return
        limits = self.limits
        address = self.proxies.client_address(scope)
        digest = _bearer_digest(scope)
        if verification and digest is not None and digest not in limits.known_keys:
            # A public route takes any key: one not yet seen to be valid buys nothing.
            digest = None
        state = scope.setdefault("state", {})
        state[CLIENT_STATE] = f"k:{digest}" if digest else f"a:{address}"
        address_bucket = limits.bucket_for_address(address)
        failures = limits.bucket_for_failures(address)

        bucket: _Bucket | None
        if digest is not None:
            if digest not in limits.known_keys and failures is not None:
                refusal = await limits.exhausted(failures)
                if refusal is not None:
                    await _too_many(scope, refusal, self.error_page)(scope, receive, send)
                    return
            bucket = limits.bucket_for_key(digest)
        else:
            # Anonymous calls other than verifications need a key: only a 401 counts.
            bucket = address_bucket if verification else None
        decision: Decision | None = None
        if bucket is not None:
            decision = await limits.hit(bucket)
            if not decision.allowed:
                await _too_many(scope, decision, self.error_page)(scope, receive, send)
                return
            state[_BUCKET_STATE] = bucket
            state[_LIMITS_STATE] = limits
            state[_DECISION_STATE] = decision

        status = 0

        async def annotated(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                latest: Decision | None = state.get(_DECISION_STATE)
                if latest is not None:
                    headers = list(message.get("headers", []))
                    names = {n.lower() for n, _ in headers}
                    for name, value in latest.headers().items():
                        if name.lower().encode() not in names:
                            headers.append((name.lower().encode(), value.encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, annotated)
        presented = _bearer_digest(scope)
        if status == 401:
            if presented is not None:
                limits.known_keys.pop(presented, None)
            if failures is not None:
                await limits.hit(failures)
        elif presented is not None and 200 <= status < 400:
            # Every API route but verification needs a key, and verification checks one if
            # given: a success means the key is valid.
            limits.known_keys[presented] = True
