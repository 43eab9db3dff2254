"""The seams through which the library reaches the outside world.

``badges`` does no I/O of its own: documents arrive through a :class:`Fetcher`,
signatures through a :class:`Signer`. Both are matched structurally, so ``keys``
and ``app`` implement them without importing this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from badges.errors import FetchError

JSONObject = dict[str, Any]


@runtime_checkable
class Fetcher(Protocol):
    """Fetches JSON documents (DID documents, keys, profiles, status lists)."""

    def get_json(self, url: str) -> JSONObject:
        """Return the JSON object at ``url``; raise :class:`FetchError` when it cannot."""
        ...


@runtime_checkable
class DocumentFetcher(Fetcher, Protocol):
    """A fetcher that also returns documents secured as a compact JWS.

    Status lists may be served as ``application/vc+jwt`` (Bitstring Status List v1.0 §3.1;
    VC-JOSE-COSE §3.1.1): ``get_document`` returns such a body as its text, and any JSON object
    as the object.
    """

    def get_document(self, url: str) -> JSONObject | str:
        """Return the JSON object or compact JWS at ``url``; raise :class:`FetchError` if not."""
        ...


@runtime_checkable
class Signer(Protocol):
    """Signs bytes with a private key that never leaves its owner."""

    @property
    def key_id(self) -> str:
        """The verification method URL (Data Integrity) or JOSE ``kid``."""
        ...

    @property
    def algorithm(self) -> str:
        """The JOSE algorithm name: ``EdDSA``, ``ES256`` or ``RS256``."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Return the raw signature of ``data`` (JOSE form for ECDSA: r || s)."""
        ...


class DictFetcher:
    """A fetcher backed by a mapping of URL to document; handy for tests and offline use.

    A document may be a JSON object or a compact JWS (a status list secured as a VC-JWT), or a
    :class:`FetchError` to raise (``FetchError("gone", status=410)``).
    """

    def __init__(
        self, documents: Mapping[str, JSONObject | str | FetchError] | None = None
    ) -> None:
        self._documents = dict(documents or {})

    def add(self, url: str, document: JSONObject | str | FetchError) -> None:
        self._documents[url] = document

    def get_json(self, url: str) -> JSONObject:
        document = self.get_document(url)
        if not isinstance(document, dict):
            raise FetchError(f"{url} is not a JSON object")
        return document

    def get_document(self, url: str) -> JSONObject | str:
        try:
            document = self._documents[url]
        except KeyError:
            raise FetchError(f"{url} is not available (404)", status=404) from None
        if isinstance(document, FetchError):
            raise document
        return document


class NullFetcher:
    """A fetcher that fetches nothing: every remote document is unavailable."""

    def get_json(self, url: str) -> JSONObject:
        raise FetchError(f"{url} was not fetched: network access is off")
