"""The key of a VC-JWT, and whether the issuer publishes it (OB 3.0 impl guide, Key provenance).

The header names the key by ``kid`` (a DID URL, or an HTTPS URL of a JWK or JWK Set) or embeds
it as ``jwk``. Either way the key counts as the issuer's only when the issuer publishes it: in
its DID document for ``assertionMethod``, or in the JWK Set at
``https://<issuer host>/.well-known/jwks.json``. Keys are compared by their RFC 7638 thumbprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from badges import resolution
from badges._crypto import PublicKeyInfo, key_from_jwk
from badges.errors import DocumentError, FetchError
from badges.ports import JSONObject
from badges.report import Check
from badges.verification.proofs import OWNERSHIP, issuer_id, issuer_name, owned
from badges.verification.session import Session


@dataclass(frozen=True)
class JWTKey:
    key: PublicKeyInfo | None
    ownership: Check
    problem: str | None = None  # why no key was found


def _owner_check(key: PublicKeyInfo, document: JSONObject, session: Session) -> Check:
    """Whether the issuer publishes ``key`` (DID document or the host's JWK Set)."""
    issuer = issuer_id(document)
    if issuer is None:
        return Check(id=OWNERSHIP, status="failed", message="The credential names no issuer id.")
    try:
        if issuer.startswith("did:"):
            controller = resolution.load_controller_document(
                issuer + "#", session, session.config.resolver
            )
            for method in controller.keys_for("assertionMethod"):
                if method.key.thumbprint == key.thumbprint:
                    return owned(
                        issuer,
                        f"The issuer's DID document lists the key as {method.id}.",
                        issuer_name(document),
                    )
            return Check(
                id=OWNERSHIP,
                status="failed",
                message=f"The DID document of {issuer} does not list the JWT's key for "
                "assertionMethod.",
            )
        parts = urlsplit(issuer)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            return Check(
                id=OWNERSHIP,
                status="failed",
                message=f"The issuer id {issuer} is neither a DID nor a URL, so nothing "
                "publishes its keys.",
            )
        jwks_url = f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"
        published = resolution.JWKSet.parse(session.get_json(jwks_url), url=jwks_url)
    except FetchError as error:
        return Check(
            id=OWNERSHIP,
            status="indeterminate",
            message=f"Could not fetch the issuer's keys to confirm the JWT's key: {error}",
        )
    except (DocumentError, ValueError) as error:
        return Check(id=OWNERSHIP, status="failed", message=f"{error}.")
    if published.has(key):
        return Check(
            id=OWNERSHIP,
            status="passed",
            message=f"The issuer's JWK Set at {jwks_url} lists the key.",
        )
    return Check(
        id=OWNERSHIP, status="failed", message=f"The issuer's JWK Set at {jwks_url} lacks the key."
    )


def look_up(header: JSONObject, document: JSONObject, session: Session) -> JWTKey:
    """Find the JWT's public key and judge who publishes it."""
    issuer = issuer_id(document)
    kid = header.get("kid")
    try:
        if "jwk" in header:
            key = key_from_jwk(header["jwk"])
            return JWTKey(key, _owner_check(key, document, session))
        if not isinstance(kid, str):
            raise DocumentError("the JWT header names no key: neither 'kid' nor 'jwk'")
        if kid.startswith("did:"):
            method = resolution.resolve(kid, session, session.config.resolver)
            if (
                issuer is not None
                and method.controller == issuer
                and ("assertionMethod" in method.relationships)
            ):
                ownership = owned(
                    issuer,
                    f"The issuer {issuer} lists {kid} for assertionMethod.",
                    issuer_name(document),
                )
            else:
                ownership = _owner_check(method.key, document, session)
            return JWTKey(method.key, ownership)
        if not kid.startswith(("https://", "http://")):
            return JWTKey(
                None,
                Check(id=OWNERSHIP, status="skipped", message="needs proof.signature"),
                f"the key id {kid!r} is neither a DID URL nor an HTTPS URL",
            )
        url = resolution.strip_fragment(kid)
        found = resolution.JWKSet.parse(session.get_json(url), url=url).by_kid(kid)
    except FetchError as error:
        message = f"Could not fetch the key {kid}: {error}"
        return JWTKey(None, Check(id=OWNERSHIP, status="indeterminate", message=message), message)
    except DocumentError as error:
        return JWTKey(None, Check(id=OWNERSHIP, status="failed", message=f"{error}."), str(error))
    if found is None:
        message = f"{kid} does not serve a JWK with that key id"
        return JWTKey(None, Check(id=OWNERSHIP, status="failed", message=message), message)
    return JWTKey(found, _owner_check(found, document, session))
