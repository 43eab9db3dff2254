"""Verifying an Open Badges 3.0 credential, Data Integrity or VC-JWT (OB 3.0 §9).

Checks, in order (gate checks stop the ones after them, which are then ``skipped``):

1. ``document.context``   (gate) VCDM 2.0 or 1.1 context first, an OB 3.0 context second
2. ``document.type``      (gate) VerifiableCredential and OpenBadgeCredential (or an alias)
3. ``document.jsonld``    (gate) expands with the shipped contexts; undefined terms warn (and
                          fail a Data Integrity proof: JSON-LD safe mode)
4. ``schema``             the official JSON Schema
5. ``proof.signature``    an acceptable proof verifies (or the JWS, for VC-JWT)
6. ``issuer.key_ownership`` the issuer's own document lists the key
7. ``jwt.claims``         (VC-JWT) the claims agree with the credential
8. ``validity.window``    validFrom / validUntil around ``now``
9. ``status.*``           revocation and suspension lists
10. ``recipient.identity`` when the caller names the recipient
"""

from __future__ import annotations

import re
from datetime import datetime

from badges import _jsonld, data_integrity, vc_jwt
from badges.errors import DocumentError
from badges.identity import OB3_IDENTITY_TYPES, recipient_matches
from badges.ports import JSONObject
from badges.report import Check
from badges.schema import check_schema
from badges.verification import status
from badges.verification.jwt_keys import look_up
from badges.verification.proofs import OWNERSHIP, SIGNATURE, check_embedded_proofs, issuer_id
from badges.verification.session import Session

VCDM2 = "https://www.w3.org/ns/credentials/v2"
VCDM1 = "https://www.w3.org/2018/credentials/v1"
_OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")
CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
ENDORSEMENT_TYPE = "EndorsementCredential"


def _types(document: JSONObject) -> list[str]:
    value = document.get("type", [])
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def check_context(document: JSONObject) -> Check:
    context = document.get("@context")
    if not isinstance(context, list) or len(context) < 2:
        return Check(
            id="document.context",
            status="failed",
            message="@context must list the Verifiable Credentials context and then the "
            "Open Badges 3.0 context.",
            spec="OB 3.0 §B.1.1",
        )
    if context[0] not in (VCDM2, VCDM1):
        return Check(
            id="document.context",
            status="failed",
            message=f"The first @context must be {VCDM2} (or {VCDM1} for VCDM 1.1), "
            f"not {context[0]!r}.",
            spec="VCDM 2.0 §4.3",
        )
    if not (isinstance(context[1], str) and _OB_CONTEXT.match(context[1])):
        return Check(
            id="document.context",
            status="failed",
            message="The second @context must be an Open Badges 3.0 context.",
            spec="OB 3.0 §B.1.1",
        )
    version = "VCDM 2.0" if context[0] == VCDM2 else "VCDM 1.1"
    return Check(id="document.context", status="passed", message=f"Open Badges 3.0 on {version}.")


def check_type(document: JSONObject) -> Check:
    types = _types(document)
    if "VerifiableCredential" in types and (
        CREDENTIAL_TYPES & set(types) or ENDORSEMENT_TYPE in types
    ):
        return Check(id="document.type", status="passed", message=f"Type {', '.join(types)}.")
    return Check(
        id="document.type",
        status="failed",
        message="type must include VerifiableCredential and OpenBadgeCredential "
        f"(or AchievementCredential); it is {types!r}.",
        spec="OB 3.0 §B.1.2",
    )


def check_jsonld(
    document: JSONObject, budget: _jsonld.WorkBudget = _jsonld.DEFAULT_BUDGET
) -> tuple[Check, _jsonld.Analysis | None]:
    """Expand the credential (without its proofs) once: the proof check reuses the quads."""
    try:
        analysis = _jsonld.analyse(data_integrity.unsecured(document), budget=budget)
    except DocumentError as error:
        failed = Check(
            id="document.jsonld", status="failed", message=f"{error}.", spec="VCDM 2.0 §6.1"
        )
        return failed, None
    return _jsonld_check(analysis.undefined), analysis


def _jsonld_check(undefined: list[str]) -> Check:
    if undefined:
        return Check(
            id="document.jsonld",
            status="warning",
            message="Not covered by the signature, so not shown as verified: "
            + ", ".join(undefined)
            + ".",
        )
    return Check(
        id="document.jsonld",
        status="passed",
        message="Every property is defined by the credential's contexts.",
    )


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def check_validity(document: JSONObject, session: Session) -> Check:
    start_name = "validFrom" if "validFrom" in document else "issuanceDate"
    end_name = "validUntil" if "validUntil" in document else "expirationDate"
    start, end = document.get(start_name), document.get(end_name)
    start_at, end_at = _instant(start), _instant(end)
    if (start is not None and start_at is None) or (end is not None and end_at is None):
        return Check(
            id="validity.window",
            status="failed",
            message=f"{start_name} and {end_name} must be date-times with a time zone.",
        )
    skew = session.config.clock_skew
    if start_at is not None and session.now + skew < start_at:
        return Check(
            id="validity.window",
            status="failed",
            message=f"Not valid yet: valid from {start}.",
            spec="VCDM 2.0 §4.9",
        )
    if end_at is not None and session.now - skew > end_at:
        return Check(
            id="validity.window",
            status="failed",
            message=f"Expired on {end}.",
            spec="VCDM 2.0 §4.9",
        )
    until = f" until {end}" if end is not None else ", with no expiry"
    return Check(id="validity.window", status="passed", message=f"Valid from {start}{until}.")


