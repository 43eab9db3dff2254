"""DIDs for issuers: ``did:key`` and ``did:web`` identifiers and the DID documents we publish.

An issuer's DID document lists each key in the form its verifiers look for:

- Ed25519 keys, which sign Data Integrity proofs, are ``Multikey`` methods with
  ``publicKeyMultibase`` (https://www.w3.org/TR/vc-di-eddsa/#multikey).
- JWT keys (P-256 for ES256, RSA for RS256) are ``JsonWebKey`` methods with ``publicKeyJwk``
  (https://www.w3.org/TR/cid-1.0/#JsonWebKey), because OB 3.0 has a VC-JWT ``kid`` dereference
  to a JWK (https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof) and VC-JOSE-COSE finds it the
  same way (https://www.w3.org/TR/vc-jose-cose/#using-controlled-identifier-documents).
  The JWK carries the method's id as ``kid`` and its ``alg``, as in the issuer's JWK Set.

The document's ``@context`` names the DID context and the two contexts that define these
types (``https://w3id.org/security/multikey/v1`` and ``https://w3id.org/security/jwk/v1``), so
that a JSON-LD consumer expands every method instead of dropping the ones it cannot name.
``badges`` ships all three for offline JSON-LD.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import unquote

from keys._codec import b64url_decode, b64url_encode
from keys._public import PublicKey
from keys.errors import KeyFormatError, KeysError
from keys.jwks import jwk

KeyStatus = Literal["active", "retired"]

DID_CONTEXT: Final = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT: Final = "https://w3id.org/security/multikey/v1"
JWK_CONTEXT: Final = "https://w3id.org/security/jwk/v1"

_DID_KEY_PREFIX: Final = "did:key:"
_DID_JWK_PREFIX: Final = "did:jwk:"
# A holder's did:jwk names one public JWK; a few kilobytes covers an RSA-4096 key.
_MAX_DID_JWK_LENGTH: Final = 4096
_DID_WEB_PREFIX: Final = "did:web:"
_MULTIKEY_TYPES: Final = frozenset({"Ed25519", "P-256"})
# In an issuer's DID document only Data Integrity keys are Multikeys; JWT keys are JWKs.
_DATA_INTEGRITY_TYPES: Final = frozenset({"Ed25519"})
# DID Core §3.1: method-specific-id = *( *idchar ":" ) 1*idchar; idchar = ALPHA / DIGIT /
# "." / "-" / "_" / pct-encoded.
_IDCHARS: Final = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID: Final = re.compile(rf"did:[a-z0-9]+:(?:{_IDCHARS}*:)*{_IDCHARS}+")
_SEGMENT: Final = re.compile(rf"{_IDCHARS}+")
# RFC 3986 §3.5 fragment = *( pchar / "/" / "?" ).
_FRAGMENT: Final = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})+")
# Lower-case DNS names (and dotted IPv4): labels of letters, digits and inner hyphens.
_LABEL: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_WEB_AUTHORITY: Final = re.compile(r"(?P<host>[^%]+)(?:%3[Aa](?P<port>[0-9]{1,5}))?")
_UNENCODED: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def did_key(public: PublicKey) -> str:
    """Return the ``did:key`` of an Ed25519 or P-256 key: ``did:key:`` + its Multikey.

    Raises:
        KeysError: an RSA key (``did:key`` is used here for Multikey types only).
    """
    if public.key_type not in _MULTIKEY_TYPES:
        raise KeysError(f"did:key is supported for Ed25519 and P-256 keys, not {public.key_type}")
    return _DID_KEY_PREFIX + public.multikey()


def public_key_from_did_key(did_url: str) -> PublicKey:
    """Decode the key of a ``did:key`` DID, or of its one verification method URL.

    Args:
        did_url: ``did:key:<mb>`` or ``did:key:<mb>#<mb>``.

    Returns:
        The public key.

    Raises:
        KeyFormatError: not a ``did:key``, a fragment other than the key itself, or a
            malformed Multikey.
    """
    if not isinstance(did_url, str) or not did_url.startswith(_DID_KEY_PREFIX):
        raise KeyFormatError("not a did:key DID (it must start with 'did:key:')")
    value, sep, fragment = did_url[len(_DID_KEY_PREFIX) :].partition("#")
    if sep and fragment != value:
        raise KeyFormatError("a did:key verification method's fragment must repeat the key")
    public = PublicKey.from_multikey(value)
    if public.multikey() != value:
        raise KeyFormatError("the did:key Multikey is not in its canonical form")
    return public


def did_jwk(public: PublicKey) -> str:
    """Return the ``did:jwk`` of a public key: ``did:jwk:`` + base64url of its JWK's JSON
    (https://github.com/quartzjer/did-jwk/blob/main/spec.md#create), with only the members
    RFC 7638 §3.2 requires, in lexicographic order."""
    required = {
        "OKP": ("crv", "kty", "x"),
        "EC": ("crv", "kty", "x", "y"),
        "RSA": ("e", "kty", "n"),
    }
    full = jwk(public)
    text = json.dumps({k: full[k] for k in required[full["kty"]]}, separators=(",", ":"))
    return _DID_JWK_PREFIX + b64url_encode(text.encode())


def public_key_from_did_jwk(did_url: str) -> PublicKey:
    """Decode the key of a ``did:jwk`` DID, or of its one verification method ``#0``
    (https://github.com/quartzjer/did-jwk/blob/main/spec.md#read).

    Raises:
        KeyFormatError: not a ``did:jwk``, another fragment, or not a public JWK we read.
    """
    if not isinstance(did_url, str) or not did_url.startswith(_DID_JWK_PREFIX):
        raise KeyFormatError("not a did:jwk DID (it must start with 'did:jwk:')")
    if len(did_url) > _MAX_DID_JWK_LENGTH:
        raise KeyFormatError("the did:jwk is too long")
    value, sep, fragment = did_url[len(_DID_JWK_PREFIX) :].partition("#")
    if sep and fragment != "0":
        raise KeyFormatError("a did:jwk verification method's fragment must be '0'")
    try:
        member = json.loads(b64url_decode(value, "the did:jwk"))
    except (UnicodeDecodeError, ValueError):
        raise KeyFormatError("the did:jwk does not encode a JSON JWK") from None
    if not isinstance(member, dict):
        raise KeyFormatError("the did:jwk does not encode a JSON object")
    if {"d", "p", "q", "dp", "dq", "qi", "k"} & member.keys():
        raise KeyFormatError("a did:jwk must encode a public key")
    return PublicKey.from_jwk(member)


def did_key_document(did: str) -> dict[str, Any]:
    """Build the DID document of a ``did:key`` (did:key method, "Document Creation").

    The one verification method ``did:key:<mb>#<mb>`` is a ``Multikey`` and is listed under
    ``authentication``, ``assertionMethod``, ``capabilityInvocation`` and
    ``capabilityDelegation``.

    Args:
        did: ``did:key:<mb>`` with no fragment.

    Returns:
        The DID document as a JSON object.

    Raises:
        KeyFormatError: not a ``did:key`` DID, or a malformed Multikey.
    """
    if "#" in did:
        raise KeyFormatError("expected a did:key DID without a fragment")
    public = public_key_from_did_key(did)
    multibase = public.multikey()
    vm_id = f"{did}#{multibase}"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [_multikey_method(vm_id, did, public)],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }


def _encode_segment(segment: str) -> str:
    # Only DID idchars stay as they are; everything else (including "~", which URL quoting
    # would keep) is percent-encoded as UTF-8 with upper-case hex.
    return "".join(
        chr(byte) if byte in _UNENCODED else f"%{byte:02X}" for byte in segment.encode("utf-8")
    )


def did_web(host: str, port: int | None = None, path: Sequence[str] = ()) -> str:
    """Return the ``did:web`` DID of a host, optional port and optional path.

    ``did_web("127.0.0.1", 8000, ["issuers", "demo"])`` is
    ``did:web:127.0.0.1%3A8000:issuers:demo`` (did:web method, "Method-specific identifier").

    Args:
        host: A DNS name or IPv4 address (IDNs in their ``xn--`` form); lower-cased.
        port: A TCP port, or ``None`` for the HTTPS default.
        path: Path segments; each is percent-encoded to DID idchars.

    Returns:
        The DID.

    Raises:
        KeyFormatError: an invalid host or port, an empty, ``.`` or ``..`` segment, or
            ``path`` given as one string instead of a sequence of segments.
    """
    host = host.lower() if isinstance(host, str) else ""
    if len(host) > 253 or not _HOST.fullmatch(host):
        raise KeyFormatError(
            "did:web host must be a DNS name or IPv4 address (IDNs in xn-- form), with no "
            "scheme, port or path"
        )
    if port is not None and (isinstance(port, bool) or not 1 <= port <= 65535):
        raise KeyFormatError("did:web port must be between 1 and 65535")
    if isinstance(path, str):
        raise KeyFormatError("did:web path must be a sequence of segments, not one string")
    if any(not isinstance(s, str) or s in ("", ".", "..") for s in path):
        raise KeyFormatError("did:web path segments must be non-empty strings other than . and ..")
    authority = host if port is None else f"{host}%3A{port}"
    return ":".join([_DID_WEB_PREFIX + authority, *(_encode_segment(s) for s in path)])


def did_web_url(did: str, *, http_hosts: Collection[str] = ()) -> str:
    """Return the URL of a ``did:web`` DID's document (did:web method, "Read (Resolve)").

    No path gives ``https://<host>[:<port>]/.well-known/did.json``; a path gives
    ``https://<host>[:<port>]/<segment>/…/did.json``. A fragment (a verification method URL)
    is ignored.

    Args:
        did: A ``did:web`` DID or DID URL with a fragment.
        http_hosts: Hosts (without port) to reach over plain ``http``, e.g. ``localhost`` in
            development. Every other host uses ``https``, as the method requires.

    Returns:
        The document URL.

    Raises:
        KeyFormatError: not a well-formed ``did:web`` DID, or a path segment of ``.``/``..``.
    """
    if not isinstance(did, str) or not did.startswith(_DID_WEB_PREFIX):
        raise KeyFormatError("not a did:web DID (it must start with 'did:web:')")
    bare = did.partition("#")[0]
    if not _DID.fullmatch(bare):
        raise KeyFormatError("malformed did:web DID: only DID idchars and ':' may follow")
    authority, *segments = bare[len(_DID_WEB_PREFIX) :].split(":")
    match = _WEB_AUTHORITY.fullmatch(authority)
    host = match.group("host").lower() if match else ""
    if len(host) > 253 or not _HOST.fullmatch(host):
        raise KeyFormatError("malformed did:web DID: the host is not a DNS name or IPv4 address")
    port = match.group("port") if match else None
    if port is not None and not 1 <= int(port) <= 65535:
        raise KeyFormatError("malformed did:web DID: the port must be between 1 and 65535")
    for segment in segments:
        # An encoded dot segment would climb out of the issuer's path on the web server.
        if not _SEGMENT.fullmatch(segment) or unquote(segment) in (".", ".."):
            raise KeyFormatError("malformed did:web DID: empty or dot path segment")
    scheme = "http" if host in {h.lower() for h in http_hosts} else "https"
    netloc = host if port is None else f"{host}:{int(port)}"
    path = "/".join(segments) if segments else ".well-known"
    return f"{scheme}://{netloc}/{path}/did.json"


@dataclass(frozen=True)
class PublishedKey:
    """A public key as listed in an issuer's DID document.

    Attributes:
        public: The public key.
        fragment: The verification method's fragment (``key-1``, or the Multikey itself).
        status: ``active`` keys may sign; ``retired`` keys stay listed so that credentials
            signed before a rotation keep verifying.
    """

    public: PublicKey
    fragment: str
    status: KeyStatus = "active"

    def __post_init__(self) -> None:
        """Check the fragment and status.

        Raises:
            KeyFormatError: an empty or non-RFC 3986 fragment, or an unknown status.
        """
        if not isinstance(self.fragment, str) or not _FRAGMENT.fullmatch(self.fragment):
            raise KeyFormatError("a verification method fragment must be a non-empty URI fragment")
        if self.status not in ("active", "retired"):
            raise KeyFormatError("a published key's status is 'active' or 'retired'")


def did_document(did: str, keys: Sequence[PublishedKey]) -> dict[str, Any]:
    """Build an issuer's DID document (e.g. for ``did:web``) listing its keys.

    Every key, active or retired, becomes a verification method ``<did>#<fragment>`` under
    ``assertionMethod``, which is what OB 3.0 verifiers check
    (https://www.imsglobal.org/spec/ob/v3p0/#key-provenance): a ``Multikey`` for an Ed25519
    key, a ``JsonWebKey`` for a JWT key (P-256, RSA). Only active keys are listed under
    ``authentication``: a retired key should no longer prove control of the DID. Which active
    key signs is the caller's choice.

    Args:
        did: The DID, without a fragment.
        keys: The keys to list, in the order to list them.

    Returns:
        The DID document as a JSON object.

    Raises:
        KeyFormatError: ``did`` is not a DID.
        KeysError: two keys share a fragment.
    """
    if not isinstance(did, str) or not _DID.fullmatch(did):
        raise KeyFormatError("not a DID (expected did:<method>:<id> with no fragment)")
    methods: list[dict[str, Any]] = []
    assertion: list[str] = []
    authentication: list[str] = []
    seen: set[str] = set()
    for key in keys:
        if key.fragment in seen:
            raise KeysError(f"two keys share the fragment {key.fragment!r}")
        seen.add(key.fragment)
        vm_id = f"{did}#{key.fragment}"
        if key.public.key_type in _DATA_INTEGRITY_TYPES:
            methods.append(_multikey_method(vm_id, did, key.public))
        else:
            methods.append(_jwk_method(vm_id, did, key.public))
        assertion.append(vm_id)
        if key.status == "active":
            authentication.append(vm_id)
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT, JWK_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "authentication": authentication,
        "assertionMethod": assertion,
    }


def _jwk_method(vm_id: str, controller: str, public: PublicKey) -> dict[str, Any]:
    return {
        "id": vm_id,
        "type": "JsonWebKey",
        "controller": controller,
        "publicKeyJwk": jwk(public, kid=vm_id),
    }


def _multikey_method(vm_id: str, controller: str, public: PublicKey) -> dict[str, str]:
    return {
        "id": vm_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public.multikey(),
    }
