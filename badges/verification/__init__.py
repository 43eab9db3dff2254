"""One entry point for every format: ``verify(data, fetcher=…, now=…)``.

It accepts text, bytes or a parsed object: OB 3.0 JSON (Data Integrity), OB 3.0 VC-JWT, OB 2.0
hosted JSON or its URL, an OB 2.0 JWS, a baked PNG or SVG. It detects the format, names it in
the report, and runs that format's steps through the one step runner
(:mod:`badges.verification.runner`) under one :class:`VerifierConfig`. A bad badge never
raises: the report says what failed. A bug of ours is logged (``VerifierConfig.logger``) and
reported as one ``indeterminate`` check: never as "not a badge".
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from badges import baking, vc_jwt
from badges.errors import DocumentError, FetchError
from badges.identity import Recipient
from badges.ports import Fetcher, JSONObject
from badges.report import Check, Format, VerificationReport
from badges.verification.ob3 import Credential, verify_credential
from badges.verification.runner import INTERNAL
from badges.verification.session import Session, VerifierConfig

MAX_INPUT_BYTES = 10 * 1024 * 1024
OB2_CONTEXTS = frozenset({"https://w3id.org/openbadges/v2", "https://w3id.org/openbadges/v1"})

__all__ = ["VerifierConfig", "verify"]


def _is_ob2(document: JSONObject) -> bool:
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if any(isinstance(c, str) and c in OB2_CONTEXTS for c in contexts):
        return True
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if "Assertion" in types or ("recipient" in document and "badge" in document):
        return True
    # A hosted assertion its issuer replaced by a revocation notice: {id, revoked: true}.
    return context is None and document.get("revoked") is True and "recipient" not in document


def _failure(message: str, source: str | None = None) -> VerificationReport:
    where = f" ({source})" if source else ""
    return VerificationReport(
        format="unknown",
        version=None,
        checks=(Check(id="document.parse", status="failed", message=message + where),),
    )


def _parsed(source: str, fmt: Format) -> Check:
    names = {
        "ob3-data-integrity": "an Open Badges 3.0 credential with a Data Integrity proof",
        "ob3-jwt": "an Open Badges 3.0 credential secured as a VC-JWT",
        "ob2-hosted": "an Open Badges 2.0 hosted assertion",
        "ob2-signed": "an Open Badges 2.0 signed assertion",
        "unknown": "a document",
    }
    return Check(id="document.parse", status="passed", message=f"Read {names[fmt]} from {source}.")


def _ob3(credential: Credential, fmt: Format, source: str) -> VerificationReport:
    checks = verify_credential(credential)
    return _report(fmt, checks, credential.view, source)


def _ob2(data: str | JSONObject, session: Session, source: str) -> VerificationReport:
    # Imported here: the OB 2.0 steps run on this package's runner and session.
    from badges.ob2.verification import verify_ob2

    return _with_source(
        verify_ob2(data, fetcher=session, now=session.now, recipient=session.recipient), source
    )


def _report(
    fmt: Format, checks: list[Check], credential: JSONObject | None, source: str
) -> VerificationReport:
    version: Literal["2.0", "3.0"] = "2.0" if fmt.startswith("ob2") else "3.0"
    return VerificationReport(
        format=fmt,
        version=version,
        checks=(_parsed(source, fmt), *checks),
        credential=credential,
    )


def _with_source(report: VerificationReport, source: str) -> VerificationReport:
    """Name where an OB 2.0 assertion came from in its parse check."""
    checks = tuple(
        c.model_copy(update={"message": f"{c.message.rstrip('.')} (from {source})."})
        if c.id == "document.parse" and c.status == "passed"
        else c
        for c in report.checks
    )
    return report.model_copy(update={"checks": checks})


def _verify_text(text: str, session: Session, source: str) -> VerificationReport:
    text = text.strip().lstrip("\ufeff")
    if text.startswith(("https://", "http://")) and len(text.split()) == 1:
        return _verify_url(text, session, source)
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            return _failure(f"Not valid JSON: {error.msg} at line {error.lineno}", source)
        except ValueError as error:  # e.g. an integer too long to convert
            return _failure(f"Not valid JSON: {error}", source)
        except RecursionError:
            return _failure("The JSON is nested too deeply to be a badge", source)
        return _verify_object(document, session, source)
    if vc_jwt.looks_like_jws(text):
        try:
            token = vc_jwt.decode(text)
        except DocumentError as error:
            return _failure(f"{error}", source)
        if _is_ob2(token.payload):
            return _ob2(text, session, source)
        return _ob3(Credential(token.credential, session, token), "ob3-jwt", source)
    return _failure(
        "Not an Open Badge: expected JSON, a compact JWS, a URL, or a baked PNG or SVG image",
        source,
    )


def _verify_url(url: str, session: Session, source: str) -> VerificationReport:
    try:
        document = session.get_json(url)
    except FetchError as error:
        if error.status == 410:  # OB 2.0 "Hosted Badges": a withdrawn assertion is revoked
            return _ob2(url, session, url)
        return VerificationReport(
            format="unknown",
            version=None,
            checks=(
                Check(
                    id="document.parse",
                    status="indeterminate",
                    message=f"Could not fetch {url}: {error}",
                ),
            ),
        )
    if _is_ob2(document):
        return _ob2(url, session, url)
    return _verify_object(document, session, url)


def _verify_object(document: Any, session: Session, source: str) -> VerificationReport:
    if not isinstance(document, dict):
        return _failure("An Open Badge is a JSON object", source)
    if _is_ob2(document):
        return _ob2(document, session, source)
    return _ob3(Credential(document, session), "ob3-data-integrity", source)


def verify(
    data: str | bytes | JSONObject,
    *,
    fetcher: Fetcher,
    now: datetime,
    recipient: Recipient | None = None,
    config: VerifierConfig | None = None,
) -> VerificationReport:
    """Verify an Open Badge in any supported form.

    Args:
        data: JSON text or bytes, a parsed JSON object, a compact JWS, a URL, or a baked PNG or
            SVG image.
        fetcher: fetches DID documents, keys, profiles and status lists.
        now: the time to judge validity at (time zone required).
        recipient: the person the badge should be issued to, if the caller knows.
        config: verification policy.

    Returns:
        The report; ``report.ok`` is true only when no check failed or stayed indeterminate.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    session = Session(fetcher, now, config or VerifierConfig(), recipient)
    try:
        return _verify(data, session)
    except RecursionError:
        # JSON nested thousands deep parses in C but overflows the Python that walks it.
        return _failure("Not an Open Badge: the document is nested too deeply to read")
    except Exception:  # a bug of ours: say so, log it, and never call the badge "not a badge"
        session.config.logger.exception("verification raised before its checks ran")
        return VerificationReport(
            format="unknown",
            version=None,
            checks=(
                Check(
                    id=INTERNAL,
                    status="indeterminate",
                    message="An internal error stopped the verification; it could not be made.",
                ),
            ),
        )


def _verify(data: str | bytes | JSONObject, session: Session) -> VerificationReport:
    if isinstance(data, dict):
        return _verify_object(data, session, "the given JSON")
    if isinstance(data, str):
        if len(data) > MAX_INPUT_BYTES:
            return _failure(f"The input is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
        return _verify_text(data, session, "the given text")
    if len(data) > MAX_INPUT_BYTES:
        return _failure(f"The input is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    kind = baking.sniff(data)
    if kind is not None:
        try:
            baked = baking.unbake(data)
        except DocumentError as error:
            return _failure(f"{error}", f"an {kind} image" if kind == "SVG" else f"a {kind} image")
        if baked is None:
            return _failure("The image carries no Open Badge", f"a {kind} image")
        return _verify_text(baked.text, session, f"a baked {kind} image")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _failure("Not an Open Badge: neither UTF-8 text nor a PNG or SVG image")
    return _verify_text(text, session, "the given file")
