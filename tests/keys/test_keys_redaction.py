"""Key material and passphrases never show in reprs, str(), pickles or error messages."""

from __future__ import annotations

import base64
import copy
import pickle

import base58
import pytest
from cryptography.hazmat.primitives import serialization

from keys import (
    KeysError,
    KeySigner,
    KeyWrapper,
    PrivateKey,
    PublicKey,
    export_plaintext_private_key,
    load_private_key,
)
from tests.keys.support import QUICK, legacy_pem

PASSPHRASE = "correct horse battery staple"


def _secrets_of(key: PrivateKey) -> list[str]:
    """Every textual form of the private key that must never leak."""
    pem = export_plaintext_private_key(key, allow_plaintext=True)
    private = serialization.load_pem_private_key(pem, None)
    der = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    body = b"".join(pem.splitlines()[1:-1]).decode()
    forms = [pem.decode(), body[:40], body[-40:], der.hex()[:40], "PRIVATE KEY"]
    numbers = getattr(private, "private_numbers", None)
    if numbers is not None:
        secret = numbers()
        d = secret.private_value if hasattr(secret, "private_value") else secret.d
        forms += [str(d), hex(d)[2:42]]
        width = (d.bit_length() + 7) // 8
        forms.append(base64.urlsafe_b64encode(d.to_bytes(width, "big")).rstrip(b"=").decode())
    else:
        raw = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        forms += [raw.hex(), base64.urlsafe_b64encode(raw).rstrip(b"=").decode()]
        forms.append(base58.b58encode(b"\x80\x26" + raw).decode())
    return forms


def _seed(key: PrivateKey) -> bytes:
    pem = export_plaintext_private_key(key, allow_plaintext=True)
    return serialization.load_pem_private_key(pem, None).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _assert_clean(text: str, key: PrivateKey) -> None:
    for secret in _secrets_of(key):
        assert secret not in text
    assert PASSPHRASE not in text


def test_private_key_repr_shows_only_type_and_thumbprint(any_key: PrivateKey) -> None:
    expected = f"PrivateKey(key_type={any_key.key_type!r}, thumbprint={any_key.thumbprint()!r})"
    assert repr(any_key) == expected
    assert str(any_key) == expected
    assert f"{any_key}" == expected
    _assert_clean(repr(any_key), any_key)
    _assert_clean(repr([any_key, {"key": any_key}]), any_key)


def test_private_key_has_no_instance_dict_to_dump(any_key: PrivateKey) -> None:
    assert not hasattr(any_key, "__dict__")
    with pytest.raises(TypeError):
        vars(any_key)


def test_private_key_cannot_be_pickled_or_copied(any_key: PrivateKey) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(any_key)
    with pytest.raises(TypeError, match="cannot be pickled"):
        copy.copy(any_key)


def test_signer_repr_shows_only_key_id_and_algorithm(any_key: PrivateKey) -> None:
    signer = KeySigner(any_key, "did:web:example.com#key-1")
    assert (
        repr(signer)
        == f"KeySigner(key_id='did:web:example.com#key-1', algorithm={any_key.algorithm!r})"
    )
    with pytest.raises(TypeError):
        pickle.dumps(signer)


def test_key_wrapper_repr_hides_the_passphrase() -> None:
    wrapper = KeyWrapper(PASSPHRASE, cost=QUICK)
    assert PASSPHRASE not in repr(wrapper)
    assert "ln=10" in repr(wrapper)


def test_wrong_passphrase_error_names_no_secret(any_key: PrivateKey) -> None:
    pem = legacy_pem(any_key, PASSPHRASE)
    wrong = "a passphrase that is wrong"
    with pytest.raises(KeysError) as raised:
        load_private_key(pem, wrong)
    _assert_clean(str(raised.value), any_key)
    _assert_clean(repr(raised.value), any_key)
    assert wrong not in str(raised.value)
    assert pem.decode()[40:80] not in str(raised.value)
    wrapped = KeyWrapper(PASSPHRASE, cost=QUICK).wrap(any_key)
    with pytest.raises(KeysError) as raised:
        KeyWrapper(wrong, cost=QUICK).unwrap(wrapped)
    _assert_clean(str(raised.value), any_key)
    assert wrong not in str(raised.value)
    assert wrapped[-40:] not in str(raised.value)
    assert raised.value.__cause__ is None


def test_refused_plaintext_error_names_no_secret(any_key: PrivateKey) -> None:
    pem = export_plaintext_private_key(any_key, allow_plaintext=True)
    with pytest.raises(KeysError) as raised:
        load_private_key(pem, None)
    _assert_clean(str(raised.value), any_key)
    assert raised.value.__cause__ is None


def test_secret_multikey_errors_name_no_secret(ed25519_key: PrivateKey) -> None:
    raw = _seed(ed25519_key)
    bad_inputs = [
        "z" + base58.b58encode(b"\xed\x01" + raw).decode(),  # public header on a seed
        "z" + base58.b58encode(b"\x80\x26" + raw[:31]).decode(),  # truncated seed
        "z" + base58.b58encode(b"\x80\x26" + raw + bytes(32)).decode(),  # wrong public half
    ]
    for value in bad_inputs:
        with pytest.raises(KeysError) as raised:
            PrivateKey.from_secret_multikey(value)
        message = str(raised.value)
        assert value not in message
        assert value[1:20] not in message
        assert raw.hex()[:8] not in message


def test_private_jwk_error_names_the_members_not_their_values(ed25519_key: PrivateKey) -> None:
    raw_d = base64.urlsafe_b64encode(_seed(ed25519_key)).rstrip(b"=").decode()
    jwk = {**ed25519_key.public_key().jwk(), "d": raw_d}
    with pytest.raises(KeysError, match=r"\(d\)") as raised:
        PublicKey.from_jwk(jwk)
    assert raw_d not in str(raised.value)
