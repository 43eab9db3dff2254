"""Public JWKs with kid/use/alg, and JWK Sets."""

from __future__ import annotations

import pytest

from keys import KeyFormatError, KeysError, KeyType, PrivateKey, PublicKey, generate_key, jwk, jwks


def test_jwk_defaults_kid_to_the_thumbprint(any_key: PrivateKey) -> None:
    public = any_key.public_key()
    member = jwk(public)
    assert member == {
        **public.jwk(),
        "kid": public.thumbprint(),
        "use": "sig",
        "alg": public.algorithm,
    }
    assert PublicKey.from_jwk(member) == public


def test_jwk_takes_an_explicit_kid_and_alg(ed25519_key: PrivateKey) -> None:
    member = jwk(ed25519_key.public_key(), kid="https://example.com/keys/1", alg="Ed25519")
    assert member["kid"] == "https://example.com/keys/1"
    assert member["alg"] == "Ed25519"


@pytest.mark.parametrize(("key_type", "alg"), [("Ed25519", "ES256"), ("P-256", "RS256")])
def test_jwk_refuses_an_alg_that_does_not_fit(key_type: KeyType, alg: str) -> None:
    public = generate_key(key_type).public_key()
    with pytest.raises(KeysError, match="does not fit"):
        jwk(public, alg=alg)


def test_rsa_jwk_alg_is_rs256(rsa_key: PrivateKey) -> None:
    assert jwk(rsa_key.public_key())["alg"] == "RS256"
    with pytest.raises(KeysError, match="does not fit"):
        jwk(rsa_key.public_key(), alg="PS256")


def test_jwk_refuses_an_empty_kid(ed25519_key: PrivateKey) -> None:
    with pytest.raises(KeysError, match="non-empty"):
        jwk(ed25519_key.public_key(), kid="")


def test_jwks_holds_every_key_with_public_members_only(
    ed25519_key: PrivateKey, p256_key: PrivateKey, rsa_key: PrivateKey
) -> None:
    chosen = jwk(rsa_key.public_key(), kid="rsa-2024")
    document = jwks([ed25519_key.public_key(), p256_key.public_key(), chosen])
    assert list(document) == ["keys"]
    kids = [member["kid"] for member in document["keys"]]
    assert kids == [ed25519_key.thumbprint(), p256_key.thumbprint(), "rsa-2024"]
    for member in document["keys"]:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(member)
        assert member["use"] == "sig"
    assert document["keys"][2] == chosen
    assert document["keys"][2] is not chosen


def test_jwks_refuses_duplicate_kids(ed25519_key: PrivateKey) -> None:
    with pytest.raises(KeysError, match="share the kid"):
        jwks([ed25519_key.public_key(), ed25519_key.public_key()])


def test_jwks_refuses_a_member_without_kid(ed25519_key: PrivateKey) -> None:
    with pytest.raises(KeysError, match="needs a 'kid'"):
        jwks([ed25519_key.public_key().jwk()])


def test_jwks_refuses_a_private_member(ed25519_key: PrivateKey) -> None:
    member = {**jwk(ed25519_key.public_key()), "d": "AAAA"}
    with pytest.raises(KeyFormatError, match="private key members"):
        jwks([member])


def test_empty_jwks() -> None:
    assert jwks([]) == {"keys": []}
