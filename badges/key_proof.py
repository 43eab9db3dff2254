"""The OpenID4VCI ``jwt`` key proof: a wallet proving it holds the key a credential is bound to.

OpenID for Verifiable Credential Issuance 1.0, Appendix F.1 and F.4
(https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#name-jwt-proof-type),
the same in draft 13 (§7.2.1.1): the JOSE header has ``typ`` ``openid4vci-proof+jwt``, an
asymmetric ``alg`` and exactly one of ``kid`` (a DID URL) or ``jwk``; the payload has ``aud``
(the Credential Issuer Identifier), ``iat`` and the server's ``nonce``.

:func:`verify_key_proof` checks everything but the nonce, which only the issuer's store can
judge; it returns the nonce and the holder's DID (``did:key`` or ``did:jwk``; a bare ``jwk``
becomes a ``did:jwk``) for the credential's ``credentialSubject.id``. A wallet that sends a
bare key has no DID of its own, and JSON member order differs between JOSE libraries, so that
``did:jwk`` is made one way for every wallet: the members RFC 7638 §3.2 requires, in
lexicographic order (the JWK thumbprint's input).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jws import JWSRegistry

from badges._crypto import PublicKeyInfo, did_jwk_of, holder_key, key_from_jwk
from badges.errors import DocumentError
from badges.ports import JSONObject
from badges.vc_jwt import decode, import_public_jwk

__all__ = ["PROOF_ALGORITHMS", "PROOF_TYP", "KeyProof", "KeyProofError", "verify_key_proof"]

PROOF_TYP: Final = "openid4vci-proof+jwt"
PROOF_ALGORITHMS: Final = ("EdDSA", "ES256")
# A proof is a few hundred bytes; an embedded RSA key or a long did:jwk stays well under this.
MAX_PROOF_LENGTH: Final = 16 * 1024
_ALG_FOR_KEY: Final = {"Ed25519": "EdDSA", "P-256": "ES256"}


class _Registry(JWSRegistry):
    max_header_length = 8 * 1024
    max_payload_length = MAX_PROOF_LENGTH


_REGISTRY: Final = _Registry(algorithms=list(PROOF_ALGORITHMS), strict_check_header=False)


class KeyProofError(DocumentError):
    """A key proof that is malformed or does not prove what it must."""


@dataclass(frozen=True)
class KeyProof:
    """What a verified key proof shows: the holder's DID and the nonce it signed."""

    holder: str
    nonce: str | None
    issued_at: int


def _holder_key(header: JSONObject) -> tuple[str, PublicKeyInfo]:
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None) or "x5c" in header:
        raise KeyProofError("the proof's header must name its key by exactly one of kid or jwk")
    try:
        if isinstance(kid, str):
            return holder_key(kid)
        if isinstance(jwk, dict):
            if {"d", "p", "q", "dp", "dq", "qi", "k"} & jwk.keys():
                raise KeyProofError("the proof's jwk must be a public key")
            public = key_from_jwk(jwk)
            return did_jwk_of(public), public
    except KeyProofError:
        raise
    except DocumentError as error:
        raise KeyProofError(f"the proof's key cannot be read: {error}") from None
    raise KeyProofError("the proof's kid must be a string and its jwk an object")


def verify_key_proof(
    token: object,
    *,
    audience: str,
    now: datetime,
    max_age: timedelta = timedelta(minutes=5),
    skew: timedelta = timedelta(seconds=60),
) -> KeyProof:
    """Check a ``jwt`` key proof's header, signature, ``aud`` and ``iat``.

    Args:
        token: the compact JWS as the wallet sent it.
        audience: the Credential Issuer Identifier ``aud`` must equal, character for character.
        now: the time ``iat`` is judged against.
        max_age: how old a proof may be; ``skew``: how far in the future ``iat`` may be.

    Raises:
        KeyProofError: anything that makes the proof unacceptable; the message says what.
    """
    if not isinstance(token, str) or len(token) > MAX_PROOF_LENGTH:
        raise KeyProofError("the proof must be a compact JWS of at most 16 KiB")
    try:
        decoded = decode(token)
    except DocumentError as error:
        raise KeyProofError(str(error)) from None
    header, payload = decoded.header, decoded.payload
    if header.get("typ") != PROOF_TYP:
        raise KeyProofError(f"the proof's typ must be {PROOF_TYP!r}")
    alg = header.get("alg")
    if alg not in PROOF_ALGORITHMS:
        raise KeyProofError(f"the proof's alg must be one of {', '.join(PROOF_ALGORITHMS)}")
    holder, public = _holder_key(header)
    if _ALG_FOR_KEY.get(public.kind) != alg:
        raise KeyProofError(f"the proof's key cannot sign with {alg}")
    try:
        key = import_public_jwk(public.jwk(), str(alg))
        with warnings.catch_warnings():
            # RFC 9864 deprecates the name "EdDSA", but it is what wallets send.
            warnings.simplefilter("ignore", SecurityWarning)
            jws.deserialize_compact(token, key, algorithms=[str(alg)], registry=_REGISTRY)
    except (JoseError, ValueError, DocumentError):
        raise KeyProofError("the proof's signature does not verify with its key") from None
    aud = payload.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise KeyProofError("the proof's aud is not this Credential Issuer")
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise KeyProofError("the proof's iat must be a number")
    moment = now.timestamp()
    if iat > moment + skew.total_seconds() or iat < moment - max_age.total_seconds():
        raise KeyProofError("the proof's iat is too old or in the future")
    nonce = payload.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise KeyProofError("the proof's nonce must be a string")
    return KeyProof(holder, nonce, int(iat))
