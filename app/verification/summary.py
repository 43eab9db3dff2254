"""What a person wants to know first about a verified badge, read from the verified document.

The summary repeats what the credential claims (achievement, issuer, recipient, dates); the
checks say whether those claims hold. OB 2.0 assertions name their badge class and issuer by
URL: those documents were fetched during the verification, and are looked up among them rather
than fetched again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from app.verification.schemas import (
    AchievementSummary,
    BadgeStatus,
    BadgeSummary,
    CheckResult,
    EndorsementSummary,
    IssuerSummary,
    RecipientSummary,
    VerifyReport,
)
from badges.ports import JSONObject
from badges.report import VerificationReport
from badges.verification import endorsements

__all__ = ["summarize", "to_read"]

MAX_TEXT = 2000
MAX_IMAGE_URL = 1_500_000
_OB3_IDENTITY_TYPES = {"emailAddress": "email", "phone": "telephone", "url": "url"}


def to_read(report: VerificationReport, documents: Mapping[str, JSONObject]) -> VerifyReport:
    """The API's answer for a report (the credential itself is not repeated)."""
    return VerifyReport(
        ok=report.ok,
        format=report.format,
        version=report.version,
        summary=summarize(report, documents),
        checks=[CheckResult(id=c.id, status=c.status, message=c.message) for c in report.checks],
    )


def summarize(report: VerificationReport, documents: Mapping[str, JSONObject]) -> BadgeSummary:
    """Read the summary from the report's credential (OB 3.0) or assertion (OB 2.0)."""
    credential = report.credential
    if credential is None:  # e.g. an OB 2.0 assertion whose URL answers 410 Gone: revoked
        return BadgeSummary(status=_status(report))
    summary = _ob2(credential, documents) if report.version == "2.0" else _ob3(credential)
    summary.recipient.matched = _matched(report)
    summary.status = _status(report)
    summary.issuer.verified_id = _verified_id(report, summary.issuer.id)
    if report.version == "3.0":
        summary.endorsements = _endorsements(report, credential)
    return summary


def _verified_id(report: VerificationReport, issuer_id: str | None) -> str | None:
    """The issuer's DID or web domain, when the signing key is confirmed as the issuer's."""
    if issuer_id is None:
        return None
    signature = report.check("proof.signature")
    if signature is None or signature.status != "passed":
        return None
    if report.format == "ob2-hosted":
        confirmed = report.check("hosted.scope")
    else:
        confirmed = report.check("issuer.key_ownership")
    if confirmed is None or confirmed.status not in ("passed", "warning"):
        return None
    if issuer_id.startswith("did:"):
        return _clip(issuer_id)
    host = urlsplit(issuer_id).hostname
    return _clip(host) if host else None


def _endorsements(report: VerificationReport, credential: JSONObject) -> list[EndorsementSummary]:
    """Each endorsement with the outcome of its own check, in the order they were checked."""
    checks = [c for c in report.checks if c.id == "endorsement"]
    found = endorsements.find(credential)[: endorsements.MAX_ENDORSEMENTS]
    return [
        EndorsementSummary(
            endorser=_clip(e.endorser),
            endorser_id=_endorser_id(e.document),
            verified=check.status == "passed",
            message=check.message,
        )
        for e, check in zip(found, checks, strict=False)
    ]


def _endorser_id(document: JSONObject | None) -> str | None:
    issuer = (document or {}).get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return _clip(issuer) if isinstance(issuer, str) and issuer else None


def _ob3(credential: JSONObject) -> BadgeSummary:
    subject = _first_object(credential.get("credentialSubject")) or {}
    achievement = _object(subject.get("achievement")) or {}
    return BadgeSummary(
        issuer=_issuer(credential.get("issuer")),
        achievement=_achievement(achievement),
        recipient=_ob3_recipient(subject),
        issued=_text(credential.get("awardedDate"))
        or _text(credential.get("issuanceDate"))
        or _text(credential.get("validFrom")),
        valid_from=_text(credential.get("validFrom")) or _text(credential.get("issuanceDate")),
        valid_until=_text(credential.get("validUntil")) or _text(credential.get("expirationDate")),
    )


