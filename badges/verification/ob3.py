"""Verifying an Open Badges 3.0 credential, Data Integrity or VC-JWT (OB 3.0 §9).

Steps, in order, run by :func:`badges.verification.runner.run_steps` (gate checks stop the
ones after them; once the signature fails, the checks marked *trusted* are ``skipped``):

1. ``jwt.header``         (VC-JWT, gate) an accepted algorithm and a key reference
2. ``document.context``   (gate) VCDM 2.0 or 1.1 context first, an OB 3.0 context second
3. ``document.type``      (gate) VerifiableCredential and OpenBadgeCredential (or an alias)
4. ``document.jsonld``    (gate) expands with the shipped contexts; undefined terms warn (and
   fail a Data Integrity proof: JSON-LD safe mode)
5. ``schema``             the official JSON Schema
6. ``proof.signature``    an acceptable proof verifies (or the JWS, for VC-JWT), with
   ``issuer.key_ownership`` (the issuer's own document lists the key) and, for VC-JWT,
   ``jwt.claims`` (the claims agree with the credential)
7. ``validity.window``    (trusted) validFrom / validUntil around ``now``
8. ``status.*``           (trusted) revocation and suspension lists
9. ``endorsement``        (trusted) each embedded EndorsementCredential, on its own
10. ``recipient.identity`` (trusted) when the caller names the recipient

From step 5 on, every check reads the *signed view* of the credential: the properties its
contexts do not define are dropped, because no Data Integrity proof covers them (VC Data
Integrity 1.0 §2.1, "Securing data losslessly"), and the validity dates are those of the
credential's data model only (``validFrom``/``validUntil`` in VCDM 2.0, ``issuanceDate``/
``expirationDate`` in VCDM 1.1).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badges import _jsonld, data_integrity, vc_jwt
from badges.errors import DocumentError
from badges.identity import OB3_IDENTITY_TYPES, recipient_matches
from badges.ports import JSONObject
from badges.report import Check
from badges.schema import check_schema
from badges.verification import endorsements, status
from badges.verification.jwt_keys import look_up
from badges.verification.proofs import OWNERSHIP, SIGNATURE, check_embedded_proofs
from badges.verification.runner import Step, run_steps
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
    except _jsonld.WorkSpentError as error:
        return Check(id="document.jsonld", status="indeterminate", message=f"{error}."), None
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


def _window_names(document: JSONObject) -> tuple[str, str]:
    """The validity members of the credential's data model (VCDM 2.0 §4.9; VCDM 1.1 §4.6, §7.10)."""
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else None
    return ("issuanceDate", "expirationDate") if first == VCDM1 else ("validFrom", "validUntil")


def check_validity(document: JSONObject, session: Session) -> Check:
    start_name, end_name = _window_names(document)
    start, end = document.get(start_name), document.get(end_name)
    start_at, end_at = _instant(start), _instant(end)
    if (start is not None and start_at is None) or (end is not None and end_at is None):
        return Check(
            id="validity.window",
            status="failed",
            message=f"{start_name} and {end_name} must be date-times with a time zone.",
        )
    skew, now = session.config.clock_skew, session.now
    minutes = f"{skew.total_seconds() / 60:g}-minute"
    if start_at is not None and now + skew < start_at:
        return Check(
            id="validity.window",
            status="failed",
            message=f"Not valid yet: valid from {start}.",
            spec="VCDM 2.0 §4.9",
        )
    if end_at is not None and now - skew > end_at:
        return Check(
            id="validity.window",
            status="failed",
            message=f"Expired on {end}.",
            spec="VCDM 2.0 §4.9",
        )
    if end_at is not None and now > end_at:
        return Check(
            id="validity.window",
            status="warning",
            message=f"Expired on {end}, a moment ago: accepted only because of the {minutes} "
            "allowance for clocks that differ.",
            spec="VCDM 2.0 §4.9",
        )
    if start_at is not None and now < start_at:
        return Check(
            id="validity.window",
            status="warning",
            message=f"Valid only from {start}, a moment from now: accepted only because of the "
            f"{minutes} allowance for clocks that differ.",
            spec="VCDM 2.0 §4.9",
        )
    until = f" until {end}" if end is not None else ", with no expiry"
    if start is None:
        return Check(id="validity.window", status="passed", message=f"Valid{until}.")
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


def signed_view(document: JSONObject, undefined: Sequence[str]) -> JSONObject:
    """``document`` without the properties its contexts leave undefined (no proof covers them)."""
    names = frozenset(undefined)
    if not names:
        return document

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in names}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    stripped: JSONObject = strip(document)
    return stripped


