"""did:key and did:web identifiers, and the DID documents built from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keys import (
    DID_CONTEXT,
    JWK_CONTEXT,
    MULTIKEY_CONTEXT,
    KeyFormatError,
    KeysError,
    PrivateKey,
    PublicKey,
    PublishedKey,
    did_document,
    did_key,
    did_key_document,
    did_web,
    did_web_url,
    generate_key,
    public_key_from_did_key,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
W3C_PUBLIC = json.loads((VECTORS / "w3c-vc-di-eddsa" / "keyPair.json").read_text())[
    "publicKeyMultibase"
]

# -- did:key -----------------------------------------------------------------------------------


def test_did_key_is_the_multikey_with_a_prefix(
    ed25519_key: PrivateKey, p256_key: PrivateKey
) -> None:
    assert did_key(PublicKey.from_multikey(W3C_PUBLIC)) == f"did:key:{W3C_PUBLIC}"
    assert did_key(ed25519_key.public_key()).startswith("did:key:z6Mk")
    assert did_key(p256_key.public_key()).startswith("did:key:zDn")


def test_did_key_refuses_rsa(rsa_key: PrivateKey) -> None:
    with pytest.raises(KeysError, match="Ed25519 and P-256"):
        did_key(rsa_key.public_key())


def test_did_key_document_has_one_multikey_method() -> None:
    did = f"did:key:{W3C_PUBLIC}"
    vm_id = f"{did}#{W3C_PUBLIC}"
    assert did_key_document(did) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": W3C_PUBLIC,
            }
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }


def test_did_key_document_for_p256(p256_key: PrivateKey) -> None:
    did = did_key(p256_key.public_key())
    document = did_key_document(did)
    [method] = document["verificationMethod"]
    assert PublicKey.from_multikey(method["publicKeyMultibase"]) == p256_key.public_key()
    assert document["assertionMethod"] == [method["id"]]


def test_public_key_from_did_key_accepts_the_did_and_its_method_url() -> None:
    expected = PublicKey.from_multikey(W3C_PUBLIC)
    assert public_key_from_did_key(f"did:key:{W3C_PUBLIC}") == expected
    assert public_key_from_did_key(f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}") == expected


@pytest.mark.parametrize(
    ("did", "message"),
    [
        ("did:web:example.com", "must start with 'did:key:'"),
        (f"did:key:{W3C_PUBLIC}#key-1", "fragment must repeat the key"),
        ("did:key:z6MkNOTBASE58OIl0", "not valid base58btc"),
        ("did:key:", "non-empty multibase"),
    ],
)
def test_bad_did_key_gives_a_key_format_error(did: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        public_key_from_did_key(did)


def test_did_key_document_refuses_a_fragment() -> None:
    with pytest.raises(KeyFormatError, match="without a fragment"):
        did_key_document(f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}")


# -- did:web -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "did", "url"),
    [
        (
            ("example.com", None, []),
            "did:web:example.com",
            "https://example.com/.well-known/did.json",
        ),
        (
            ("127.0.0.1", 8000, ["issuers", "demo"]),
            "did:web:127.0.0.1%3A8000:issuers:demo",
            "https://127.0.0.1:8000/issuers/demo/did.json",
        ),
        (
            ("Issuer.Example.EDU", 443, []),
            "did:web:issuer.example.edu%3A443",
            "https://issuer.example.edu:443/.well-known/did.json",
        ),
        (
            ("w3c-ccg.github.io", None, ["user", "alice"]),
            "did:web:w3c-ccg.github.io:user:alice",
            "https://w3c-ccg.github.io/user/alice/did.json",
        ),
        (
            ("example.com", None, ["a b", "ü", "x:y", "p/q", "t~"]),
            "did:web:example.com:a%20b:%C3%BC:x%3Ay:p%2Fq:t%7E",
            "https://example.com/a%20b/%C3%BC/x%3Ay/p%2Fq/t%7E/did.json",
        ),
        (
            ("localhost", 8000, ["issuers", "my_issuer-1.v2"]),
            "did:web:localhost%3A8000:issuers:my_issuer-1.v2",
            "https://localhost:8000/issuers/my_issuer-1.v2/did.json",
        ),
    ],
)
def test_did_web_encoding_and_document_url(
    args: tuple[str, int | None, list[str]], did: str, url: str
) -> None:
    assert did_web(*args) == did
    assert did_web_url(did) == url


def test_did_web_url_uses_http_only_for_listed_hosts() -> None:
    did = did_web("localhost", 8000, ["issuers", "demo"])
    assert (
        did_web_url(did, http_hosts={"LOCALHOST"}) == "http://localhost:8000/issuers/demo/did.json"
    )
    assert did_web_url(did, http_hosts={"127.0.0.1"}).startswith("https://")


def test_did_web_url_ignores_a_fragment_and_upper_case() -> None:
    assert (
        did_web_url("did:web:Example.COM%3a8443:issuers:1#key-1")
        == "https://example.com:8443/issuers/1/did.json"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", None, []), "DNS name or IPv4"),
        (("https://example.com", None, []), "DNS name or IPv4"),
        (("example.com:8000", None, []), "DNS name or IPv4"),
        (("example.com/issuers", None, []), "DNS name or IPv4"),
        (("exämple.com", None, []), "xn-- form"),
        (("-bad-.com", None, []), "DNS name or IPv4"),
        (("example.com", 0, []), "between 1 and 65535"),
        (("example.com", 65536, []), "between 1 and 65535"),
        (("example.com", None, "issuers/demo"), "not one string"),
        (("example.com", None, ["issuers", ""]), "non-empty"),
        (("example.com", None, [".."]), "other than . and .."),
    ],
)
def test_did_web_refuses_bad_parts(args: tuple[str, int | None, list[str]], message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        did_web(*args)


@pytest.mark.parametrize(
    ("did", "message"),
    [
        ("did:key:z6Mk", "must start with 'did:web:'"),
        ("did:web:", "malformed did:web"),
        ("did:web:example.com:", "malformed did:web"),
        ("did:web:example.com::x", "malformed did:web"),
        ("did:web:example.com/x", "malformed did:web"),
        ("did:web:example.com%3A99999", "between 1 and 65535"),
        ("did:web:example.com%3Axyz", "not a DNS name"),
        ("did:web:example.com%2Fevil", "not a DNS name"),
        ("did:web:example.com:%2E%2E:did", "dot path segment"),
        ("did:web:example.com:.", "dot path segment"),
    ],
)
def test_did_web_url_refuses_malformed_dids(did: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        did_web_url(did)


# -- issuer DID documents ----------------------------------------------------------------------


def test_did_document_lists_active_and_retired_keys() -> None:
    did = did_web("127.0.0.1", 8000, ["issuers", "demo"])
    old, new, p256 = (generate_key(t).public_key() for t in ("Ed25519", "Ed25519", "P-256"))
    document = did_document(
        did,
        [
            PublishedKey(old, "key-1", "retired"),
            PublishedKey(new, "key-2", "active"),
            PublishedKey(p256, "key-3"),
        ],
    )
    ids = [f"{did}#key-1", f"{did}#key-2", f"{did}#key-3"]
    assert document["@context"] == [DID_CONTEXT, MULTIKEY_CONTEXT, JWK_CONTEXT]
    assert document["id"] == did
    assert document["verificationMethod"] == [
        {"id": ids[0], "type": "Multikey", "controller": did, "publicKeyMultibase": old.multikey()},
        {"id": ids[1], "type": "Multikey", "controller": did, "publicKeyMultibase": new.multikey()},
        {
            "id": ids[2],
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": {**p256.jwk(), "kid": ids[2], "use": "sig", "alg": "ES256"},
        },
    ]
    assert document["assertionMethod"] == ids
    assert document["authentication"] == ids[1:]


def test_did_document_lists_jwt_keys_as_json_web_keys(
    rsa_key: PrivateKey, ed25519_key: PrivateKey
) -> None:
    document = did_document(
        "did:web:example.com",
        [
            PublishedKey(rsa_key.public_key(), "rsa-1"),
            PublishedKey(ed25519_key.public_key(), "ed-1"),
        ],
    )
    rsa_method, ed_method = document["verificationMethod"]
    assert rsa_method == {
        "id": "did:web:example.com#rsa-1",
        "type": "JsonWebKey",
        "controller": "did:web:example.com",
        "publicKeyJwk": {
            **rsa_key.public_key().jwk(),
            "kid": "did:web:example.com#rsa-1",
            "use": "sig",
            "alg": "RS256",
        },
    }
    assert "d" not in rsa_method["publicKeyJwk"]
    assert ed_method["type"] == "Multikey"
    assert document["assertionMethod"] == ["did:web:example.com#rsa-1", "did:web:example.com#ed-1"]


def test_did_document_is_json_serialisable(ed25519_key: PrivateKey) -> None:
    document = did_document("did:web:example.com", [PublishedKey(ed25519_key.public_key(), "k")])
    assert json.loads(json.dumps(document)) == document


def test_did_document_refuses_duplicate_fragments(ed25519_key: PrivateKey) -> None:
    public = ed25519_key.public_key()
    with pytest.raises(KeysError, match="share the fragment 'k'"):
        did_document("did:web:example.com", [PublishedKey(public, "k"), PublishedKey(public, "k")])


@pytest.mark.parametrize(
    "did", ["example.com", "did:web:example.com#key-1", "did:web:", "DID:web:x"]
)
def test_did_document_refuses_a_non_did(ed25519_key: PrivateKey, did: str) -> None:
    with pytest.raises(KeyFormatError, match="not a DID"):
        did_document(did, [PublishedKey(ed25519_key.public_key(), "k")])


@pytest.mark.parametrize("fragment", ["", "a#b", "has space", "%zz"])
def test_published_key_refuses_a_bad_fragment(ed25519_key: PrivateKey, fragment: str) -> None:
    with pytest.raises(KeyFormatError, match="fragment"):
        PublishedKey(ed25519_key.public_key(), fragment)


def test_published_key_refuses_an_unknown_status(ed25519_key: PrivateKey) -> None:
    with pytest.raises(KeyFormatError, match="'active' or 'retired'"):
        PublishedKey(ed25519_key.public_key(), "k", "revoked")  # type: ignore[arg-type]


def test_published_key_accepts_the_multikey_as_fragment(ed25519_key: PrivateKey) -> None:
    public = ed25519_key.public_key()
    document = did_document("did:web:example.com", [PublishedKey(public, public.multikey())])
    assert document["assertionMethod"] == [f"did:web:example.com#{public.multikey()}"]
