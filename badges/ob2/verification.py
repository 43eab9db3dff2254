"""Verify an Open Badges 2.0 assertion, hosted or signed, and report every check.

The steps follow the order of 1EdTech's reference validator
(https://github.com/1EdTech/openbadges-validator-core, openbadges/verifier/tasks): read the
input, check the Assertion's shape, get the BadgeClass and the issuer Profile, then verify the
signature or the hosted copy, key ownership, hosting scope, revocation, the validity
window and, when asked, the recipient. Each step is a :class:`~badges.report.Check` with
a stable id::

    document.parse        (1) gate  decode the JWS / parse the JSON / fetch the URL
    document.shape        (2) gate  required Assertion properties and value types
    badge.fetch           (3) gate  BadgeClass, embedded or fetched
    issuer.fetch          (4) gate  issuer Profile, always fetched from its id
    proof.signature       (5)       JWS signature, or the hosted copy at the id
    hosted.copy           (6)       hosted: the copy given is the issuer's (warning)
    issuer.key_ownership  (7)       signed: the key is the issuer's
    hosted.scope          (8)       hosted: the id is where the issuer allows
    status.revocation     (9)       410 / revoked copy / issuer RevocationList
    validity.window       (10)      issuedOn and expires against ``now``
    recipient.identity    (11)      the badge names the given recipient
    transport.https       (12)      documents fetched over plain HTTP (warning)

A hosted assertion given as JSON (or baked in an image) whose id is an HTTP(S) URL is
verified as the copy fetched from that id, as 1EdTech's validator does (OB 2.0 "HostedBadge",
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#HostedBadge):
that copy is the issuer's word, it is what the checks judge and what the report carries
as ``credential``. When the copy given differs from it, ``hosted.copy`` warns and names
the properties that differ; a copy that is gone (410) or now a revocation notice is revoked.

An assertion that is gone (its URL answers 410 Gone) or replaced by a revocation notice
(``{id, revoked: true, revocationReason}``) is revoked, whether it was given as its URL or as
JSON (OB 2.0 "Hosted Badges"): ``status.revocation`` fails and the checks that need the
assertion are skipped.

The steps run through the one step runner (:mod:`badges.verification.runner`) under the same
:class:`~badges.verification.session.VerifierConfig` as OB 3.0: a gate that fails or stays
indeterminate skips the checks after it, each naming it; once ``proof.signature`` fails, the
checks that read what only the signature vouches for (revocation, validity, recipient) are
skipped. Nothing here raises because a badge is bad: documents that cannot be had make a check
``indeterminate`` (never ``passed``), and at most ``VerifierConfig.max_fetches`` documents are
fetched, each URL once, so a document graph that loops ends in bounded time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from pydantic import BaseModel, ValidationError

from badges._crypto import decode_b64url
from badges.errors import DocumentError, FetchError
from badges.identity import Recipient, recipient_matches
from badges.ob2.models import (
    OB2_CONTEXT,
    SIGNED_TYPES,
    Assertion,
    BadgeClass,
    CryptographicKey,
    Profile,
    RevocationList,
)
from badges.ports import Fetcher, JSONObject
from badges.report import Check, CheckId, Format, Status, VerificationReport
from badges.verification.runner import Step, run_steps
from badges.verification.session import Session, VerifierConfig

__all__ = ["MAX_KEYS", "verify_ob2"]

MAX_KEYS = 8  # issuer publicKey entries tried when verification.creator is absent

# OB 2.0 "Signed Badges" names RS256; 1EdTech's validators also accept ES256. Anything
# else (notably "none" and the HMAC family, whose "key" would be public) is refused.
_JWS_ALGORITHMS: dict[str, type[RSAKey] | type[ECKey]] = {"RS256": RSAKey, "ES256": ECKey}
_JWS_MAX_PAYLOAD = 2_000_000  # assertions may embed data-URI images; joserfc's default is 128 kB
_JWS_MAX_SIGNATURE = 2048  # base64url of an RSA-8192 signature fits; the default is 1 kB
# The same context file is also published at openbadgespec.org; some issuers cite that URL.
_OB2_CONTEXTS = frozenset({OB2_CONTEXT, "https://openbadgespec.org/v2/context.json"})
_JWS_PATTERN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_MAX_ERRORS_SHOWN = 5
_M = TypeVar("_M", bound=BaseModel)


def verify_ob2(
    data: str | JSONObject,
    *,
    fetcher: Fetcher,
    now: datetime,
    recipient: Recipient | None = None,
    config: VerifierConfig | None = None,
) -> VerificationReport:
    """Verify an OB 2.0 assertion and return the report of every check.

    Args:
        data: An assertion as a JSON object or JSON text, a compact JWS (signed
            assertion), or the URL of a hosted assertion.
        fetcher: Fetches the assertion, BadgeClass, issuer Profile, keys and revocation
            list; every document the verification relies on comes through it.
        now: The time to judge ``issuedOn`` and ``expires`` against (time-zone aware).
        recipient: The identifier the badge should name; without it the recipient
            check is skipped.
        config: The verification policy (clock skew, fetch budget, logger); a
            :class:`~badges.verification.session.Session` given as ``fetcher`` brings its own.

    Returns:
        The report; ``format`` is ``ob2-signed`` or ``ob2-hosted`` (``unknown`` when the
        input could not be read) and ``credential`` is the assertion verified: the JWS
        payload, or for a hosted assertion the issuer's copy fetched from its id (the
        copy given when that one cannot be had).

    Raises:
        ValueError: ``now`` is naive.
        TypeError: ``data`` is neither a string nor a dict.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be time-zone aware")
    if not isinstance(data, str | dict):
        raise TypeError(f"data must be str or dict, not {type(data).__name__}")
    session = (
        fetcher
        if isinstance(fetcher, Session)
        else Session(fetcher, now, config or VerifierConfig(), recipient)
    )
    ctx = _Context(data=data, fetches=_Fetches(session), now=now, recipient=recipient)
    ctx.skew = session.config.clock_skew
    checks = run_steps(_STEPS[:1], ctx, session.config)
    if ctx.notice is not None and checks[-1].status == "passed":
        checks += _revoked_notice(ctx.notice)
    else:
        checks = run_steps(_STEPS[1:], ctx, session.config, done=checks)
    return VerificationReport(
        format=ctx.format, version="2.0", checks=tuple(checks), credential=ctx.raw
    )


