"""The key of a VC-JWT, and whether the issuer publishes it (OB 3.0 impl guide, Key provenance).

The header names the key by ``kid`` (a DID URL, or an HTTPS URL of a JWK or JWK Set) or embeds
it as ``jwk``. Either way the key counts as the issuer's only when the issuer publishes it: in
its DID document for ``assertionMethod``, or in the JWK Set at
``https://<issuer host>/.well-known/jwks.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import thumbprint

from badges import resolution
from badges.errors import DocumentError, FetchError
from badges.ports import JSONObject
from badges.report import Check
from badges.verification.proofs import OWNERSHIP
from badges.verification.session import Session


@dataclass(frozen=True)
class JWTKey:
    jwk: JSONObject | None
    ownership: Check
    problem: str | None = None  # why no key was found


def _thumbprint(jwk: JSONObject) -> str | None:
    try:
        return thumbprint(dict(jwk))
    except (JoseError, KeyError, ValueError, TypeError):
        return None


def _from_set(document: JSONObject, kid: str) -> JSONObject | None:
    """A JWK document itself, or the member of a JWK Set whose ``kid`` matches."""
    if "kty" in document:
        return document
    keys = document.get("keys")
    if not isinstance(keys, list):
        return None
    fragment = kid.partition("#")[2]
    for key in keys:
        if isinstance(key, dict) and key.get("kid") in (kid, fragment):
            return key
    return None


def _owner_check(jwk: JSONObject, issuer: str | None, session: Session) -> Check:
    """Whether the issuer publishes ``jwk`` (DID document or the host's JWK Set)."""
    if issuer is None:
        return Check(id=OWNERSHIP, status="failed", message="The credential names no issuer id.")
    wanted = _thumbprint(jwk)
    try:
        if issuer.startswith("did:"):
            document = resolution.load_controller_document(
                issuer + "#", session, session.config.resolver
            )
            assertion = resolution.RELATIONSHIPS[0]
            for method_ref in document.get(assertion, []):
                method_id = method_ref if isinstance(method_ref, str) else method_ref.get("id", "")
                method_id = issuer + method_id if method_id.startswith("#") else method_id
                try:
                    method = resolution.find_method(document, method_id)
                except DocumentError:
                    continue
                if method.jwk is not None and _thumbprint(method.jwk) == wanted:
                    return Check(
                        id=OWNERSHIP,
                        status="passed",
                        message=f"The issuer's DID document lists the key as {method_id}.",
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
        keys = session.get_json(jwks_url).get("keys")
    except FetchError as error:
        return Check(
            id=OWNERSHIP,
            status="indeterminate",
            message=f"Could not fetch the issuer's keys to confirm the JWT's key: {error}",
        )
    except DocumentError as error:
        return Check(id=OWNERSHIP, status="failed", message=f"{error}.")
    if isinstance(keys, list) and any(
        isinstance(k, dict) and _thumbprint(k) == wanted for k in keys
    ):
        return Check(
            id=OWNERSHIP,
            status="passed",
            message=f"The issuer's JWK Set at {jwks_url} lists the key.",
        )
    return Check(
        id=OWNERSHIP, status="failed", message=f"The issuer's JWK Set at {jwks_url} lacks the key."
    )


def look_up(header: JSONObject, issuer: str | None, session: Session) -> JWTKey:
    """Find the JWT's public key and judge who publishes it."""
    embedded = header.get("jwk")
    if isinstance(embedded, dict):
        return JWTKey(embedded, _owner_check(embedded, issuer, session))
    kid = header.get("kid")
    assert isinstance(kid, str)  # noqa: S101 - vc_jwt.check_header guarantees kid or jwk
    try:
        if kid.startswith("did:"):
            method = resolution.resolve(kid, session, session.config.resolver)
            if method.jwk is None:
                raise DocumentError(f"{kid} has no key usable for a JWT")
            if (
                issuer is not None
                and method.controller == issuer
                and ("assertionMethod" in method.relationships)
            ):
                ownership = Check(
                    id=OWNERSHIP,
                    status="passed",
                    message=f"The issuer {issuer} lists {kid} for assertionMethod.",
                )
            else:
                ownership = _owner_check(method.jwk, issuer, session)
            return JWTKey(method.jwk, ownership)
        if not kid.startswith(("https://", "http://")):
            return JWTKey(
                None,
                Check(id=OWNERSHIP, status="skipped", message="needs proof.signature"),
                f"the key id {kid!r} is neither a DID URL nor an HTTPS URL",
            )
        jwk = _from_set(session.get_json(resolution.strip_fragment(kid)), kid)
    except FetchError as error:
        message = f"Could not fetch the key {kid}: {error}"
        return JWTKey(None, Check(id=OWNERSHIP, status="indeterminate", message=message), message)
    except DocumentError as error:
        return JWTKey(None, Check(id=OWNERSHIP, status="failed", message=f"{error}."), str(error))
    if jwk is None:
        message = f"{kid} does not serve a JWK with that key id"
        return JWTKey(None, Check(id=OWNERSHIP, status="failed", message=message), message)
    return JWTKey(jwk, _owner_check(jwk, issuer, session))
