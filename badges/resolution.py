"""Finding the key behind a verification method, and who controls it.

A verification method counts as an issuer's only when a document its controller publishes lists
it: the issuer's DID document (``did:web``), the document ``did:key`` derives, or the controller
document an HTTPS method URL points into, under the proof's purpose (``assertionMethod``). A
Multikey in a URL fragment (``https://issuer.example/1#z6Mk…``) names a key, but anyone can write
one: it is used to check a signature, never as proof of who controls the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from badges._crypto import PublicKeyInfo, decode_multikey, key_from_jwk
from badges.errors import DocumentError
from badges.ports import Fetcher, JSONObject

RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)


@dataclass(frozen=True)
class ResolverConfig:
    """How to reach controller documents.

    Attributes:
        did_web_http_hosts: hosts whose ``did:web`` documents are read over plain HTTP; a bare
            ``host`` covers every port of it, ``host:port`` that port only. The did:web method
            requires HTTPS, so this is for tests and local development only.
    """

    did_web_http_hosts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ResolvedMethod:
    """A verification method as its controller document publishes it."""

    id: str
    controller: str
    key: PublicKeyInfo | None  # None for key types Data Integrity does not use (RSA)
    jwk: JSONObject | None  # the key as a JWK, for VC-JWT
    relationships: frozenset[str]


def strip_fragment(url: str) -> str:
    return url.partition("#")[0]


def did_web_url(did: str, config: ResolverConfig = ResolverConfig()) -> str:
    """The URL of a ``did:web`` DID document (did:web method §3.2, "Read").

    Raises:
        DocumentError: not a well-formed did:web.
    """
    parts = did.split(":")
    if len(parts) < 3 or parts[:2] != ["did", "web"] or not parts[2]:
        raise DocumentError(f"{did!r} is not a did:web identifier")
    host = unquote(parts[2])
    if "/" in host or "@" in host or any(not p for p in parts[3:]):
        raise DocumentError(f"{did!r} is not a well-formed did:web identifier")
    path = "/".join(unquote(p) for p in parts[3:])
    scheme = "http" if _plain_http(host.lower(), config.did_web_http_hosts) else "https"
    return (
        f"{scheme}://{host}/{path}/did.json" if path else f"{scheme}://{host}/.well-known/did.json"
    )


def _plain_http(host: str, hosts: frozenset[str]) -> bool:
    # "localhost" covers localhost on every port; "localhost:8443" that port only.
    if host in hosts:
        return True
    name, colon, port = host.rpartition(":")
    return bool(colon) and port.isdigit() and name in hosts


def did_key_document(did: str) -> JSONObject:
    """The DID document a ``did:key`` stands for, derived locally (did:key method §3.1)."""
    multikey = did.removeprefix("did:key:")
    decode_multikey(multikey)  # refuse what is not a key
    method_id = f"{did}#{multikey}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": method_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}
        ],
        **{relationship: [method_id] for relationship in RELATIONSHIPS},
    }


def controller_document_url(
    method_id: str, config: ResolverConfig = ResolverConfig()
) -> str | None:
    """Where the document that lists ``method_id`` lives (``None`` for did:key: it is derived)."""
    base = strip_fragment(method_id)
    if base.startswith("did:key:"):
        return None
    if base.startswith("did:web:"):
        return did_web_url(base, config)
    if base.startswith(("https://", "http://")):
        return base
    raise DocumentError(f"verification method {method_id!r} uses an unsupported method")


def load_controller_document(
    method_id: str, fetcher: Fetcher, config: ResolverConfig = ResolverConfig()
) -> JSONObject:
    """Fetch (or, for did:key, derive) the document that should list ``method_id``.

    Raises:
        FetchError: it could not be fetched.
        DocumentError: it is not the controller's document.
    """
    base = strip_fragment(method_id)
    url = controller_document_url(method_id, config)
    if url is None:
        return did_key_document(base)
    document = fetcher.get_json(url)
    if not isinstance(document, dict):
        raise DocumentError(f"{url} did not return a JSON object")
    if base.startswith("did:") and document.get("id") != base:
        raise DocumentError(f"the DID document at {url} is for {document.get('id')!r}, not {base}")
    return document


def _absolute(reference: str, document_id: str) -> str:
    return document_id + reference if reference.startswith("#") else reference


def find_method(document: JSONObject, method_id: str) -> ResolvedMethod:
    """Find ``method_id`` in a controller document (or a document that is the method itself).

    Raises:
        DocumentError: the document does not publish that method, or its key is unreadable.
    """
    raw_id = document.get("id")
    document_id = raw_id if isinstance(raw_id, str) else ""
    candidates: list[JSONObject] = []
    methods = document.get("verificationMethod", [])
    if isinstance(methods, dict):
        methods = [methods]
    if isinstance(methods, list):
        candidates.extend(m for m in methods if isinstance(m, dict))
    relationships: set[str] = set()
    for relationship in RELATIONSHIPS:
        entries = document.get(relationship, [])
        entries = entries if isinstance(entries, list) else [entries]
        for entry in entries:
            if isinstance(entry, str) and _absolute(entry, document_id) == method_id:
                relationships.add(relationship)
            elif isinstance(entry, dict):
                candidates.append(entry)
                if _absolute(str(entry.get("id", "")), document_id) == method_id:
                    relationships.add(relationship)
    if document_id == method_id:  # an HTTPS URL may serve the method itself
        candidates.append(document)
    for candidate in candidates:
        if _absolute(str(candidate.get("id", "")), document_id) != method_id:
            continue
        controller = candidate.get("controller")
        if not isinstance(controller, str):
            raise DocumentError(f"verification method {method_id} names no controller")
        key, jwk = _key_of(candidate)
        if controller != document_id:
            # A document may claim any controller for a method it serves; only the
            # controller's own document can say what the method is for (VC Data Integrity
            # §4.5, "Retrieve Verification Method").
            relationships = set()
        return ResolvedMethod(method_id, controller, key, jwk, frozenset(relationships))
    raise DocumentError(f"{document_id or 'the document'} does not list {method_id}")


def _key_of(method: JSONObject) -> tuple[PublicKeyInfo | None, JSONObject | None]:
    if "publicKeyMultibase" in method:
        key = decode_multikey(method["publicKeyMultibase"])
        return key, key.jwk()
    jwk = method.get("publicKeyJwk")
    if isinstance(jwk, dict):
        if jwk.get("kty") == "RSA":
            if "d" in jwk:
                raise DocumentError("publicKeyJwk must not contain private key material")
            return None, jwk
        return key_from_jwk(jwk), jwk
    raise DocumentError(f"verification method {method.get('id')} has no supported public key")


def key_from_fragment(method_id: str) -> PublicKeyInfo | None:
    """The Multikey a method URL names in its fragment (``…#z6Mk…``), if it names one."""
    base, sep, fragment = method_id.partition("#")
    candidate = fragment if sep else ""
    if base.startswith("did:key:") and not sep:
        candidate = base.removeprefix("did:key:")
    if not candidate.startswith("z"):
        return None
    try:
        return decode_multikey(candidate)
    except DocumentError:
        return None


def normalise_method_id(method_id: str) -> str:
    """A bare ``did:key:<mb>`` (seen in some credentials) means ``did:key:<mb>#<mb>``."""
    if method_id.startswith("did:key:") and "#" not in method_id:
        return f"{method_id}#{method_id.removeprefix('did:key:')}"
    return method_id


def resolve(
    method_id: str, fetcher: Fetcher, config: ResolverConfig = ResolverConfig()
) -> ResolvedMethod:
    """Load the controller document and find the method in it.

    Raises:
        FetchError: the controller document could not be fetched.
        DocumentError: it does not publish the method.
    """
    method_id = normalise_method_id(method_id)
    return find_method(load_controller_document(method_id, fetcher, config), method_id)


__all__ = [
    "ResolvedMethod",
    "ResolverConfig",
    "controller_document_url",
    "did_key_document",
    "did_web_url",
    "find_method",
    "key_from_fragment",
    "load_controller_document",
    "normalise_method_id",
    "resolve",
]
