"""Public JWKs and JWK Sets for JWT verifiers (RFC 7517; OB 3.0 impl guide "Key provenance").

Issuers publish their JWK Set at ``https://<authority of issuer.id>/.well-known/jwks.json``
(media type ``application/jwk-set+json``); a JWT's ``kid`` must name one of its members. Every
member here carries ``kid``, ``use: sig`` and ``alg``, and never a private member.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from keys._public import JWK_ALGORITHMS, PublicKey
from keys.errors import KeysError


def jwk(public: PublicKey, *, kid: str | None = None, alg: str | None = None) -> dict[str, str]:
    """Return the public JWK of ``public`` with ``kid``, ``use`` and ``alg``.

    Args:
        public: The public key.
        kid: The key id; defaults to the RFC 7638 thumbprint.
        alg: The JOSE algorithm; defaults to the key's (``EdDSA``, ``ES256``, ``RS256``).

    Returns:
        The JWK as a JSON object.

    Raises:
        KeysError: an empty ``kid``, or an ``alg`` that does not fit the key.
    """
    if kid is not None and (not isinstance(kid, str) or not kid):
        raise KeysError("a JWK 'kid' must be a non-empty string")
    algorithm = alg if alg is not None else public.algorithm
    if algorithm not in JWK_ALGORITHMS[public.algorithm]:
        raise KeysError(f"alg {algorithm!r} does not fit a {public.key_type} key")
    return {
        **public.jwk(),
        "kid": kid if kid is not None else public.thumbprint(),
        "use": "sig",
        "alg": algorithm,
    }


def jwks(keys: Iterable[PublicKey | Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Return a JWK Set: ``{"keys": [...]}``.

    Args:
        keys: Public keys (given the default ``kid`` and ``alg`` of :func:`jwk`), or JWKs
            already built with :func:`jwk` to choose the ``kid``. Active and retired keys both
            belong here, so that JWTs signed before a rotation keep verifying.

    Returns:
        The JWK Set as a JSON object.

    Raises:
        KeyFormatError: a given JWK is malformed or holds private members.
        KeysError: a given JWK has no ``kid``, or two members share a ``kid``.
    """
    members: list[dict[str, Any]] = []
    seen: set[str] = set()
    for key in keys:
        if isinstance(key, PublicKey):
            member: dict[str, Any] = jwk(key)
        else:
            # Parsing rejects private members and malformed values before anything is copied.
            PublicKey.from_jwk(key)
            member = dict(key)
        kid = member.get("kid")
        if not isinstance(kid, str) or not kid:
            raise KeysError("every JWK in a JWK Set needs a 'kid'")
        if kid in seen:
            raise KeysError(f"two JWKs share the kid {kid!r}")
        seen.add(kid)
        members.append(member)
    return {"keys": members}