def _revoked_notice(reason: str) -> list[Check]:
    """The checks of an assertion its issuer has withdrawn: revoked, nothing else to check."""
    return [
        _check("status.revocation", "failed", f"revoked: {reason}", "OB 2.0 Hosted Badges")
        if step.id == "status.revocation"
        else _check(step.id, "skipped", "needs the assertion, which its issuer has withdrawn")
        for step in _STEPS[1:]
    ]


# --- fetching -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Miss:
    """Why a document is not at hand: ``failed`` (a loop) or ``indeterminate``."""

    reason: str
    status: Status = "indeterminate"
    gone: bool = False


class _Fetches:
    """Fetches each URL at most once, for one role, within a budget."""

    def __init__(self, fetcher: Session) -> None:
        self._fetcher = fetcher
        self._roles: dict[str, str] = {}
        self._results: dict[str, JSONObject | _Miss] = {}
        self.urls: list[str] = []

    def get(self, url: str, role: str) -> JSONObject | _Miss:
        seen_as = self._roles.get(url)
        if seen_as is not None and seen_as != role:
            return _Miss(
                f"the {role} reference {url} leads back to the {seen_as} already fetched "
                "there: the documents form a loop",
                "failed",
            )
        if url in self._results:
            return self._results[url]
        self._roles[url] = role
        self.urls.append(url)
        result: JSONObject | _Miss
        try:
            result = self._fetcher.get_json(url)  # the session keeps the one fetch budget
        except FetchError as exc:
            result = _Miss(f"{role} {url} could not be fetched: {exc}", gone=_is_gone(exc))
        self._results[url] = result
        return result


