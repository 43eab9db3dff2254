"""Binding an award to a wallet's DID: a new OB 3.0 credential for the holder, recorded.

Open Badges 3.0 lets the subject be identified by a DID (``credentialSubject.id``,
https://www.imsglobal.org/spec/ob/v3p0/#achievementsubject) besides ``identifier`` entries.
A wallet that proved control of a DID (VC-API DID Authentication, or an OpenID4VCI proof of
possession) receives a credential of the same award with that DID as its subject: the salted
hash of the passer's e-mail and their name (when the issuer writes names) stay as
``identifier`` entries, results, evidence and validity are the award's, ``awardedDate`` is
when the award was issued. It is signed ``eddsa-rdfc-2022`` by the issuer's active Ed25519
key and has a Bitstring Status List position of its own, whose bits follow the award's
status (:func:`app.status.service.record_change`).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from app.achievements import service as achievement_service
from app.audit import service as audit
from app.credentials import issuing
from app.credentials.contexts import IssuingContext, find_target, issuing_contexts, signer_of
from app.credentials.models import IssuedCredential
from app.errors import ConflictError
from app.keyring import Keyring
from app.status import service as status_service
from app.status.service import Position
from app.storage_guards import refuse_overlong_values
from app.urls import Urls
from app.wallets.models import PROTOCOLS, WalletDelivery
from app.wallets.templates import template_for
from badges import data_integrity, ob3, vc_jwt
from keys import KeySigner

__all__ = [
    "BoundCredential",
    "issue_bound_credential",
    "record_bound_credential",
    "sign_bound_credential",
]

_DELIVERIES = cast(Table, WalletDelivery.__table__)
_INSERT_DELIVERY = insert(_DELIVERIES)


@dataclass(frozen=True)
class BoundCredential:
    """A bound credential signed but not yet recorded: :func:`record_bound_credential` writes
    it. Signing reads only, so on SQLite the database's write lock (taken by a transaction's
    first write) is held for the few writes that follow, not for the signing."""

    signed: dict[str, Any]
    delivery_id: uuid.UUID
    award_id: uuid.UUID
    issuer_id: uuid.UUID
    award_status: str
    holder_did: str
    protocol: str
    position: Position
    at: datetime


def sign_bound_credential(
    session: Session,
    award: IssuedCredential,
    holder_did: str,
    protocol: str,
    now: datetime,
    *,
    keyring: Keyring,
    urls: Urls,
) -> BoundCredential:
    """Build and sign a new OB 3.0 credential of ``award`` for ``holder_did``, writing nothing
    (only an issuer without an Ed25519 key yet gets one made here).

    Raises:
        ConflictError: the award is revoked (a suspended one is delivered suspended).
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown wallet protocol {protocol!r}")
    if award.status == "revoked":
        raise ConflictError("this badge is revoked and cannot be added to a wallet")
    context, signer = _context_and_signer(session, award, now, keyring=keyring, urls=urls)
    position = status_service.draw_position(session, context.issuer_id, now)
    delivery_id = uuid.uuid4()
    evidence, results = _evidence_and_results(award)
    unsigned = ob3.build_credential(
        credential_id=delivery_id.urn,
        issuer=context.profile,
        achievement=context.achievement,
        recipient_email=award.recipient_email_lower,
        recipient_id=holder_did,
        recipient_name=award.recipient_name if context.name_in_credential else None,
        valid_from=now,
        valid_until=award.valid_until,
        awarded_date=award.issued_at,
        name=context.achievement.name,
        evidence=evidence,
        results=results,
        credential_status=status_service.entry_for(
            urls, context.issuer_slug, position.status_list.number, position.index, "revocation"
        ),
    )
    signed = data_integrity.sign(unsigned, signer, created=now, template=template_for(unsigned))
    return BoundCredential(
        signed=signed,
        delivery_id=delivery_id,
        award_id=award.id,
        issuer_id=award.issuer_id,
        award_status=award.status,
        holder_did=holder_did,
        protocol=protocol,
        position=position,
        at=now,
    )


