"""Build unsigned OB 3.0 OpenBadgeCredentials, ready to be signed.

The builder emits the canonical form only: the VCDM 2.0 ``@context`` in the order the
schema and the ``@protected`` terms demand, ``type`` arrays, Image objects, arrays for
every multi-valued property, and dates as XSD dateTimeStamp in UTC (``…Z``, whole
seconds). Strings are written as given: no Unicode normalisation, no trimming, since the
signature covers the exact code points.

A credential is checked against the official JSON Schema before it is signed: the builder
validates what it built and raises :class:`~badges.errors.DocumentError` listing the
issues rather than return a credential that verifiers would reject. It also rejects
control characters, whose canonical N-Quads escaping differs between RDFC-1.0 and the
URDNA2015 implementation in PyLD, so a signature over them would not verify everywhere.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from badges.errors import DocumentError
from badges.identity import OB3_IDENTITY_TYPES, hash_identity, new_salt
from badges.ob3.models import Achievement, Evidence, IdentityObject, Image, Profile, Result
from badges.ports import JSONObject
from badges.schema import ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, VCDM2_CONTEXT, validate_credential

__all__ = ["CREDENTIAL_CONTEXT", "CREDENTIAL_TYPE", "build_credential", "format_datetime_stamp"]

# OB 3.0 §Data Model (@context): credentials/v2 first, the OB context second. extensions.json
# defines the `1EdTechJsonSchemaValidator2019` type used in credentialSchema (and the
# 1EdTech status and refresh types); without it those types are relative IRIs and the
# signature stops interoperating.
CREDENTIAL_CONTEXT: tuple[str, ...] = (
    VCDM2_CONTEXT,
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
)
CREDENTIAL_TYPE: tuple[str, ...] = ("VerifiableCredential", "OpenBadgeCredential")
_SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"

# RFC 3986 §3.1: an absolute URI starts with a scheme and a colon (https:, urn:, did:).
_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")

# C0 controls other than TAB, LF and CR, plus DEL: RDFC-1.0 §4.4 writes them as UCHAR
# escapes (\u0007), URDNA2015 implementations such as PyLD write them raw, so the
# canonical bytes and the signature differ. Lone surrogates cannot be written as UTF-8.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_MAX_SAFE_INTEGER = 2**53 - 1
_SMALLEST_PORTABLE_FRACTION = 1e-6


def build_credential(
    *,
    credential_id: str,
    issuer: Profile,
    achievement: Achievement,
    recipient_email: str | None = None,
    recipient_id: str | None = None,
    recipient_name: str | None = None,
    valid_from: datetime,
    valid_until: datetime | None = None,
    awarded_date: datetime | None = None,
    evidence: Sequence[Evidence] = (),
    results: Sequence[Result] = (),
    credential_status: JSONObject | None = None,
    name: str | None = None,
    description: str | None = None,
    image: Image | None = None,
    salt: str | None = None,
) -> JSONObject:
    """Build an unsigned OpenBadgeCredential (VCDM 2.0) for one recipient.

    Args:
        credential_id: the credential's ``id``, an absolute URI (``urn:uuid:…`` or https).
        issuer: the issuing Profile, embedded so displayers can show its name.
        achievement: the Achievement awarded.
        recipient_email: the recipient's e-mail address, written as a salted SHA-256
            IdentityObject (``identityType`` ``emailAddress``). Hashed exactly as given:
            normalise (e.g. lower-case) addresses where they are stored, not here.
        recipient_id: the recipient's URI (typically a DID), written as the subject ``id``.
            At least one of ``recipient_email`` and ``recipient_id`` is required.
        recipient_name: the recipient's name, written unhashed as a second IdentityObject
            of ``identityType`` ``name`` (OB 3.0 IdentifierTypeEnum,
            https://www.imsglobal.org/spec/ob/v3p0/#identifiertypeenum), so any verifier
            can show whose badge it is. The subject itself has no ``name`` property. Not a
            recipient on its own: ``recipient_email`` or ``recipient_id`` is still required.
        valid_from: when the credential becomes valid; must be timezone-aware.
        valid_until: when it stops being valid; timezone-aware, not before ``valid_from``.
        awarded_date: the original award date, kept when a credential is re-issued.
        evidence: the credential's ``evidence`` entries.
        results: the subject's ``result`` entries.
        credential_status: one status entry (``credentialStatus``), e.g. a
            ``BitstringStatusListEntry``; copied, not referenced.
        name: the credential's display name.
        description: the credential's description.
        image: the credential's image.
        salt: the salt for the e-mail hash; a fresh 128-bit salt when ``None``.

    Returns:
        The credential as a JSON object, without ``proof``.

    Raises:
        DocumentError: a naive datetime, no recipient, an id that is not an absolute URI,
            a control character in any string, or a result that fails the official JSON
            Schema (the message lists every issue).
    """
    # (1) the recipient: an id, a hashed e-mail identity, or both (OB 3.0 AchievementSubject)
    if recipient_email is None and recipient_id is None:
        raise DocumentError("a credential needs a recipient: give recipient_email or recipient_id")
    _require_uri("credential_id", credential_id)
    subject: JSONObject = {}
    if recipient_id is not None:
        _require_uri("recipient_id", recipient_id)
        subject["id"] = recipient_id
    subject["type"] = ["AchievementSubject"]
    if recipient_email is not None:
        subject["identifier"] = [_email_identity(recipient_email, salt).to_wire()]
    if recipient_name is not None:
        subject.setdefault("identifier", []).append(_name_identity(recipient_name).to_wire())
    subject["achievement"] = achievement.canonical().to_wire()
    if results:
        subject["result"] = [result.canonical().to_wire() for result in results]

    # (2) the credential, properties in the order the data model lists them
    doc: JSONObject = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": credential_id,
        "type": list(CREDENTIAL_TYPE),
    }
    if name is not None:
        doc["name"] = name
    if description is not None:
        doc["description"] = description
    if image is not None:
        doc["image"] = image.canonical().to_wire()
    doc["issuer"] = issuer.canonical().to_wire()
    doc["validFrom"] = format_datetime_stamp(valid_from, "valid_from")
    if valid_until is not None:
        doc["validUntil"] = format_datetime_stamp(valid_until, "valid_until")
    if awarded_date is not None:
        doc["awardedDate"] = format_datetime_stamp(awarded_date, "awarded_date")
    doc["credentialSubject"] = subject
    if evidence:
        doc["evidence"] = [item.canonical().to_wire() for item in evidence]
    if credential_status is not None:
        doc["credentialStatus"] = copy.deepcopy(credential_status)
    doc["credentialSchema"] = [
        {"id": ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, "type": _SCHEMA_VALIDATOR_TYPE}
    ]

    # (3) checks: strings that canonicalise differently, then the official schema. The
    # builder emits canonical forms only, so a warning is as much a bug as an error.
    unsafe = (
        [f"{path} contains {what}" for path, what in _unsafe_strings(doc)]
        if _any_unsafe(doc)
        else []
    )
    if unsafe:
        raise DocumentError(
            "values that canonicalize differently between implementations: " + "; ".join(unsafe)
        )
    issues = validate_credential(doc)
    if issues:
        listed = "; ".join(issue.message for issue in issues)
        raise DocumentError(f"the credential does not pass the OB 3.0 JSON Schema: {listed}")
    return doc


def format_datetime_stamp(value: datetime, field: str = "datetime") -> str:
    """Format an aware datetime as an XSD dateTimeStamp in UTC, whole seconds, ``Z``.

    Microseconds are dropped: ``2026-11-30T12:00:00Z``.

    Raises:
        DocumentError: ``value`` is naive (no time zone), so its instant is unknown.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise DocumentError(f"{field} must be timezone-aware, got {value.isoformat()}")
    utc = value.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat(timespec="seconds") + "Z"


def _email_identity(email: str, salt: str | None) -> IdentityObject:
    if not email:
        raise DocumentError("recipient_email is empty")
    if salt == "":
        raise DocumentError("salt is empty; pass None for a fresh salt")
    salt_value = new_salt() if salt is None else salt
    return IdentityObject(
        type="IdentityObject",
        identity_hash=hash_identity(email, salt_value),
        salt=salt_value,
        hashed=True,
        identity_type=OB3_IDENTITY_TYPES["email"],
    )


def _name_identity(name: str) -> IdentityObject:
    # OB 3.0 IdentityObject: "Either the IdentityHash of the identity or the plaintext
    # value" (https://www.imsglobal.org/spec/ob/v3p0/#identityobject); a name is shown, so
    # it is the plaintext with ``hashed`` false and no salt.
    if not name.strip():
        raise DocumentError("recipient_name is empty")
    return IdentityObject(
        type="IdentityObject", identity_hash=name, hashed=False, identity_type="name"
    )


def _require_uri(field: str, value: str) -> None:
    if not _ABSOLUTE_URI.fullmatch(value):
        raise DocumentError(f"{field} must be an absolute URI (urn:uuid:…, https://…, did:…)")


def _any_unsafe(document: Any) -> bool:
    """Whether :func:`_unsafe_strings` finds anything in ``document``: the same tests without
    the paths, which only a refusal needs (every credential issued is checked). The strings
    are searched at once, joined by a line feed, which is not one of the unsafe characters."""
    strings: list[str] = []
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            strings.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, bool):
            continue
        elif (isinstance(value, int) and abs(value) > _MAX_SAFE_INTEGER) or (
            isinstance(value, float) and 0 < abs(value) < _SMALLEST_PORTABLE_FRACTION
        ):
            return True
    return _UNSAFE.search("\n".join(strings)) is not None


def _unsafe_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield (path, description) for every key or string value with an unsafe character."""
    if isinstance(value, str):
        match = _UNSAFE.search(value)
        if match:
            yield path or "the document", f"the character U+{ord(match.group()):04X}"
    elif isinstance(value, dict):
        for key, item in value.items():
            match = _UNSAFE.search(key)
            # Escape such a key before it goes into a message or a log line.
            shown = key.encode("unicode_escape").decode("ascii") if match else key
            child = f"{path}.{shown}" if path else shown
            if match:
                yield child, f"the character U+{ord(match.group()):04X} in its name"
            yield from _unsafe_strings(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unsafe_strings(item, f"{path}[{index}]")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_SAFE_INTEGER:
        # JavaScript reads integers beyond 2^53 - 1 as other numbers: other verifiers would
        # canonicalize (and check the signature over) a different value.
        yield path, "an integer too large for JavaScript verifiers"
    elif isinstance(value, float) and 0 < abs(value) < _SMALLEST_PORTABLE_FRACTION:
        # jsonld.js writes non-integral numbers below 1e-6 as the integer 0, so its
        # canonical form, and the signature it checks, differ from the JSON-LD 1.1 rules.
        yield path, "a number too small for other verifiers to canonicalize alike"
