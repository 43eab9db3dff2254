"""VC-API exchanges that deliver a badge into the Learner Credential Wallet (and others).

VC-API ("Verifiable Credential API for Lifecycle Management"), exchanges:
https://w3c-ccg.github.io/vc-api/#exchanges. A wallet POSTs ``{}`` to the exchange URL to
start; we answer a ``verifiablePresentationRequest`` for DID Authentication with a fresh
``challenge`` and our ``domain``; the wallet POSTs a ``verifiablePresentation`` signed by its
DID's key; we answer a presentation holding the credential bound to that DID (VC-API
"Participate in an Exchange"; DID Authentication query:
https://w3c-ccg.github.io/vp-request-spec/#did-authentication). Errors are 4xx with a JSON
problem document, as the specification asks.

The same URL also takes the legacy one-POST request of older Learner Credential Wallet
builds (``vc_request_url`` with ``challenge`` and ``auth_type=bearer``): the body is the bare
signed presentation, without ``domain``, and the answer is the bare credential.

An exchange is single use: the first valid presentation consumes the offer (a conditional
UPDATE) and receives the credential; the same holder presenting again gets the same
credential, anyone else a 409; an expired offer a 410.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.credentials.models import IssuedCredential
from app.errors import AppError, ConflictError, GoneError, NotFoundError
from app.keyring import Keyring
from app.urls import Urls
from app.wallets import offers
from app.wallets.binding import issue_bound_credential
from app.wallets.models import WalletDelivery, WalletOffer
from badges import presentations
from badges.errors import PresentationError

__all__ = ["BadPresentationError", "exchange", "interaction", "presentation_request"]

PROTOCOL: Final = "vcapi"
VCDM2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
_ATTEMPTS: Final = 3
# https://w3c-ccg.github.io/vp-request-spec/#did-authentication: what we accept.
DID_AUTHENTICATION: Final = {
    "type": "DIDAuthentication",
    "acceptedMethods": [{"method": "key"}],
    "acceptedCryptosuites": [
        {"cryptosuite": "eddsa-rdfc-2022"},
        {"cryptosuite": "Ed25519Signature2020"},
    ],
}


class BadPresentationError(AppError):
    """The wallet's presentation does not authenticate a holder for this exchange (400).

    The problem's code names why: ``presentation_malformed``, ``presentation_proof``,
    ``presentation_challenge``, ``presentation_domain``, ``presentation_holder`` or
    ``presentation_unresolvable``.
    """

    status_code = 400
    code = "presentation_malformed"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.code = f"presentation_{reason}"


def _usable(session: Session, token: str, now: datetime) -> WalletOffer:
    found = offers.find_offer(session, token, PROTOCOL, now)
    if found.reason == "unknown" or found.offer is None:
        raise NotFoundError("no such exchange")
    if found.reason == "expired":
        raise GoneError("this exchange has expired: open the claim page again for a new one")
    if found.reason == "used":
        raise ConflictError("this exchange has been used already")
    return found.offer


def presentation_request(session: Session, urls: Urls, token: str, now: datetime) -> dict[str, Any]:
    """The answer to the empty first POST: a request for DID Authentication."""
    offer = _usable(session, token, now)
    endpoint = urls.vcapi_exchange(token)
    return {
        "verifiablePresentationRequest": {
            "query": [DID_AUTHENTICATION],
            "challenge": offer.challenge,
            "domain": urls.domain,
            # Older wallets post the presentation to this endpoint; keep it the same URL.
            "interact": {
                "service": [
                    {"type": "UnmediatedHttpPresentationService2021", "serviceEndpoint": endpoint}
                ]
            },
        }
    }


def interaction(session: Session, urls: Urls, token: str, now: datetime) -> dict[str, Any]:
    """The protocols an interaction URL offers (VC-API "Initiating Interactions")."""
    _usable(session, token, now)
    return {"protocols": {"vcapi": urls.vcapi_exchange(token)}}


def exchange(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    token: str,
    message: Any,
    now: datetime,
) -> dict[str, Any]:
    """Answer one POST to an exchange: ``{}`` starts it, a presentation completes it.

    Raises:
        BadPresentationError: the presentation is malformed or does not authenticate.
        NotFoundError / GoneError / ConflictError: no such, an expired, or a used exchange.
    """
    if not isinstance(message, dict):
        raise BadPresentationError("the message is not a JSON object", reason="malformed")
    legacy = "verifiablePresentation" not in message and "proof" in message
    if not legacy and "verifiablePresentation" not in message:
        # VC-API: "To initiate an exchange ... the JSON object is empty"; other members
        # (a referenceId) are not ours to act on.
        return presentation_request(session, urls, token, now)
    presentation = message if legacy else message["verifiablePresentation"]
    found = offers.find_offer(session, token, PROTOCOL, now)
    offer = found.offer
    if offer is None:
        raise NotFoundError("no such exchange")
    if found.reason == "expired":
        raise GoneError("this exchange has expired: open the claim page again for a new one")
    try:
        holder = presentations.authenticate(
            presentation, challenge=offer.challenge, domain=None if legacy else urls.domain
        )
    except PresentationError as error:
        raise BadPresentationError(str(error), reason=error.reason) from None
    if found.reason == "used":
        credential = _again(session, offer, holder)
    else:
        credential = _deliver(session, keyring, urls, offer, holder, now)
    if legacy:
        return credential
    return {
        "verifiablePresentation": {
            "@context": [VCDM2_CONTEXT],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [credential],
        }
    }


def _again(session: Session, offer: WalletOffer, holder: str) -> dict[str, Any]:
    """The credential a used offer delivered, to its own holder only (a retried POST)."""
    if offer.holder_did != holder:
        raise ConflictError("this exchange has been used already")
    document = session.scalar(
        select(WalletDelivery.document).where(WalletDelivery.offer_id == offer.id)
    )
    if document is None:  # pragma: no cover - an offer is used only with its delivery
        raise ConflictError("this exchange has been used already")
    answer: dict[str, Any] = json.loads(document)
    return answer


def _deliver(
    session: Session, keyring: Keyring, urls: Urls, offer: WalletOffer, holder: str, now: datetime
) -> dict[str, Any]:
    for attempt in range(_ATTEMPTS):
        if not offers.consume_offer(session, offer.id, holder, now):
            session.rollback()
            # Another wallet (or the same one, twice at once) was first.
            raise ConflictError("this exchange has been used already")
        award = session.get(IssuedCredential, offer.credential_id)
        if award is None:  # pragma: no cover - a foreign key guarantees it
            raise NotFoundError("no such exchange")
        try:
            credential = issue_bound_credential(
                session, award, holder, PROTOCOL, now, keyring=keyring, urls=urls, offer_id=offer.id
            )
            session.commit()
        except IntegrityError:
            # A concurrent issue took the same status list position: draw again.
            session.rollback()
            if attempt == _ATTEMPTS - 1:
                raise
            continue
        except ConflictError:
            session.rollback()
            raise
        return credential
    raise AssertionError("unreachable")  # pragma: no cover
