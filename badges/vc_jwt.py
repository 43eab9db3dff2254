"""VC-JWT: the OB 3.0 "JSON Web Token Proof Format" (OB 3.0 §8.2).

The payload is the credential itself plus the registered claims ``iss`` (issuer id), ``jti``
(credential id), ``sub`` (subject id), ``nbf`` (``validFrom``) and ``exp`` (``validUntil``). Signing
serialises the compact JWS around the caller's :class:`Signer`; verification uses joserfc.
Verification also accepts ``typ: vc+jwt`` (W3C VC-JOSE-COSE) and the VCDM 1.1 ``vc`` claim.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import ECKey, OKPKey, RSAKey, import_key
from joserfc.jws import JWSRegistry

from badges._crypto import decode_b64url, encode_b64url, key_from_jwk
from badges.errors import DocumentError, SigningError
from badges.ports import JSONObject, Signer

ALGORITHMS = ("RS256", "ES256", "EdDSA")
# Which JWK key type (and curve) each accepted algorithm requires.
_KEY_FOR_ALGORITHM = {"RS256": ("RSA", None), "ES256": ("EC", "P-256"), "EdDSA": ("OKP", "Ed25519")}
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
MAX_TOKEN_LENGTH = 2 * 1024 * 1024


class _Registry(JWSRegistry):
    # A header that embeds an RSA `jwk` is larger than joserfc's 512-byte default
    # (1EdTech's own baked sample is one); the token as a whole stays bounded.
    max_header_length = 8 * 1024
    max_payload_length = MAX_TOKEN_LENGTH


_REGISTRY = _Registry(algorithms=list(ALGORITHMS), strict_check_header=False)
VCDM1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


def _b64url_encode(data: bytes) -> str:
    return encode_b64url(data)


def _b64url_decode(part: str, what: str) -> bytes:
    return decode_b64url(part, f"the JWT {what}")


def _numeric_date(value: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError, AttributeError):
        raise DocumentError(f"{name} is not a date-time") from None
    if moment.tzinfo is None:
        raise DocumentError(f"{name} has no time zone")
    return int(moment.timestamp())


def _issuer_id(credential: JSONObject) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _subject_id(credential: JSONObject) -> str | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        return str(subject["id"])
    return None


def claims_for(credential: JSONObject) -> JSONObject:
    """The registered claims OB 3.0 §8.2.4 derives from a credential."""
    claims: JSONObject = {}
    issuer_id = _issuer_id(credential)
    if issuer_id is None:
        raise DocumentError("the credential has no issuer id")
    claims["iss"] = issuer_id
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    # Credentials for an e-mail recipient identify them by a hashed identifier, not an id:
    # then there is no subject id to put in `sub`.
    subject_id = _subject_id(credential)
    if subject_id is not None:
        claims["sub"] = subject_id
    claims["nbf"] = _numeric_date(credential.get("validFrom", ""), "validFrom")
    if credential.get("validUntil") is not None:
        claims["exp"] = _numeric_date(credential["validUntil"], "validUntil")
    return claims


def sign(credential: JSONObject, signer: Signer) -> str:
    """Return the compact JWS of ``credential`` (header ``alg``, ``kid``, ``typ: JWT``).

    Raises:
        DocumentError: the credential lacks what the claims need.
        SigningError: the signer's algorithm is not one of RS256, ES256, EdDSA.
    """
    if signer.algorithm not in ALGORITHMS:
        raise SigningError(f"VC-JWT is signed with {', '.join(ALGORITHMS)}, not {signer.algorithm}")
    header = {"alg": signer.algorithm, "kid": signer.key_id, "typ": "JWT"}
    payload = {**credential, **claims_for(credential)}
    signing_input = (
        _b64url_encode(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64url_encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    )
    signature = signer.sign(signing_input.encode("ascii"))
    return signing_input + "." + _b64url_encode(signature)


@dataclass(frozen=True)
class DecodedJWT:
    """A compact JWS split and decoded, not yet verified."""

    header: JSONObject
    payload: JSONObject
    token: str

    @cached_property
    def credential(self) -> JSONObject:
        """The credential the token carries (rebuilt from the claims for a VCDM 1.1 ``vc``)."""
        vc = self.payload.get("vc")
        if not isinstance(vc, dict):
            return {k: v for k, v in self.payload.items() if k not in _JWT_ONLY_CLAIMS}
        credential = dict(vc)
        # VCDM 1.1 §6.3.1: the claims stand for the credential members they mirror.
        if "iss" in self.payload and "issuer" not in credential:
            credential["issuer"] = self.payload["iss"]
        if "jti" in self.payload and "id" not in credential:
            credential["id"] = self.payload["jti"]
        subject = credential.get("credentialSubject")
        if isinstance(subject, dict) and "sub" in self.payload and "id" not in subject:
            credential["credentialSubject"] = {**subject, "id": self.payload["sub"]}
        for claim, member in (("nbf", "issuanceDate"), ("exp", "expirationDate")):
            if isinstance(self.payload.get(claim), int) and member not in credential:
                moment = datetime.fromtimestamp(self.payload[claim], UTC)
                credential[member] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return credential


# Claims that belong to the JWT, not to the credential (stripped before JSON-LD processing:
# `jti` is not defined by the credentials contexts).
_JWT_ONLY_CLAIMS = frozenset({"iss", "jti", "sub", "nbf", "exp", "iat", "aud"})


def looks_like_jws(text: str) -> bool:
    """Whether ``text`` has the shape of a compact JWS (three base64url parts)."""
    parts = text.strip().split(".")
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return len(parts) == 3 and all(set(part) <= alphabet for part in parts) and bool(parts[0])


def decode(token: str) -> DecodedJWT:
    """Split and decode a compact JWS without checking the signature.

    Raises:
        DocumentError: not a compact JWS with JSON header and payload.
    """
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        raise DocumentError("the JWT is too large")
    if not looks_like_jws(token):
        raise DocumentError("not a compact JWS (three base64url parts separated by dots)")
    header_part, payload_part, _ = token.split(".")
    try:
        header = json.loads(_b64url_decode(header_part, "header"))
        payload = json.loads(_b64url_decode(payload_part, "payload"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DocumentError("the JWT header or payload is not JSON") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise DocumentError("the JWT header and payload must be JSON objects")
    return DecodedJWT(header, payload, token)


def check_header(header: JSONObject) -> str:
    """Return the algorithm if the header is acceptable.

    Raises:
        DocumentError: ``alg`` none, HMAC, or unknown; a ``typ`` other than JWT / vc+jwt; an
            embedded ``jwk`` with private members; neither ``kid`` nor ``jwk``.
    """
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise DocumentError(f"JWT algorithm {alg!r} is not accepted (use {', '.join(ALGORITHMS)})")
    typ = header.get("typ")
    if typ is not None and typ not in ("JWT", "vc+jwt"):
        raise DocumentError(f"JWT typ {typ!r} is neither 'JWT' nor 'vc+jwt'")
    jwk = header.get("jwk")
    if jwk is not None and (not isinstance(jwk, dict) or _PRIVATE_MEMBERS & jwk.keys()):
        raise DocumentError("the embedded jwk must be a public key")
    if jwk is None and not isinstance(header.get("kid"), str):
        raise DocumentError("the JWT header names no key: neither 'kid' nor 'jwk'")
    return str(alg)


def import_public_jwk(jwk: JSONObject, alg: str) -> RSAKey | ECKey | OKPKey:
    """Import a public JWK for ``alg``, refusing keys of the wrong type.

    Raises:
        DocumentError: malformed, private, of another type than ``alg`` needs, or RSA < 2048 bits.
    """
    if _PRIVATE_MEMBERS & jwk.keys():
        raise DocumentError("the key must be a public JWK")
    key_from_jwk(jwk)  # read as strictly as our own keys are, by the same decoder
    kty, crv = _KEY_FOR_ALGORITHM[alg]
    if jwk.get("kty") != kty or (crv is not None and jwk.get("crv") != crv):
        raise DocumentError(f"{alg} needs a {kty} {crv or ''} key; the JWT's key is another type")
    try:
        key = import_key(dict(jwk))
    except (JoseError, ValueError, TypeError):
        raise DocumentError("the JWK is malformed") from None
    if isinstance(key, RSAKey) and key.raw_value.key_size < 2048:
        raise DocumentError("RSA keys shorter than 2048 bits are refused")
    if not isinstance(key, RSAKey | ECKey | OKPKey):
        raise DocumentError("the JWK is not an asymmetric public key")
    return key


def verify_signature(token: str | DecodedJWT, jwk: JSONObject) -> bool:
    """Check the JWS signature with a public JWK (the algorithm must fit the key).

    Args:
        token: the compact JWS, or the token already decoded (not decoded again).
        jwk: the public key.

    Raises:
        DocumentError: the header or key is unacceptable.
    """
    decoded = token if isinstance(token, DecodedJWT) else decode(token)
    alg = check_header(decoded.header)
    key = import_public_jwk(jwk, alg)
    try:
        with warnings.catch_warnings():
            # RFC 9864 deprecates the name "EdDSA", but it is what VC-JWT issuers use.
            warnings.simplefilter("ignore", SecurityWarning)
            jws.deserialize_compact(decoded.token, key, algorithms=[alg], registry=_REGISTRY)
    except (JoseError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class ClaimFinding:
    """One disagreement between the JWT claims and the credential."""

    severity: str  # "error" or "warning"
    message: str


@dataclass(frozen=True)
class ClaimsCheck:
    findings: list[ClaimFinding] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [f.message for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[str]:
        return [f.message for f in self.findings if f.severity == "warning"]


def check_claims(decoded: DecodedJWT) -> ClaimsCheck:
    """Compare the registered claims with the credential they wrap (OB 3.0 §8.2.5 step 5)."""
    payload, credential = decoded.payload, decoded.credential
    findings: list[ClaimFinding] = []

    def error(message: str) -> None:
        findings.append(ClaimFinding("error", message))

    issuer_id = _issuer_id(credential)
    if "iss" in payload and payload["iss"] != issuer_id:
        error(f"iss {payload['iss']!r} differs from the issuer id {issuer_id!r}")
    if "jti" in payload and credential.get("id") is not None and payload["jti"] != credential["id"]:
        error(f"jti {payload['jti']!r} differs from the credential id {credential['id']!r}")
    subject_id = _subject_id(credential)
    if "sub" in payload:
        if payload["sub"] != subject_id:
            error(f"sub {payload['sub']!r} differs from credentialSubject.id {subject_id!r}")
    elif subject_id is not None:
        aud = payload.get("aud")
        if aud != subject_id:
            findings.append(ClaimFinding("warning", "the JWT has no sub claim"))
    start = credential.get("validFrom", credential.get("issuanceDate"))
    for claim, value, name in (
        ("nbf", start, "validFrom"),
        ("exp", credential.get("validUntil", credential.get("expirationDate")), "validUntil"),
    ):
        if claim not in payload:
            if claim == "exp" and value is not None:
                error("validUntil is set but the JWT has no exp claim")
            continue
        if not isinstance(payload[claim], int | float) or isinstance(payload[claim], bool):
            error(f"{claim} must be a NumericDate")
            continue
        if value is None:
            if claim == "exp":
                error("the JWT has an exp claim but the credential no validUntil")
            continue
        try:
            expected = _numeric_date(value, name)
        except DocumentError as problem:
            error(str(problem))
            continue
        if int(payload[claim]) != expected:
            error(f"{claim} does not match {name}")
    return ClaimsCheck(findings)
