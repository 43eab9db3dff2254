"""The credential a wallet receives: the award re-signed with the holder's DID as its subject.

OB 3.0 binds a credential to its holder through ``credentialSubject.id``
(https://www.imsglobal.org/spec/ob/v3p0/#achievementsubject); the hashed e-mail and the name
stay as ``identifier`` entries, and the award's status entry stays, so revoking or suspending
the award changes the delivered credential too. It is signed ``eddsa-rdfc-2022`` by the
issuer's active key at delivery time (the subject id is inside the signed data).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.credentials import service as credential_service
from app.deps import Resources
from app.oid4vci.errors import OAuthError
from badges import data_integrity
from badges.ob3 import format_datetime_stamp

__all__ = ["deliver", "deliverable"]


def deliverable(format_: str, status: str) -> bool:
    """Whether an award can go into a wallet: an active OB 3.0 Data Integrity credential."""
    return format_ == "ob3" and status == "active"


def deliver(
    session: Session,
    resources: Resources,
    credential_id: uuid.UUID,
    holder: str,
    *,
    now: datetime,
) -> dict[str, Any]:
    """Sign the bound copy of the award for ``holder`` and commit the delivery."""
    award = credential_service.get_credential(session, credential_id)
    if not deliverable(award.format, award.status):
        raise OAuthError("credential_request_denied", "this badge can no longer be delivered")
    issued: dict[str, Any] = json.loads(award.document)
    issued.pop("proof", None)
    subject = dict(issued["credentialSubject"])
    subject["id"] = holder
    bound = {
        **issued,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "validFrom": format_datetime_stamp(now),
        "credentialSubject": subject,
    }
    issuer = credential_service.achievement_of(session, award).issuer
    _, signer = resources.keyring.active_signer(session, issuer, "EdDSA", now)
    signed = data_integrity.sign(bound, signer, created=now)
    session.commit()
    return signed