def _is_gone(exc: FetchError) -> bool:
    # OB 2.0 "Hosted Badges": 410 Gone means revoked.
    return exc.status == 410


# --- state carried between steps -------------------------------------------------------


@dataclass
class _Context:
    data: str | JSONObject
    fetches: _Fetches
    now: datetime
    recipient: Recipient | None
    skew: timedelta = timedelta(0)
    notice: str | None = None  # why the assertion is withdrawn (410 Gone, a revocation notice)
    format: Format = "unknown"
    raw: JSONObject | None = None
    source_url: str | None = None
    token: str | None = None
    header: JSONObject = field(default_factory=dict)
    assertion: Assertion | None = None
    badge: BadgeClass | None = None
    issuer: Profile | None = None
    key_url: str | None = None
    from_id: bool = False  # raw is the document served at the assertion's own id
    given: JSONObject | None = None  # the copy given, when the hosted copy replaced it
    hosted_miss: _Miss | None = None  # why the hosted copy is not at hand

    def need_assertion(self) -> Assertion:
        assert self.assertion is not None, "document.shape gates later steps"  # noqa: S101
        return self.assertion

    def need_issuer(self) -> Profile:
        assert self.issuer is not None, "issuer.fetch gates later steps"  # noqa: S101
        return self.issuer


_Result = tuple[Status, str]


def _check(check_id: str, status: Status, message: str, spec: str | None = None) -> Check:
    return Check(id=check_id, status=status, message=message, spec=spec)


# --- (1) document.parse ----------------------------------------------------------------


def _parse(ctx: _Context) -> _Result:
    if isinstance(ctx.data, dict):
        if _is_notice(ctx.data):
            return _accept_notice(ctx, ctx.data, "the given JSON is a revocation notice")
        _accept_raw(ctx, ctx.data)
        return _adopt_hosted_copy(ctx, "the assertion was given as a JSON object")
    text = ctx.data.strip()
    if _JWS_PATTERN.fullmatch(text):
        ctx.format = "ob2-signed"
        return _parse_jws(ctx, text)
    if text.startswith(("https://", "http://")) and not re.search(r"\s", text):
        got = ctx.fetches.get(text, "assertion")
        if isinstance(got, _Miss):
            if got.gone:
                ctx.format, ctx.notice = "ob2-hosted", f"{text} answers 410 Gone"
                return "passed", f"{text} answers 410 Gone: the issuer has withdrawn it"
            return got.status, got.reason
        ctx.source_url = text
        if _is_notice(got):
            return _accept_notice(ctx, got, f"fetched a revocation notice from {text}")
        _accept_raw(ctx, got)
        return _adopt_hosted_copy(ctx, f"fetched the assertion from {text}")
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return "failed", f"the input is not valid JSON: {exc}"
        if not isinstance(value, dict):
            return "failed", "the input JSON is not an object"
        if _is_notice(value):
            return _accept_notice(ctx, value, "parsed a revocation notice")
        _accept_raw(ctx, value)
        return _adopt_hosted_copy(ctx, "parsed the assertion JSON")
    return "failed", "the input is not assertion JSON, a compact JWS or an HTTP(S) URL"


def _parse_jws(ctx: _Context, token: str) -> _Result:
    header_part, payload_part, _ = token.split(".")
    header = _b64url_json(header_part)
    if header is None:
        return "failed", "the JWS header is not base64url-encoded JSON"
    payload = _b64url_json(payload_part)
    if payload is None:
        return "failed", "the JWS payload is not base64url-encoded UTF-8 JSON"
    ctx.token, ctx.header = token, header
    ctx.raw = payload
    return "passed", "decoded the assertion from the JWS payload"


