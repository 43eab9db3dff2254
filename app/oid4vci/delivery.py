"""The credential a wallet receives through OpenID4VCI, and which awards may be offered.

The bound credential is the wallets' own (:func:`app.wallets.binding.issue_bound_credential`):
the award re-issued with the holder's DID as ``credentialSubject.id``. Here it is issued in
the same transaction that spends the nonce and consumes the offer, so an offer is used exactly
when a credential was delivered for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.credentials.models import IssuedCredential
from app.deps import Resources
from app.errors import ConflictError
from app.oid4vci.errors import OAuthError
from app.oid4vci.service import PROTOCOL, OpenGrant, invalid_token, use_nonce
from app.wallets import offers
from app.wallets.binding import record_bound_credential, sign_bound_credential

__all__ = ["deliver", "deliverable"]


def deliverable(format_: str, status: str) -> bool:
    """Whether the claim page offers an award to OpenID4VCI wallets: an active OB 3.0 one."""
    return format_ in ("ob3", "ob3-jwt") and status == "active"


def deliver(
    session: Session,
    resources: Resources,
    offer: OpenGrant,
    award: IssuedCredential,
    holder: str,
    nonce: str | None,
    *,
    secret: bytes,
    now: datetime,
) -> dict[str, Any]:
    """Issue the bound credential, spend ``nonce`` (under the nonces' ``secret``), consume
    ``offer`` for ``holder`` and commit them together.

    The credential is signed before the first write: on SQLite that write takes the
    database's write lock, held to the commit, so signing under it would make every other
    writer wait for the signature.
    """
    try:
        bound = sign_bound_credential(
            session, award, holder, PROTOCOL, now, keyring=resources.keyring, urls=resources.urls
        )
    except ConflictError as error:
        # OpenID4VCI 1.0 §8.3.1.2: the wallet should not retry.
        raise OAuthError("credential_request_denied", str(error)) from None
    if not use_nonce(session, secret, nonce, now=now):
        raise OAuthError("invalid_nonce", "the nonce is missing, unknown, expired or used")
    if not offers.consume_offer(session, offer.offer_id, holder, now):
        raise invalid_token("the access token is unknown, expired or used")
    record_bound_credential(session, bound, offer_id=offer.offer_id)
    session.commit()
    return bound.signed
