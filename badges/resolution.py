"""Finding the key behind a verification method, and who controls it.

Documents fetched here (DID documents, controller documents, JWK Sets) are parsed into small
typed values where they enter (:class:`ControllerDocument`, :class:`JWKSet`); nothing later
walks their JSON. A malformed document raises :class:`DocumentError`, which fails the check
that needed it, never the badge as a whole.

A verification method counts as an issuer's only when a document its controller publishes lists
it: the issuer's DID document (``did:web``), the document ``did:key`` derives, or the controller
document an HTTPS method URL points into, under the proof's purpose (``assertionMethod``). A
Multikey in a URL fragment (``https://issuer.example/1#z6Mk…``) names a key, but anyone can write
one: it is used to check a signature, never as proof of who controls the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from badges._crypto import PublicKeyInfo, decode_multikey, did_web_document_url, key_from_jwk
from badges.errors import DocumentError
from badges.ports import Fetcher, JSONObject

RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)
MAX_METHODS = 64  # verification methods read from one document


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
    key: PublicKeyInfo
    relationships: frozenset[str]

    @property
    def jwk(self) -> JSONObject:
        """The key as a public JWK, for VC-JWT."""
        return dict(self.key.jwk())


@dataclass(frozen=True)
class _Method:
    id: str
    controller: str | None
    key: PublicKeyInfo | None
    problem: str | None  # why the key could not be read


def _method(raw: JSONObject, method_id: str) -> _Method:
    controller = raw.get("controller")
    try:
        key = _key_of(raw)
    except DocumentError as error:
        return _Method(
            method_id, controller if isinstance(controller, str) else None, None, str(error)
        )
    return _Method(method_id, controller if isinstance(controller, str) else None, key, None)


def _key_of(method: JSONObject) -> PublicKeyInfo:
    if "publicKeyMultibase" in method:
        return decode_multikey(method["publicKeyMultibase"])
    if "publicKeyJwk" in method:
        return key_from_jwk(method["publicKeyJwk"])
    raise DocumentError(f"verification method {method.get('id')} has no supported public key")


def _absolute(reference: str, document_id: str) -> str:
    return document_id + reference if reference.startswith("#") else reference


@dataclass(frozen=True)
class ControllerDocument:
    """A DID document or controller document, as far as verification reads it.

    Attributes:
        id: the document's id ("" when an HTTPS document names none).
        methods: the verification methods it publishes, by absolute id.
        relationships: for each verification relationship, the method ids listed under it.
    """

    id: str
    methods: Mapping[str, _Method]
    relationships: Mapping[str, frozenset[str]]

    @classmethod
    def parse(cls, raw: Any, *, url: str) -> ControllerDocument:
        """Read a fetched controller document.

        Raises:
            DocumentError: not a JSON object, or members of the wrong shape (an id that is not
                a string, a relationship entry that is neither a method id nor an object).
        """
        if not isinstance(raw, dict):
            raise DocumentError(f"the document at {url} is not a JSON object")
        raw_id = raw.get("id", "")
        if not isinstance(raw_id, str):
            raise DocumentError(f"the document at {url} has an id that is not a string")
        methods: dict[str, _Method] = {}

        def add(entry: JSONObject, where: str) -> str:
            entry_id = entry.get("id")
            if not isinstance(entry_id, str) or not entry_id:
                raise DocumentError(f"a method in {where} of the document at {url} has no id")
            absolute = _absolute(entry_id, raw_id)
            if len(methods) >= MAX_METHODS:
                raise DocumentError(f"the document at {url} lists more than {MAX_METHODS} keys")
            methods.setdefault(absolute, _method(entry, absolute))
            return absolute

        for entry in _entries(raw.get("verificationMethod"), "verificationMethod", url):
            if not isinstance(entry, dict):
                raise DocumentError(
                    f"verificationMethod of the document at {url} must list objects"
                )
            add(entry, "verificationMethod")
        relationships: dict[str, frozenset[str]] = {}
        for relationship in RELATIONSHIPS:
            listed: set[str] = set()
            for entry in _entries(raw.get(relationship), relationship, url):
                if isinstance(entry, str):
                    listed.add(_absolute(entry, raw_id))
                elif isinstance(entry, dict):
                    listed.add(add(entry, relationship))
                else:
                    raise DocumentError(
                        f"{relationship} of the document at {url} lists "
                        f"{type(entry).__name__} values, not method ids"
                    )
            relationships[relationship] = frozenset(listed)
        if (
            raw_id
            and raw_id not in methods
            and ("publicKeyMultibase" in raw or "publicKeyJwk" in raw)
        ):
            methods[raw_id] = _method(raw, raw_id)  # an HTTPS URL may serve the method itself
        return cls(raw_id, MappingProxyType(methods), MappingProxyType(relationships))

    def find(self, method_id: str) -> ResolvedMethod:
        """The method ``method_id`` with its key and the relationships this document gives it.

        Raises:
            DocumentError: the document does not publish that method, or its key is unreadable.
        """
        method = self.methods.get(method_id)
        if method is None:
            raise DocumentError(f"{self.id or 'the document'} does not list {method_id}")
        if method.controller is None:
            raise DocumentError(f"verification method {method_id} names no controller")
        if method.key is None:
            raise DocumentError(f"{method.problem}")
        relationships = frozenset(r for r, ids in self.relationships.items() if method_id in ids)
        if method.controller != self.id:
            # A document may claim any controller for a method it serves; only the
            # controller's own document can say what the method is for (VC Data Integrity
            # §4.5, "Retrieve Verification Method").
            relationships = frozenset()
        return ResolvedMethod(method_id, method.controller, method.key, relationships)

    def keys_for(self, relationship: str) -> list[ResolvedMethod]:
        """The readable methods listed under ``relationship``, in no particular order."""
        found = []
        for method_id in sorted(self.relationships.get(relationship, frozenset())):
            try:
                found.append(self.find(method_id))
            except DocumentError:
                continue
        return found


def _entries(value: Any, name: str, url: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str | dict):
        return [value]
    raise DocumentError(f"{name} of the document at {url} must be a list")


@dataclass(frozen=True)
class JWKSet:
    """The readable keys of a JWK Set (or of a document that is a single JWK)."""

    keys: tuple[tuple[str | None, PublicKeyInfo], ...]  # (kid, key)
    single: bool = False  # the document was one JWK, not a set

    @classmethod
    def parse(cls, raw: Any, *, url: str) -> JWKSet:
        """Read a fetched JWK Set; members that cannot be read are ignored (RFC 7517 §5).

        Raises:
            DocumentError: not a JWK Set nor a JWK.
        """
        if not isinstance(raw, dict):
            raise DocumentError(f"{url} is not a JSON object")
        if "kty" in raw:  # a document that is one JWK: it must be readable
            kid = raw.get("kid")
            return cls(((kid if isinstance(kid, str) else None, key_from_jwk(raw)),), single=True)
        members = raw.get("keys")
        if not isinstance(members, list):
            raise DocumentError(f"{url} is neither a JWK Set nor a JWK")
        keys: list[tuple[str | None, PublicKeyInfo]] = []
        for member in members[:MAX_METHODS]:
            if not isinstance(member, dict):
                continue
            try:
                key = key_from_jwk(member)
            except DocumentError:
                continue
            kid = member.get("kid")
            keys.append((kid if isinstance(kid, str) else None, key))
        return cls(tuple(keys))

    def by_kid(self, kid: str) -> PublicKeyInfo | None:
        """The member named by ``kid`` (the full URL or its fragment)."""
        if self.single:
            return self.keys[0][1] if self.keys else None
        fragment = kid.partition("#")[2]
        return next((k for member_kid, k in self.keys if member_kid in (kid, fragment)), None)

    def has(self, key: PublicKeyInfo) -> bool:
        return any(k.thumbprint == key.thumbprint for _, k in self.keys)


def strip_fragment(url: str) -> str:
    return url.partition("#")[0]


def did_web_url(did: str, config: ResolverConfig = ResolverConfig()) -> str:
    """The URL of a ``did:web`` DID document (did:web method, "Read (Resolve)").

    The same strict reading as for the DIDs this service publishes.

    Raises:
        DocumentError: not a well-formed did:web.
    """
    url = did_web_document_url(did)
    rest = url.removeprefix("https://")
    if _plain_http(rest.partition("/")[0].lower(), config.did_web_http_hosts):
        return "http://" + rest
    return url


def _plain_http(host: str, hosts: frozenset[str]) -> bool:
    # "localhost" covers localhost on every port; "localhost:8443" that port only.
    if host in hosts:
        return True
    name, colon, port = host.rpartition(":")
    return bool(colon) and port.isdigit() and name in hosts


def did_key_document(did: str) -> ControllerDocument:
    """The DID document a ``did:key`` stands for, derived locally (did:key method §3.1)."""
    multikey = did.removeprefix("did:key:")
    key = decode_multikey(multikey)
    method_id = f"{did}#{multikey}"
    method = _Method(method_id, did, key, None)
    return ControllerDocument(
        did,
        MappingProxyType({method_id: method}),
        MappingProxyType({r: frozenset({method_id}) for r in RELATIONSHIPS}),
    )


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
) -> ControllerDocument:
    """Fetch (or, for did:key, derive) the document that should list ``method_id``.

    Raises:
        FetchError: it could not be fetched.
        DocumentError: it is malformed, or not the controller's document.
    """
    base = strip_fragment(method_id)
    url = controller_document_url(method_id, config)
    if url is None:
        return did_key_document(base)
    document = ControllerDocument.parse(fetcher.get_json(url), url=url)
    if base.startswith("did:") and document.id != base:
        raise DocumentError(f"the DID document at {url} is for {document.id!r}, not {base}")
    return document


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
        DocumentError: it is malformed, or does not publish the method.
    """
    method_id = normalise_method_id(method_id)
    return load_controller_document(method_id, fetcher, config).find(method_id)


__all__ = [
    "ControllerDocument",
    "JWKSet",
    "ResolvedMethod",
    "ResolverConfig",
    "controller_document_url",
    "did_key_document",
    "did_web_url",
    "key_from_fragment",
    "load_controller_document",
    "normalise_method_id",
    "resolve",
]