def _b64url_json(segment: str) -> JSONObject | None:
    try:
        value = json.loads(decode_b64url(segment, "a JWS part").decode("utf-8"))
    except (DocumentError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _is_notice(document: JSONObject) -> bool:
    """A revocation notice in place of an assertion: ``{id, revoked: true, …}``, no recipient."""
    return document.get("revoked") is True and "recipient" not in document


def _accept_notice(ctx: _Context, notice: JSONObject, message: str) -> _Result:
    # OB 2.0 "Hosted Badges": an issuer may replace a revoked assertion with a notice.
    ctx.format, ctx.raw = "ob2-hosted", notice
    reason = notice.get("revocationReason")
    ctx.notice = str(reason) if isinstance(reason, str) and reason else "no reason given"
    return "passed", message


def _accept_raw(ctx: _Context, raw: JSONObject) -> None:
    ctx.raw = raw
    verification = raw.get("verification", raw.get("verify"))
    kind = verification.get("type") if isinstance(verification, dict) else None
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    signed = any(isinstance(k, str) and k in SIGNED_TYPES for k in kinds)
    ctx.format = "ob2-signed" if signed else "ob2-hosted"


def _adopt_hosted_copy(ctx: _Context, message: str) -> _Result:
    """Put the copy served at a hosted assertion's id in place of the one given.

    The copy at the id is the truth (OB 2.0 hosted verification,
    https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#HostedBadge),
    and 1EdTech's validator verifies JSON input with an HTTP(S) id as if that URL had been
    given. A copy that cannot be had leaves the given one in place for the later checks;
    ``proof.signature`` and ``status.revocation`` then say why it is not verified.
    """
    raw = ctx.raw
    assert raw is not None  # noqa: S101
    url = raw.get("id")
    if ctx.format != "ob2-hosted" or not isinstance(url, str) or not _is_http_url(url):
        return "passed", message  # signed, or document.shape will refuse the id
    if url == ctx.source_url:
        ctx.from_id = True
        return "passed", message
    got = ctx.fetches.get(url, "assertion")
    if isinstance(got, _Miss):
        if got.gone:
            ctx.notice = f"{url} answers 410 Gone"
            return "passed", f"{message}; its id {url} answers 410 Gone"
        ctx.hosted_miss = _Miss(f"the hosted copy could not be checked: {got.reason}", got.status)
        return "passed", message
    if _is_notice(got):
        _accept_notice(ctx, got, message)
        return "passed", f"{message}; its id {url} now holds a revocation notice"
    if got.get("id") != url:
        ctx.hosted_miss = _Miss(
            f"the document hosted at {url} names a different id, {got.get('id')!r}", "failed"
        )
        return "passed", message
    ctx.given, ctx.source_url, ctx.from_id = raw, url, True
    _accept_raw(ctx, got)
    return "passed", f"{message}; verifying the issuer's copy fetched from its id {url}"


# --- (2) document.shape ----------------------------------------------------------------


def _shape(ctx: _Context) -> _Result:
    raw = ctx.raw
    assert raw is not None, "document.parse gates document.shape"  # noqa: S101
    if not _has_ob2_context(raw.get("@context")):
        return "failed", f"@context must be (or include) the OB 2.0 context {OB2_CONTEXT}"
    assertion, problem = _validated(Assertion, raw)
    if assertion is None:
        return "failed", f"not a valid OB 2.0 Assertion: {problem}"
    if not assertion.is_signed and not _is_http_url(assertion.id):
        return "failed", "a hosted assertion's id must be the HTTP(S) URL it is served at"
    ctx.assertion = assertion
    kind = "signed" if assertion.is_signed else "hosted"
    return "passed", f"a well-formed {kind} OB 2.0 Assertion"


def _has_ob2_context(value: Any) -> bool:
    entries = value if isinstance(value, list) else [value]
    return any(isinstance(entry, str) and entry in _OB2_CONTEXTS for entry in entries)


def _validated(model: type[_M], document: JSONObject) -> tuple[_M | None, str]:
    try:
        return model.model_validate(document), ""
    except ValidationError as exc:
        errors = exc.errors()
        shown = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(document)'}: {e['msg']}"
            for e in errors[:_MAX_ERRORS_SHOWN]
        )
        more = len(errors) - _MAX_ERRORS_SHOWN
        return None, shown + (f" (and {more} more)" if more > 0 else "")


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return False


