"""Property tests: every encoding round-trips for arbitrary Ed25519 seeds and P-256 scalars."""

from __future__ import annotations

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from keys import (
    PrivateKey,
    PublicKey,
    did_key,
    did_web,
    did_web_url,
    export_secret_multikey,
    load_private_key,
    public_key_from_did_key,
)

# Order of the P-256 group (SEC 2 §2.4.2): valid private scalars are 1 .. n-1.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

seeds = st.binary(min_size=32, max_size=32)
scalars = st.integers(min_value=1, max_value=P256_ORDER - 1)


def _ed25519(seed: bytes) -> PrivateKey:
    return PrivateKey.from_secret_multikey("z" + base58.b58encode(b"\x80\x26" + seed).decode())


def _p256(scalar: int) -> PrivateKey:
    pem = ec.derive_private_key(scalar, ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return load_private_key(pem, None, allow_plaintext=True)


def _assert_round_trips(public: PublicKey) -> None:
    assert PublicKey.from_multikey(public.multikey()) == public
    assert PublicKey.from_jwk(public.jwk()) == public
    assert PublicKey.from_pem(public.pem()) == public
    assert public_key_from_did_key(did_key(public)) == public
    assert PublicKey.from_jwk(public.jwk()).thumbprint() == public.thumbprint()


@settings(max_examples=60)
@given(seed=seeds)
def test_ed25519_encodings_round_trip(seed: bytes) -> None:
    key = _ed25519(seed)
    _assert_round_trips(key.public_key())
    assert key.public_key().multikey().startswith("z6Mk")
    exported = export_secret_multikey(key, allow_plaintext=True)
    assert base58.b58decode(exported[1:]) == b"\x80\x26" + seed


@settings(max_examples=60)
@given(scalar=scalars)
def test_p256_encodings_round_trip(scalar: int) -> None:
    public = _p256(scalar).public_key()
    _assert_round_trips(public)
    assert public.multikey().startswith("zDn")


@settings(max_examples=30)
@given(scalar=scalars, data=st.binary(max_size=256))
def test_p256_signatures_verify(scalar: int, data: bytes) -> None:
    key = _p256(scalar)
    assert key.public_key().verify(key.sign(data), data)


@settings(max_examples=30)
@given(seed=seeds, data=st.binary(max_size=256))
def test_ed25519_signatures_verify(seed: bytes, data: bytes) -> None:
    key = _ed25519(seed)
    assert key.public_key().verify(key.sign(data), data)


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.lists(labels, min_size=1, max_size=4).map(".".join)
segments = st.lists(st.text(min_size=1, max_size=12), max_size=4).filter(
    lambda path: all(s not in (".", "..") for s in path)
)


@given(host=hosts, port=st.none() | st.integers(1, 65535), path=segments)
def test_did_web_resolves_to_the_url_of_its_parts(
    host: str, port: int | None, path: list[str]
) -> None:
    did = did_web(host, port, path)
    url = did_web_url(did)
    authority = host if port is None else f"{host}:{port}"
    assert url.startswith(f"https://{authority}/")
    assert url.endswith("/did.json")
    # Segments are percent-encoded once, so a ":" or "/" inside one never splits it.
    assert did.count(":") == 2 + len(path)
    assert url.count("/") == 3 + (len(path) if path else 1)