def check_recipient(document: JSONObject, session: Session) -> Check:
    recipient = session.recipient
    if recipient is None:
        return Check(id="recipient.identity", status="skipped", message="No recipient was given.")
    subject = document.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    if not isinstance(subject, dict):
        return Check(id="recipient.identity", status="failed", message="No credentialSubject.")
    subject_id = subject.get("id")
    if isinstance(subject_id, str) and (
        subject_id == recipient.value
        or (
            subject_id.startswith("mailto:")
            and recipient_matches(subject_id[7:], recipient, hashed=False, salt=None)
        )
    ):
        return Check(
            id="recipient.identity", status="passed", message="Issued to the given recipient."
        )
    identifiers = subject.get("identifier", [])
    identifiers = identifiers if isinstance(identifiers, list) else [identifiers]
    wanted_type = OB3_IDENTITY_TYPES[recipient.kind]
    for entry in identifiers:
        if not isinstance(entry, dict) or entry.get("identityType") != wanted_type:
            continue
        identity = entry.get("identityHash")
        salt = entry.get("salt")
        if isinstance(identity, str) and recipient_matches(
            identity,
            recipient,
            hashed=entry.get("hashed") is True,
            salt=salt if isinstance(salt, str) else None,
        ):
            return Check(
                id="recipient.identity",
                status="passed",
                message=f"Issued to the given {recipient.kind}.",
            )
    return Check(
        id="recipient.identity",
        status="failed",
        message=f"Not issued to the given {recipient.kind}.",
    )


def _gate(checks: list[Check], check: Check) -> bool:
    checks.append(check)
    return check.status == "failed"


def verify_document(
    document: JSONObject, session: Session, *, token: vc_jwt.DecodedJWT | None = None
) -> list[Check]:
    """Run the OB 3.0 checks on a credential (decoded from ``token`` for VC-JWT)."""
    checks: list[Check] = []
    blocked = None
    for gate in (check_context, check_type):
        if _gate(checks, gate(document)):
            blocked = checks[-1].id
            break
    analysis = None
    if blocked is None:
        jsonld, analysis = check_jsonld(document, session.config.jsonld_budget)
        if _gate(checks, jsonld):
            blocked = jsonld.id
    if blocked is not None or analysis is None:
        return checks + skipped_after(checks, blocked or "document.jsonld", jwt=token is not None)
    checks.append(check_schema(document))
    if token is None:
        checks.extend(check_embedded_proofs(document, session, analysis=analysis))
    else:
        checks.extend(_check_jwt(token, document, session))
    checks.append(check_validity(document, session))
    checks.extend(status.check_status(document, session))
    checks.append(check_recipient(document, session))
    return checks


def skipped_after(done: list[Check], blocked: str, *, jwt: bool) -> list[Check]:
    """The checks a failed gate stops, each ``skipped`` with the gate's name."""
    seen = {c.id for c in done}
    return [
        Check(id=later, status="skipped", message=f"needs {blocked}")
        for later in (_LATER_IDS_JWT if jwt else _LATER_IDS)
        if later not in seen
    ]


_LATER_IDS = (
    "document.context",
    "document.type",
    "document.jsonld",
    "schema",
    SIGNATURE,
    OWNERSHIP,
    "validity.window",
    "status",
    "recipient.identity",
)
_LATER_IDS_JWT = (*_LATER_IDS[:6], "jwt.claims", *_LATER_IDS[6:])


def _check_jwt(token: vc_jwt.DecodedJWT, document: JSONObject, session: Session) -> list[Check]:
    key = look_up(token.header, issuer_id(document), session)
    if key.jwk is None:
        status_ = "indeterminate" if key.ownership.status == "indeterminate" else "failed"
        signature = Check(id=SIGNATURE, status=status_, message=f"{key.problem}.")
    else:
        try:
            valid = vc_jwt.verify_signature(token, key.jwk)
        except DocumentError as error:
            valid = False
            signature = Check(id=SIGNATURE, status="failed", message=f"{error}.")
        else:
            signature = (
                Check(
                    id=SIGNATURE,
                    status="passed",
                    message=f"The {token.header.get('alg')} JWT signature is valid.",
                )
                if valid
                else Check(
                    id=SIGNATURE,
                    status="failed",
                    message="The JWT signature does not match: the token was changed after "
                    "signing, or signed with another key.",
                    spec="RFC 7515 §5.2",
                )
            )
    ownership = key.ownership
    if signature.status != "passed" and ownership.status == "passed":
        ownership = Check(id=OWNERSHIP, status="skipped", message=f"needs {SIGNATURE}")
    claims = vc_jwt.check_claims(token)
    if claims.errors:
        claims_check = Check(
            id="jwt.claims",
            status="failed",
            message="; ".join(claims.errors) + ".",
            spec="OB 3.0 §8.2.5",
        )
    elif claims.warnings:
        claims_check = Check(
            id="jwt.claims", status="warning", message="; ".join(claims.warnings) + "."
        )
    else:
        claims_check = Check(
            id="jwt.claims", status="passed", message="The JWT claims match the credential."
        )
    return [signature, ownership, claims_check]