# --- (3) badge.fetch, (4) issuer.fetch -------------------------------------------------


def _badge(ctx: _Context) -> _Result:
    assertion = ctx.need_assertion()
    if isinstance(assertion.badge, BadgeClass):
        ctx.badge = assertion.badge
        return "passed", f"BadgeClass {assertion.badge.id} is embedded in the assertion"
    got = _fetch_as(ctx, assertion.badge, "badge", BadgeClass)
    if isinstance(got, _Miss):
        return got.status, got.reason
    ctx.badge = got
    return "passed", f"fetched BadgeClass {got.id}"


def _issuer(ctx: _Context) -> _Result:
    assert ctx.badge is not None, "badge.fetch gates issuer.fetch"  # noqa: S101
    # Keys and hosting policy are trusted only from the Profile at the issuer's own id, never
    # from a copy embedded in the badge (OB 2.0 signed verification,
    # https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#SignedBadge).
    got = _fetch_as(ctx, ctx.badge.issuer_id, "issuer", Profile)
    if isinstance(got, _Miss):
        return got.status, got.reason
    missing = [name for name in ("name", "url", "email") if getattr(got, name) is None]
    if missing:
        return "failed", f"issuer Profile {got.id} lacks required {', '.join(missing)}"
    ctx.issuer = got
    return "passed", f"fetched issuer Profile {got.id}"


def _fetch_as(ctx: _Context, url: str, role: str, model: type[_M]) -> _M | _Miss:
    got = ctx.fetches.get(url, role)
    if isinstance(got, _Miss):
        return got
    node, problem = _validated(model, got)
    if node is None:
        return _Miss(f"{role} {url} is not a valid {model.__name__}: {problem}", "failed")
    node_id = getattr(node, "id", None)
    if node_id is not None and node_id != url:
        return _Miss(f"{role} fetched from {url} names a different id, {node_id}", "failed")
    return node


# --- (5) proof.signature ---------------------------------------------------------------


def _proof(ctx: _Context) -> _Result:
    assertion = ctx.need_assertion()
    if ctx.token is None:
        if assertion.is_signed:
            return "failed", "a SignedBadge assertion must be verified from its JWS, not its JSON"
        return _compare_hosted_copy(ctx, assertion)
    if not assertion.is_signed:
        return "failed", "the JWS payload declares hosted verification, not SignedBadge"
    return _verify_signature(ctx, assertion)


def _compare_hosted_copy(ctx: _Context, assertion: Assertion) -> _Result:
    # OB 2.0 "HostedBadge" (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#HostedBadge):
    # the copy at the assertion's id is the truth;
    # document.parse put it in place of the copy given, when it could be had.
    if ctx.from_id:
        return "passed", f"the assertion is the copy hosted at its id {assertion.id}"
    miss = ctx.hosted_miss
    assert miss is not None, "document.parse fetches every hosted HTTP(S) id"  # noqa: S101
    return miss.status, miss.reason


# --- (6) hosted.copy -------------------------------------------------------------------


