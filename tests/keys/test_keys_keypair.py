"""Key generation, signing, and the JWK / Multikey / PEM encodings, against published vectors."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from keys import (
    KeyFormatError,
    KeysError,
    KeyType,
    PrivateKey,
    PublicKey,
    algorithm_for,
    export_plaintext_private_key,
    generate_key,
    load_private_key,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors"

# RFC 7638 §3.1: the example RSA key and its thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSo"
        "c_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR"
        "0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTW"
        "hAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    ),
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

# RFC 8037 Appendix A.1-A.4: Ed25519 key, its thumbprint, and a JWS signature.
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC8037_SIGNING_INPUT = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
RFC8037_SIGNATURE = (
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)


def _b64url(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _secret_multikey(seed: bytes) -> str:
    return "z" + base58.b58encode(b"\x80\x26" + seed).decode()


def _plaintext_pem_key(key: object) -> PrivateKey:
    assert isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey))
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return load_private_key(pem, None, allow_plaintext=True)


# -- generation and signatures -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_type", "algorithm"),
    [("Ed25519", "EdDSA"), ("P-256", "ES256"), ("RSA-2048", "RS256"), ("RSA-3072", "RS256")],
)
def test_generated_key_reports_its_type_and_algorithm(key_type: KeyType, algorithm: str) -> None:
    key = generate_key(key_type)
    assert key.key_type == key_type
    assert key.algorithm == algorithm
    assert key.public_key().key_type == key_type
    assert key.public_key().algorithm == algorithm
    assert algorithm_for(key_type) == algorithm


def test_unknown_key_type_is_refused() -> None:
    with pytest.raises(KeyFormatError, match="unsupported key type 'secp256k1'"):
        generate_key("secp256k1")  # type: ignore[arg-type]


def test_signature_verifies_and_tampering_fails(any_key: PrivateKey) -> None:
    public = any_key.public_key()
    signature = any_key.sign(b"an OpenBadgeCredential")
    assert public.verify(signature, b"an OpenBadgeCredential")
    assert not public.verify(signature, b"an OpenBadgeCredential!")
    tampered = bytes([signature[0] ^ 1]) + signature[1:]
    assert not public.verify(tampered, b"an OpenBadgeCredential")
    assert not public.verify(signature[:-1], b"an OpenBadgeCredential")
    assert not public.verify(b"", b"an OpenBadgeCredential")


def test_signature_does_not_verify_under_another_key(any_key: PrivateKey) -> None:
    # A fresh key of the same family; RSA-2048 keeps the test fast.
    other = generate_key("RSA-2048" if any_key.algorithm == "RS256" else any_key.key_type)
    assert not other.public_key().verify(any_key.sign(b"data"), b"data")


def test_es256_signature_is_the_64_byte_jose_form(p256_key: PrivateKey) -> None:
    for message in (b"a", b"b", b"c"):
        signature = p256_key.sign(message)
        assert len(signature) == 64
        assert p256_key.public_key().verify(signature, message)


def test_rs256_signature_is_as_long_as_the_modulus(rsa_key: PrivateKey) -> None:
    assert len(rsa_key.sign(b"data")) == 3072 // 8


def test_ed25519_signature_matches_rfc8037_example() -> None:
    key = PrivateKey.from_secret_multikey(_secret_multikey(_b64url(RFC8037_D)))
    assert key.public_key().jwk() == {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}
    signature = key.sign(RFC8037_SIGNING_INPUT)
    assert signature == _b64url(RFC8037_SIGNATURE)
    assert key.public_key().verify(signature, RFC8037_SIGNING_INPUT)


# -- RSA sizes and other curves ----------------------------------------------------------------


def test_rsa_1024_key_is_refused_when_loaded() -> None:
    # Deliberately weak: the loaders must refuse it.
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    with pytest.raises(KeyFormatError, match="RS256 needs at least 2048 bits"):
        _plaintext_pem_key(small)
    with pytest.raises(KeyFormatError, match="at least 2048"):
        PublicKey.from_pem(
            small.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )


def test_rsa_2048_key_is_accepted_when_loaded() -> None:
    key = _plaintext_pem_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert key.key_type == "RSA-2048"
    assert key.algorithm == "RS256"
    assert key.public_key().verify(key.sign(b"x"), b"x")


def test_p384_key_is_refused() -> None:
    with pytest.raises(KeyFormatError, match="unsupported elliptic curve secp384r1"):
        _plaintext_pem_key(ec.generate_private_key(ec.SECP384R1()))


# -- thumbprints -------------------------------------------------------------------------------


def test_thumbprint_matches_rfc7638_example() -> None:
    public = PublicKey.from_jwk(RFC7638_JWK)
    assert public.key_type == "RSA-2048"
    assert public.thumbprint() == RFC7638_THUMBPRINT


def test_thumbprint_matches_rfc8037_ed25519_example() -> None:
    public = PublicKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X})
    assert public.thumbprint() == RFC8037_THUMBPRINT


def test_thumbprint_ignores_metadata_members(any_key: PrivateKey) -> None:
    public = any_key.public_key()
    with_metadata = {**public.jwk(), "kid": "k1", "use": "sig", "alg": public.algorithm}
    assert PublicKey.from_jwk(with_metadata).thumbprint() == public.thumbprint()


# -- encodings round trip ----------------------------------------------------------------------


def test_jwk_and_pem_round_trip(any_key: PrivateKey) -> None:
    public = any_key.public_key()
    assert PublicKey.from_jwk(public.jwk()) == public
    assert PublicKey.from_pem(public.pem()) == public
    assert PublicKey.from_pem(public.pem().encode()) == public
    assert public.pem().startswith("-----BEGIN PUBLIC KEY-----")


def test_jwk_has_public_members_only(any_key: PrivateKey) -> None:
    jwk = any_key.public_key().jwk()
    expected = {
        "EC": {"kty", "crv", "x", "y"},
        "OKP": {"kty", "crv", "x"},
        "RSA": {"kty", "n", "e"},
    }
    assert set(jwk) == expected[jwk["kty"]]


def test_p256_jwk_coordinates_are_32_bytes(p256_key: PrivateKey) -> None:
    jwk = p256_key.public_key().jwk()
    assert len(_b64url(jwk["x"])) == 32
    assert len(_b64url(jwk["y"])) == 32


def test_multikey_prefixes_and_round_trip(ed25519_key: PrivateKey, p256_key: PrivateKey) -> None:
    ed = ed25519_key.public_key().multikey()
    p256 = p256_key.public_key().multikey()
    assert ed.startswith("z6Mk")
    assert p256.startswith("zDn")
    assert PublicKey.from_multikey(ed) == ed25519_key.public_key()
    assert PublicKey.from_multikey(p256) == p256_key.public_key()


def test_rsa_key_has_no_multikey(rsa_key: PrivateKey) -> None:
    with pytest.raises(KeysError, match="no Multikey encoding"):
        rsa_key.public_key().multikey()


def test_public_keys_compare_and_hash_by_key(ed25519_key: PrivateKey) -> None:
    public = ed25519_key.public_key()
    again = PublicKey.from_multikey(public.multikey())
    assert public == again
    assert hash(public) == hash(again)
    assert public != generate_key("Ed25519").public_key()
    assert public != public.multikey()


# -- published Ed25519 vectors -----------------------------------------------------------------


def test_w3c_vc_di_eddsa_key_pair_derives_its_public_key() -> None:
    pair = json.loads((VECTORS / "w3c-vc-di-eddsa" / "keyPair.json").read_text())
    key = PrivateKey.from_secret_multikey(pair["privateKeyMultibase"])
    assert key.key_type == "Ed25519"
    assert key.public_key().multikey() == pair["publicKeyMultibase"]


def test_w3c_vc_di_eddsa_signature_is_reproduced() -> None:
    pair = json.loads((VECTORS / "w3c-vc-di-eddsa" / "keyPair.json").read_text())
    folder = VECTORS / "w3c-vc-di-eddsa" / "eddsa-rdfc-2022"
    hash_data = bytes.fromhex((folder / "combinedHashDataInt.txt").read_text().strip())
    expected = bytes.fromhex((folder / "sigHexDataInt.txt").read_text().strip())
    key = PrivateKey.from_secret_multikey(pair["privateKeyMultibase"])
    assert key.sign(hash_data) == expected
    assert PublicKey.from_multikey(pair["publicKeyMultibase"]).verify(expected, hash_data)


def test_ob3_impl_guide_64_byte_secret_key_derives_its_public_key() -> None:
    folder = VECTORS / "ob3-impl-guide-eddsa-rdfc-2022"
    pair = json.loads((folder / "keypair.json").read_text())
    key = PrivateKey.from_secret_multikey(pair["secretKeyMultibase_as_published_64byte"])
    assert key.public_key().multikey() == pair["publicKeyMultibase"]
    assert key.public_key().jwk()["x"] == _b64url_encode(bytes.fromhex(pair["publicKeyHex"]))
    expected = json.loads((folder / "expected.json").read_text())
    hash_data = bytes.fromhex(expected["hashDataHex_proofHash_then_docHash"])
    assert key.sign(hash_data).hex() == expected["signatureHex"]


def test_ob3_impl_guide_32_byte_seed_gives_the_same_key() -> None:
    pair = json.loads((VECTORS / "ob3-impl-guide-eddsa-rdfc-2022" / "keypair.json").read_text())
    seed = bytes.fromhex(pair["privateKeyHex_64byte_seed_plus_public"])[:32]
    key = PrivateKey.from_secret_multikey(_secret_multikey(seed))
    assert key.public_key().multikey() == pair["publicKeyMultibase"]


def test_64_byte_secret_key_with_a_foreign_public_half_is_refused() -> None:
    seed = bytes(range(32))
    foreign = base58.b58decode(generate_key("Ed25519").public_key().multikey()[1:])[2:]
    with pytest.raises(KeyFormatError, match="does not match its seed"):
        PrivateKey.from_secret_multikey(_secret_multikey(seed + foreign))


# -- malformed encodings -----------------------------------------------------------------------


def _multibase(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "non-empty multibase string"),
        ("z", "non-empty multibase string"),
        ("u7QE", "base58btc multibase"),
        ("z6Mk0OIl", "not valid base58btc"),
        (_multibase(b"\xed\x01" + bytes(31)), "Ed25519 Multikey holds 32 bytes, got 31"),
        (_multibase(b"\xed\x01" + bytes(33)), "Ed25519 Multikey holds 32 bytes, got 33"),
        (_multibase(b"\x80\x24" + b"\x02" + bytes(31)), "33-byte compressed point, got 32"),
        (_multibase(b"\x80\x24" + b"\x04" + bytes(64)), "33-byte compressed point, got 65"),
        (_multibase(b"\x80\x24" + b"\x02" + b"\xff" * 32), "not a point on the curve"),
        (_multibase(b"\xe7\x01" + bytes(33)), "unsupported Multikey header 0xe701"),
        (_multibase(b"\x80\x26" + bytes(32)), "holds a secret key"),
        (_multibase(b"\xed"), "unsupported Multikey header 0xed"),
    ],
)
def test_malformed_multikey_gives_a_clear_key_format_error(value: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message) as raised:
        PublicKey.from_multikey(value)
    assert isinstance(raised.value, KeysError)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not-base58!", "base58btc multibase"),
        (_multibase(b"\xed\x01" + bytes(32)), "Ed25519 header 0x8026"),
        (_multibase(b"\x80\x26" + bytes(31)), "got 31 bytes"),
        (_multibase(b"\x80\x26" + bytes(48)), "got 48 bytes"),
    ],
)
def test_malformed_secret_multikey_gives_a_key_format_error(value: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        PrivateKey.from_secret_multikey(value)


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        (
            {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "d": RFC8037_D},
            r"private key members \(d\)",
        ),
        ({"kty": "oct", "k": "c2VjcmV0"}, r"private key members \(k\)"),
        ({"kty": "OKP", "crv": "X25519", "x": RFC8037_X}, "unsupported JWK curve 'X25519'"),
        ({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}, "unsupported JWK curve 'P-384'"),
        ({"kty": "DSA"}, "unsupported JWK key type 'DSA'"),
        ({"kty": "OKP", "crv": "Ed25519"}, "'x' must be an unpadded base64url"),
        ({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X + "="}, "unpadded base64url"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "11qY+YKx"}, "unpadded base64url"),
        (
            {"kty": "OKP", "crv": "Ed25519", "x": _b64url_encode(bytes(31))},
            "holds 32 bytes, got 31",
        ),
        ({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, "32 bytes each"),
        (
            {"kty": "EC", "crv": "P-256", "x": "A" * 42 + "E", "y": "A" * 42 + "E"},
            "not a point on the curve",
        ),
        ({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "use": "enc"}, "needs 'sig'"),
        ({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "alg": "RS256"}, "does not fit"),
    ],
)
def test_malformed_jwk_gives_a_key_format_error(jwk: dict[str, str], message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        PublicKey.from_jwk(jwk)


def test_non_canonical_base64url_is_refused() -> None:
    # "AQB" carries two set bits past its last byte; the canonical spelling of 0x0100 is "AQA".
    with pytest.raises(KeyFormatError, match="not canonical"):
        PublicKey.from_jwk({"kty": "RSA", "n": RFC7638_JWK["n"], "e": "AQB"})


def test_private_pem_is_not_read_as_a_public_key(ed25519_key: PrivateKey) -> None:
    pem = export_plaintext_private_key(ed25519_key, allow_plaintext=True)
    with pytest.raises(KeyFormatError, match="not a PEM-encoded public key") as raised:
        PublicKey.from_pem(pem)
    assert "PRIVATE" not in str(raised.value)
    assert raised.value.__cause__ is None


@pytest.mark.parametrize("alg", [[], {}, 7, ["ES256"]])
def test_a_jwk_alg_that_is_not_a_string_is_a_key_format_error(alg: object) -> None:
    jwk = generate_key("P-256").public_key().jwk()
    with pytest.raises(KeyFormatError, match="'alg'"):
        PublicKey.from_jwk({**jwk, "alg": alg})