@dataclass
class Credential:
    """One OB 3.0 credential being verified (the context the steps share)."""

    document: JSONObject  # as given: what the proof covers
    session: Session
    token: vc_jwt.DecodedJWT | None = None
    analysis: _jsonld.Analysis | None = None
    signed: JSONObject | None = None  # the signed view, once document.jsonld has run

    @property
    def view(self) -> JSONObject:
        return self.signed if self.signed is not None else self.document


def _header_step(credential: Credential) -> list[Check]:
    assert credential.token is not None  # noqa: S101 - only in the VC-JWT steps
    try:
        vc_jwt.check_header(credential.token.header)
    except DocumentError as error:
        return [Check(id="jwt.header", status="failed", message=f"{error}.")]
    return []


def _jsonld_step(credential: Credential) -> Check:
    check, analysis = check_jsonld(credential.document, credential.session.config.jsonld_budget)
    credential.analysis = analysis
    if analysis is not None:
        # A VC-JWT's payload is signed whole by its JWS; a Data Integrity proof covers only
        # what the contexts define.
        undefined = [] if credential.token is not None else analysis.undefined
        credential.signed = signed_view(credential.document, undefined)
    return check


def _proof_step(credential: Credential) -> Sequence[Check]:
    if credential.token is not None:
        return _check_jwt(credential.token, credential.document, credential.session)
    assert credential.analysis is not None  # noqa: S101 - document.jsonld gates this step
    return check_embedded_proofs(
        credential.document, credential.session, analysis=credential.analysis
    )


_HEAD: tuple[Step[Credential], ...] = (
    Step("document.context", lambda c: check_context(c.document), gate=True),
    Step("document.type", lambda c: check_type(c.document), gate=True),
    Step("document.jsonld", _jsonld_step, gate=True),
    Step("schema", lambda c: check_schema(c.document)),
)
_TAIL: tuple[Step[Credential], ...] = (
    Step("validity.window", lambda c: check_validity(c.view, c.session), trusted=True),
    Step("status", lambda c: status.check_status(c.view, c.session), trusted=True),
    Step("endorsement", lambda c: _endorsement_step(c), trusted=True, quiet=True),
    Step("recipient.identity", lambda c: check_recipient(c.view, c.session), trusted=True),
)
STEPS: tuple[Step[Credential], ...] = (
    *_HEAD,
    Step("proof.signature", _proof_step, also=(OWNERSHIP,)),
    *_TAIL,
)
JWT_STEPS: tuple[Step[Credential], ...] = (
    Step("jwt.header", _header_step, gate=True, quiet=True),
    *_HEAD,
    Step("proof.signature", _proof_step, also=(OWNERSHIP, "jwt.claims")),
    *_TAIL,
)


# An endorsement is verified as a credential of its own, with no endorsements nor recipient.
_ENDORSED = (*STEPS[:5], *_TAIL[:2])
_ENDORSED_JWT = (*JWT_STEPS[:6], *_TAIL[:2])


def _endorsement_step(credential: Credential) -> list[Check]:
    def verify(endorsement: endorsements.Endorsement) -> list[Check]:
        assert endorsement.document is not None  # noqa: S101 - only readable ones come here
        inner = Credential(endorsement.document, credential.session, endorsement.token)
        steps = _ENDORSED if endorsement.token is None else _ENDORSED_JWT
        return run_steps(steps, inner, credential.session.config)

    return endorsements.check_all(credential.view, verify)


def verify_credential(credential: Credential) -> list[Check]:
    """Run the OB 3.0 steps over a credential (decoded from its token, for VC-JWT)."""
    steps = STEPS if credential.token is None else JWT_STEPS
    return run_steps(steps, credential, credential.session.config)


def verify_document(
    document: JSONObject, session: Session, *, token: vc_jwt.DecodedJWT | None = None
) -> list[Check]:
    """Run the OB 3.0 checks on a credential (decoded from ``token`` for VC-JWT)."""
    return verify_credential(Credential(document, session, token))


def _check_jwt(token: vc_jwt.DecodedJWT, document: JSONObject, session: Session) -> list[Check]:
    """The JWS signature, the key's ownership and the claims (OB 3.0 §8.2.5)."""
    key = look_up(token.header, document, session)
    if key.key is None:
        status_ = "indeterminate" if key.ownership.status == "indeterminate" else "failed"
        signature = Check(id=SIGNATURE, status=status_, message=f"{key.problem}.")
    else:
        try:
            valid = vc_jwt.verify_signature(token, key.key.jwk())
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