def _hosted_copy(ctx: _Context) -> _Result:
    assertion = ctx.need_assertion()
    if ctx.token is not None or assertion.is_signed:
        return "skipped", "signed assertion: the JWS is verified, not a hosted copy"
    if not ctx.from_id:
        return (
            "skipped",
            f"needs proof.signature: the issuer's copy at {assertion.id} is not at hand",
        )
    if ctx.given is None:
        return "passed", f"the assertion was fetched from its id {assertion.id}"
    if ctx.given == ctx.raw:
        return "passed", f"the badge you were given matches the issuer's copy at {assertion.id}"
    assert ctx.raw is not None  # noqa: S101
    given, hosted = ctx.given, ctx.raw
    differing = sorted(k for k in given.keys() | hosted.keys() if given.get(k) != hosted.get(k))
    # Not a failure: the issuer may amend a hosted assertion (add evidence, fix a typo),
    # and its current copy is what was verified above.
    return "warning", (
        "the badge you were given differs from the issuer's current copy in: "
        f"{', '.join(differing)}; showing the issuer's copy"
    )


def _verify_signature(ctx: _Context, assertion: Assertion) -> _Result:
    alg = ctx.header.get("alg")
    if not isinstance(alg, str) or alg not in _JWS_ALGORITHMS:
        return "failed", f"JWS alg {alg!r} is refused: OB 2.0 signed badges use RS256 or ES256"
    if "crit" in ctx.header or "b64" in ctx.header:
        return "failed", "the JWS header uses crit/b64, which OB 2.0 signed badges do not"
    creator = assertion.verification.creator
    if creator is not None:
        candidates: tuple[str, ...] = (creator,)
    else:
        # OB 2.0 lets `creator` be omitted: try the issuer's keys ("VerificationObject",
        # https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#VerificationObject).
        candidates = ctx.need_issuer().public_keys
        if not candidates:
            return "failed", "verification.creator is absent and the issuer lists no publicKey"
    reasons: list[str] = []
    unsure = False
    for url in candidates[:MAX_KEYS]:
        outcome = _verify_with_key(ctx, url, alg)
        if outcome is None:
            ctx.key_url = url
            return "passed", f"{alg} signature verified with key {url}"
        reasons.append(outcome.reason)
        unsure = unsure or outcome.status == "indeterminate"
    if len(candidates) > MAX_KEYS:
        reasons.append(f"only the first {MAX_KEYS} of {len(candidates)} issuer keys were tried")
        unsure = True
    return ("indeterminate" if unsure else "failed"), "; ".join(reasons)


def _key_document(ctx: _Context, url: str) -> CryptographicKey | _Miss:
    # A key embedded in the issuer's own hosted Profile is as trusted as the Profile.
    embedded = ctx.need_issuer().embedded_key(url)
    return embedded if embedded is not None else _fetch_as(ctx, url, "key", CryptographicKey)


def _verify_with_key(ctx: _Context, url: str, alg: str) -> _Miss | None:
    key_doc = _key_document(ctx, url)
    if isinstance(key_doc, _Miss):
        return key_doc
    try:
        key = _JWS_ALGORITHMS[alg].import_key(key_doc.public_key_pem)
    except (JoseError, ValueError, TypeError):
        return _Miss(f"key {url} holds no {alg}-capable public key PEM", "failed")
    registry = jws.JWSRegistry(algorithms=[alg], strict_check_header=False)
    registry.max_payload_length = _JWS_MAX_PAYLOAD
    registry.max_signature_length = _JWS_MAX_SIGNATURE
    assert ctx.token is not None  # noqa: S101
    try:
        jws.deserialize_compact(ctx.token, key, registry=registry)
    except JoseError:
        return _Miss(f"the signature does not verify with key {url}", "failed")
    return None


# --- (7) issuer.key_ownership ----------------------------------------------------------