def record_bound_credential(
    session: Session, bound: BoundCredential, *, offer_id: uuid.UUID | None = None
) -> None:
    """Claim the credential's status position and record the delivery (no commit).

    Plain INSERTs on the session's connection, no ORM unit of work: the delivery is written
    and read back by id, never changed.

    Raises:
        PositionTakenError: another credential or delivery took the position since the draw.
    """
    position = bound.position
    status_service.claim_position(session, position)
    values = {
        "id": bound.delivery_id,
        "credential_id": bound.award_id,
        "offer_id": offer_id,
        "protocol": bound.protocol,
        "holder_did": bound.holder_did,
        "status_list_id": position.status_list.id,
        "status_index": position.index,
        "delivered_at": bound.at,
        "document": json.dumps(bound.signed, ensure_ascii=False, separators=(",", ":")),
    }
    refuse_overlong_values(_DELIVERIES, values)
    session.connection().execute(_INSERT_DELIVERY, values)
    if bound.award_status != "active":
        # A suspended award's delivery is set on the suspension list from the start.
        status_service.record_new_position(session, position.status_list.id, bound.award_status)
    audit.write(
        session,
        "credential.deliver",
        actor=None,
        subject_type="credential",
        subject_id=bound.award_id,
        issuer_id=bound.issuer_id,
        # The holder's DID is the passer's own identifier: kept in the delivery row only.
        details={"protocol": bound.protocol, "delivery_id": str(bound.delivery_id)},
        at=bound.at,
        service=True,
    )


def issue_bound_credential(
    session: Session,
    award: IssuedCredential,
    holder_did: str,
    protocol: str,
    now: datetime,
    *,
    keyring: Keyring,
    urls: Urls,
    offer_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Issue and record a new OB 3.0 credential of ``award`` for ``holder_did`` (no commit):
    :func:`sign_bound_credential`, then :func:`record_bound_credential`.

    The caller commits, together with consuming the offer (:func:`app.wallets.offers.
    consume_offer`), so an offer is used exactly when a credential was delivered for it.

    Returns:
        The signed credential.

    Raises:
        ConflictError: the award is revoked (a suspended one is delivered suspended).
    """
    bound = sign_bound_credential(
        session, award, holder_did, protocol, now, keyring=keyring, urls=urls
    )
    record_bound_credential(session, bound, offer_id=offer_id)
    return bound.signed


def _context_and_signer(
    session: Session, award: IssuedCredential, now: datetime, *, keyring: Keyring, urls: Urls
) -> tuple[IssuingContext, KeySigner]:
    """The award's issuing context and the issuer's Ed25519 signer, as issuing finds them:
    one row read, the parsed documents kept per achievement and issuer version
    (:mod:`app.credentials.contexts`), the key opened once per process."""
    target = find_target(session, award.achievement_id, "EdDSA")
    if target is not None and target.key_id is not None:
        context = issuing_contexts(keyring).get(
            session, urls, target, lambda found: issuing.context_of(urls, found, template=True)
        )
        if context is not None:
            return context, signer_of(session, keyring, target.key_id)
    # No Ed25519 key yet (one is made here), or the achievement changed meanwhile.
    achievement = achievement_service.get_achievement(session, award.achievement_id)
    _, signer = keyring.active_signer(session, achievement.issuer, "EdDSA", now)
    return issuing.context_of(urls, achievement), signer


def _evidence_and_results(
    award: IssuedCredential,
) -> tuple[list[ob3.Evidence], list[ob3.Result]]:
    """The award's evidence and results, read from the credential as it was signed."""
    if award.format == "ob3":
        document: dict[str, Any] = json.loads(award.document)
    elif award.format == "ob3-jwt":
        document = vc_jwt.decode(award.document).credential
    else:
        # OB 2.0 assertions carry evidence (no results) with the same members.
        document = {"evidence": json.loads(award.document).get("evidence", [])}
        document["evidence"] = [
            {"type": ["Evidence"], **item}
            for item in document["evidence"]
            if isinstance(item, dict)
        ]
    raw_evidence = document.get("evidence") or []
    subject = document.get("credentialSubject") or {}
    raw_results = subject.get("result") or [] if isinstance(subject, dict) else []
    evidence = [ob3.Evidence.from_wire(item) for item in _listed(raw_evidence)]
    results = [ob3.Result.from_wire(item) for item in _listed(raw_results)]
    return evidence, results


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