def _ob2(assertion: JSONObject, documents: Mapping[str, JSONObject]) -> BadgeSummary:
    badge = _resolved(assertion.get("badge"), documents) or {}
    recipient = _object(assertion.get("recipient")) or {}
    hashed = recipient.get("hashed")
    identity = _text(recipient.get("identity"))
    return BadgeSummary(
        issuer=_issuer(_resolved(badge.get("issuer"), documents) or badge.get("issuer")),
        achievement=_achievement(badge),
        recipient=RecipientSummary(
            type=_text(recipient.get("type")),
            hashed=hashed if isinstance(hashed, bool) else None,
            identity=identity if hashed is False else None,
        ),
        issued=_text(assertion.get("issuedOn")),
        valid_from=_text(assertion.get("issuedOn")),
        valid_until=_text(assertion.get("expires")),
    )


def _issuer(value: Any) -> IssuerSummary:
    if isinstance(value, str):
        return IssuerSummary(id=_clip(value))
    issuer = _object(value) or {}
    return IssuerSummary(
        name=_text(issuer.get("name")), id=_text(issuer.get("id")), url=_text(issuer.get("url"))
    )


def _achievement(achievement: JSONObject) -> AchievementSummary:
    return AchievementSummary(
        name=_text(achievement.get("name")),
        description=_text(achievement.get("description")),
        image=_image(achievement.get("image")),
    )


def _image(value: Any) -> str | None:
    """An image URL, kept whole (a ``data:`` URL is the image itself) up to a size."""
    url = value.get("id") if isinstance(value, dict) else value
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_IMAGE_URL:
        return None
    return url.strip()


def _ob3_recipient(subject: JSONObject) -> RecipientSummary:
    identifier = _first_object(subject.get("identifier"))
    name = _text(subject.get("name")) or _plain_name(subject.get("identifier"))
    if identifier is None:
        subject_id = _text(subject.get("id"))
        return RecipientSummary(type="id" if subject_id else None, identity=subject_id, name=name)
    kind = _text(identifier.get("identityType"))
    hashed = identifier.get("hashed")
    return RecipientSummary(
        type=_OB3_IDENTITY_TYPES.get(kind or "", kind),
        hashed=hashed if isinstance(hashed, bool) else None,
        identity=_text(identifier.get("identityHash")) if hashed is False else None,
        name=name,
    )


def _plain_name(identifiers: Any) -> str | None:
    """The recipient's name, when an identifier gives it unhashed (``identityType`` ``name``,
    https://www.imsglobal.org/spec/ob/v3p0/#identifiertypeenum)."""
    for item in identifiers if isinstance(identifiers, list) else [identifiers]:
        named = isinstance(item, dict) and item.get("identityType") == "name"
        if named and item.get("hashed") is False:
            return _text(item.get("identityHash"))
    return None


def _matched(report: VerificationReport) -> bool | None:
    check = report.check("recipient.identity")
    if check is None:
        return None
    return {"passed": True, "failed": False}.get(check.status)


def _status(report: VerificationReport) -> BadgeStatus | None:
    """Revoked or suspended when a status check says so; ``None`` when none was checked."""
    checks = [c for c in report.checks if c.id == "status" or c.id.startswith("status.")]
    failed = {c.id for c in checks if c.status == "failed"}
    if "status.revocation" in failed:
        return "revoked"
    if "status.suspension" in failed:
        return "suspended"
    if failed or any(c.status == "indeterminate" for c in checks):
        return "unknown"
    if any(c.status in ("passed", "warning") for c in checks):
        return "active"
    return None


# --- reading untrusted JSON ------------------------------------------------------------


def _object(value: Any) -> JSONObject | None:
    return value if isinstance(value, dict) else None


def _first_object(value: Any) -> JSONObject | None:
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, dict)), None)
    return _object(value)


def _resolved(value: Any, documents: Mapping[str, JSONObject]) -> JSONObject | None:
    """An embedded object, or the document fetched from the URL that names it."""
    if isinstance(value, str):
        return documents.get(value)
    return _object(value)


def _text(value: Any) -> str | None:
    """A display string from a JSON value: a string, or a language map's first value."""
    if isinstance(value, str):
        return _clip(value) if value.strip() else None
    if isinstance(value, dict):
        return _text(value.get("@value"))
    if isinstance(value, list):
        return next((t for t in (_text(v) for v in value) if t), None)
    return None


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