def _key_ownership(ctx: _Context) -> _Result:
    assertion = ctx.need_assertion()
    if not assertion.is_signed:
        return "skipped", "hosted assertion: no signing key to attribute"
    issuer = ctx.need_issuer()
    key_url = ctx.key_url or assertion.verification.creator
    if key_url is None:
        return "skipped", "needs proof.signature: no issuer key verified the signature"
    # The creator must be listed exactly in the fetched issuer's publicKey (OB 2.0 §SignedBadge).
    if key_url not in issuer.public_keys:
        listed = ", ".join(issuer.public_keys) or "none"
        return "failed", f"key {key_url} is not in issuer {issuer.id}'s publicKey ({listed})"
    key_doc = _key_document(ctx, key_url)
    if isinstance(key_doc, _Miss):
        return key_doc.status, key_doc.reason
    if key_doc.owner is None:
        return "warning", f"key {key_url} is listed by the issuer but names no owner"
    if key_doc.owner != issuer.id:
        return "failed", f"key {key_url} is owned by {key_doc.owner}, not issuer {issuer.id}"
    return "passed", f"key {key_url} is listed in and owned by issuer {issuer.id}"


# --- (8) hosted.scope ------------------------------------------------------------------


def _hosted_scope(ctx: _Context) -> _Result:
    assertion = ctx.need_assertion()
    if assertion.is_signed:
        return "skipped", "signed assertion: the hosting scope does not apply"
    issuer = ctx.need_issuer()
    # OB 2.0 "VerificationObject" in a Profile: startsWith / allowedOrigins, by default
    # the host of the issuer's id; only the `id` property may be verified.
    policy = issuer.verification
    prop = policy.verification_property if policy is not None else None
    if prop not in (None, "id"):
        return "failed", f"the issuer's policy checks {prop!r}; only 'id' is supported"
    prefixes = _as_tuple(policy.starts_with if policy is not None else None)
    if prefixes and not assertion.id.startswith(prefixes):
        return "failed", f"id {assertion.id} starts with none of {', '.join(prefixes)}"
    parts = urlsplit(assertion.id)
    here = {parts.netloc.lower(), (parts.hostname or "").lower()}
    origins = _as_tuple(policy.allowed_origins if policy is not None else None)
    if not origins:
        if not _is_http_url(issuer.id):
            return "warning", f"issuer id {issuer.id} is not an HTTP(S) URL: scope unenforceable"
        origins = (urlsplit(issuer.id).netloc,)
    allowed = {origin.lower() for origin in origins}
    if not here & allowed:
        return "failed", f"id {assertion.id} is not hosted at {', '.join(sorted(allowed))}"
    return "passed", f"id {assertion.id} is hosted where issuer {issuer.id} allows"


