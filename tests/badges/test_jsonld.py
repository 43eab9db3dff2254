"""The offline document loader, and the fast path's equality with PyLD's plain path."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pyld import jsonld

from badges import _jsonld
from badges.errors import DocumentError
from tests.strategies import credentials
from tests.support import VECTORS, load_json


def _plain_loader(url: str, options: object = None) -> dict[str, Any]:
    """The same documents, without the cache tag: PyLD's plain, unmemoised path."""
    document = _jsonld.document_loader(url)
    return {"contextUrl": None, "documentUrl": url, "document": document["document"]}


def _plain_canonical(document: dict[str, Any]) -> str:
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": _plain_loader,
        "base": None,
    }
    return str(jsonld.normalize(document, options))


def _ob3_vector_documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((VECTORS / "ob3-1edtech-validator").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        try:
            _jsonld.expand(document)
        except DocumentError:
            continue  # fixtures with deliberately bad contexts
        found.append((path.name, document))
    found.append(("impl-guide", load_json("ob3-impl-guide-eddsa-rdfc-2022/signed-credential.json")))
    found.append(("w3c", load_json("w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json")))
    return found


def test_loader_serves_every_shipped_context_by_exact_url() -> None:
    for url in _jsonld.context_urls():
        assert _jsonld.document_loader(url)["document"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/context.jsonld",
        "http://www.w3.org/ns/credentials/v2",  # http is another URL
        "https://www.w3.org/ns/credentials/v2/",
    ],
)
def test_loader_refuses_any_other_url_and_names_it(url: str) -> None:
    with pytest.raises(DocumentError, match=url.replace(".", r"\.")):
        _jsonld.document_loader(url)


def test_the_loader_is_never_installed_globally() -> None:
    _jsonld.canonize(load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json"))
    assert jsonld._default_document_loader is not _jsonld.document_loader


@pytest.mark.parametrize(("name", "document"), _ob3_vector_documents(), ids=lambda v: str(v)[:30])
def test_fast_path_equals_plain_pyld_on_vectors(name: str, document: dict[str, Any]) -> None:
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    assert _jsonld.canonize(unsecured) == _plain_canonical(unsecured)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials())
def test_fast_path_equals_plain_pyld_on_generated_credentials(credential: dict[str, Any]) -> None:
    assert _jsonld.canonize(credential, strict=True) == _plain_canonical(credential)


def test_undefined_terms_are_listed() -> None:
    document = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    document["credentialSubject"]["shoeSize"] = 42
    assert _jsonld.undefined_terms(document) == ["shoeSize"]


def test_a_relative_type_is_reported_as_undefined() -> None:
    document = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    document["type"] = [*document["type"], "MadeUpCredential"]
    assert _jsonld.undefined_terms(document) == ["MadeUpCredential"]


def test_protected_term_redefinition_is_a_document_error() -> None:
    document = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    document["@context"] = [*document["@context"], {"name": "https://evil.example/name"}]
    with pytest.raises(DocumentError, match="protected term"):
        _jsonld.expand(document)


def test_deeply_nested_documents_are_refused() -> None:
    document: dict[str, Any] = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    node: dict[str, Any] = document["credentialSubject"]
    for _ in range(_jsonld.MAX_DEPTH + 5):
        node["evidence"] = {"narrative": "x"}
        node = node["evidence"]
    with pytest.raises(DocumentError, match="nested"):
        _jsonld.expand(document)


def test_very_large_documents_are_refused() -> None:
    document = load_json("ob3-impl-guide-eddsa-rdfc-2022/unsigned-credential.json")
    document["credentialSubject"]["achievement"]["tag"] = ["x"] * (_jsonld.MAX_NODES + 1)
    with pytest.raises(DocumentError, match="more than"):
        _jsonld.expand(document)


@pytest.mark.parametrize("value", [["not", "an", "object"], "text", 42, None])
def test_non_objects_are_document_errors(value: Any) -> None:
    with pytest.raises(DocumentError):
        _jsonld.expand(value)