def _as_tuple(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


# --- (9) status.revocation -------------------------------------------------------------


def _revocation(ctx: _Context) -> _Result:
    assertion = ctx.need_assertion()
    issuer = ctx.need_issuer()
    if assertion.revoked:
        return "failed", f"revoked: {assertion.revocation_reason or 'no reason given'}"
    if issuer.revocation_list is None:
        verdict: _Result = ("passed", "issuer publishes no revocation list")
    else:
        verdict = _check_revocation_list(ctx, assertion, issuer.revocation_list)
    if verdict[0] != "passed" or assertion.is_signed:
        return verdict
    if ctx.hosted_miss is not None:
        # Hosted revocation is signalled at the id (OB 2.0 "Hosted Badges"); unseen
        # there means unknown, whatever the list says.
        return "indeterminate", f"{verdict[1]}, but {ctx.hosted_miss.reason}"
    return "passed", f"the hosted copy is not marked revoked; {verdict[1]}"


def _check_revocation_list(ctx: _Context, assertion: Assertion, url: str) -> _Result:
    got = ctx.fetches.get(url, "revocation list")
    if isinstance(got, _Miss):
        return got.status, f"revocation status unknown: {got.reason}"
    listing, problem = _validated(RevocationList, got)
    if listing is None:
        return "indeterminate", f"revocation list {url} is unreadable: {problem}"
    entry = listing.entry_for(assertion.id, assertion.uid)
    if entry is not None and entry.is_revoked:
        return "failed", f"revoked: {entry.revocation_reason or 'no reason given'}"
    return "passed", f"not revoked in the issuer's revocation list {url}"


# --- (10) validity.window --------------------------------------------------------------


def _validity(ctx: _Context) -> _Result:
    assertion = ctx.need_assertion()
    issued, expires = assertion.issued_on, assertion.expires
    allowance = f"accepted only because of the {ctx.skew.total_seconds() / 60:g}-minute allowance"
    if issued > ctx.now + ctx.skew:
        return "failed", f"issued in the future: issuedOn is {issued.isoformat()}"
    if expires is not None and expires < issued:
        return "failed", f"expires {expires.isoformat()} is before issuedOn {issued.isoformat()}"
    if expires is not None and expires <= ctx.now - ctx.skew:
        return "failed", f"expired on {expires.isoformat()}"
    if expires is not None and expires <= ctx.now:
        return "warning", f"expired on {expires.isoformat()}, a moment ago: {allowance}"
    if issued > ctx.now:
        return "warning", f"issuedOn {issued.isoformat()} is a moment from now: {allowance}"
    if expires is None:
        return "passed", f"issued on {issued.isoformat()}; no expiry"
    return "passed", f"valid from {issued.isoformat()} until {expires.isoformat()}"


# --- (11) recipient.identity -----------------------------------------------------------


def _recipient(ctx: _Context) -> _Result:
    if ctx.recipient is None:
        return "skipped", "no recipient given"
    stated = ctx.need_assertion().recipient
    wanted = ctx.recipient
    if stated.type != wanted.kind:
        return "failed", f"the badge names its recipient by {stated.type}, not {wanted.kind}"
    matched = recipient_matches(stated.identity, wanted, hashed=stated.hashed, salt=stated.salt)
    form = "hashed" if stated.hashed else "plain"
    if matched:
        return "passed", f"the badge's {form} {stated.type} identity matches the recipient"
    return "failed", f"the badge's {form} {stated.type} identity does not match the recipient"


# --- (12) transport.https --------------------------------------------------------------


def _transport(ctx: _Context) -> _Result:
    plain = [url for url in ctx.fetches.urls if url[:7].lower() == "http://"]
    if plain:
        return "warning", f"fetched over plain HTTP, not HTTPS: {', '.join(plain)}"
    return "passed", "every fetched document came over HTTPS"


def _step(
    check_id: CheckId,
    run: Callable[[_Context], _Result],
    spec: str,
    *,
    gate: bool = False,
    trusted: bool = False,
) -> Step[_Context]:
    def check(ctx: _Context) -> Check:
        status, message = run(ctx)
        return _check(check_id, status, message, spec)

    return Step(check_id, check, gate=gate, trusted=trusted)


_STEPS: tuple[Step[_Context], ...] = (
    _step("document.parse", _parse, "OB 2.0 Verification", gate=True),
    _step("document.shape", _shape, "OB 2.0 Assertion", gate=True),
    _step("badge.fetch", _badge, "OB 2.0 BadgeClass", gate=True),
    _step("issuer.fetch", _issuer, "OB 2.0 Profile", gate=True),
    _step("proof.signature", _proof, "OB 2.0 Signed Badges / Hosted Badges"),
    _step("hosted.copy", _hosted_copy, "OB 2.0 Hosted Badges"),
    _step("issuer.key_ownership", _key_ownership, "OB 2.0 CryptographicKey"),
    _step("hosted.scope", _hosted_scope, "OB 2.0 VerificationObject"),
    _step("status.revocation", _revocation, "OB 2.0 RevocationList", trusted=True),
    _step("validity.window", _validity, "OB 2.0 Assertion (issuedOn, expires)", trusted=True),
    _step("recipient.identity", _recipient, "OB 2.0 IdentityObject", trusted=True),
    _step("transport.https", _transport, "OB 2.0 Hosted Badges"),
)
