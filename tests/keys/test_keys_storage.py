"""Keys at rest: scrypt + AES-256-GCM envelopes, legacy PKCS#8 PEM, plaintext refusal."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization

from keys import (
    DEFAULT_COST,
    MIN_PASSPHRASE_LENGTH,
    WRAPPED_KEY_FORMAT,
    KeysError,
    KeyStoreError,
    KeyWrapper,
    PrivateKey,
    ScryptCost,
    export_plaintext_private_key,
    export_secret_multikey,
    load_private_key,
)
from tests.keys.support import QUICK, legacy_pem

PASSPHRASE = "correct horse battery staple"


# -- envelopes ---------------------------------------------------------------------------------


def test_a_wrapped_key_round_trips(any_key: PrivateKey) -> None:
    wrapped = KeyWrapper(PASSPHRASE, cost=QUICK).wrap(any_key)
    opened = KeyWrapper(PASSPHRASE, cost=QUICK).unwrap(wrapped)
    assert opened.public_key() == any_key.public_key()
    assert opened.public_key().verify(opened.sign(b"x"), b"x")


def test_the_envelope_describes_its_work_factor_and_hides_the_key(
    ed25519_key: PrivateKey,
) -> None:
    envelope = json.loads(KeyWrapper(PASSPHRASE, cost=QUICK).wrap(ed25519_key))
    assert envelope["format"] == WRAPPED_KEY_FORMAT
    assert (envelope["kdf"], envelope["ln"], envelope["r"], envelope["p"]) == ("scrypt", 10, 8, 1)
    assert envelope["cipher"] == "A256GCM"
    der = export_plaintext_private_key(ed25519_key, allow_plaintext=True)
    seed = der.split(b"\n")[1]
    assert seed.decode() not in json.dumps(envelope)


def test_the_default_work_factor_is_current() -> None:
    # scrypt N=2^17, r=8, p=1: OWASP's Password Storage Cheat Sheet minimum.
    assert (DEFAULT_COST.ln, DEFAULT_COST.r, DEFAULT_COST.p) == (17, 8, 1)
    assert KeyWrapper(PASSPHRASE).cost == DEFAULT_COST


def test_an_envelope_opens_at_the_work_factor_it_names(ed25519_key: PrivateKey) -> None:
    wrapped = KeyWrapper(PASSPHRASE, cost=ScryptCost(ln=11)).wrap(ed25519_key)
    reader = KeyWrapper(PASSPHRASE, cost=QUICK)
    assert reader.unwrap(wrapped).public_key() == ed25519_key.public_key()
    assert not reader.is_current(wrapped)
    assert KeyWrapper(PASSPHRASE, cost=ScryptCost(ln=11)).is_current(wrapped)


def test_a_wrong_passphrase_does_not_open_an_envelope(p256_key: PrivateKey) -> None:
    wrapped = KeyWrapper(PASSPHRASE, cost=QUICK).wrap(p256_key)
    with pytest.raises(KeyStoreError, match="wrong passphrase"):
        KeyWrapper("incorrect horse battery staple", cost=QUICK).unwrap(wrapped)


@pytest.mark.parametrize("field", ["ln", "salt", "iv", "ct"])
def test_an_altered_envelope_does_not_open(ed25519_key: PrivateKey, field: str) -> None:
    envelope = json.loads(KeyWrapper(PASSPHRASE, cost=QUICK).wrap(ed25519_key))
    if field == "ln":
        envelope["ln"] = 11
    else:
        raw = bytearray(base64.urlsafe_b64decode(envelope[field] + "=="))
        raw[0] ^= 1
        envelope[field] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(KeyStoreError):
        KeyWrapper(PASSPHRASE, cost=QUICK).unwrap(json.dumps(envelope))


@pytest.mark.parametrize(
    "data",
    [
        "",
        "not json",
        "[]",
        json.dumps({"format": "other"}),
        json.dumps({"format": WRAPPED_KEY_FORMAT, "kdf": "pbkdf2", "cipher": "A256GCM"}),
        json.dumps({"format": WRAPPED_KEY_FORMAT, "kdf": "scrypt", "cipher": "A256GCM", "ln": 40}),
    ],
)
def test_a_malformed_envelope_is_a_key_store_error(data: str) -> None:
    with pytest.raises(KeyStoreError):
        KeyWrapper(PASSPHRASE, cost=QUICK).unwrap(data)


def test_a_hostile_work_factor_is_refused_before_deriving() -> None:
    with pytest.raises(KeyStoreError, match="out of the supported range"):
        ScryptCost(ln=30)


def test_keys_stored_before_envelopes_still_open(any_key: PrivateKey) -> None:
    """The old format: PKCS#8 PEM encrypted with PBKDF2 at 2,048 iterations."""
    old = legacy_pem(any_key, PASSPHRASE)
    assert old.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    wrapper = KeyWrapper(PASSPHRASE, cost=QUICK)
    assert wrapper.unwrap(old.decode()).public_key() == any_key.public_key()
    assert not wrapper.is_current(old.decode())
    with pytest.raises(KeyStoreError, match="wrong passphrase"):
        KeyWrapper("incorrect horse battery staple", cost=QUICK).unwrap(old)


@pytest.mark.parametrize("passphrase", ["", "hunter2", "x" * (MIN_PASSPHRASE_LENGTH - 1)])
def test_short_passphrase_is_refused(passphrase: str) -> None:
    with pytest.raises(KeyStoreError, match="at least 12 characters") as raised:
        KeyWrapper(passphrase, cost=QUICK)
    if passphrase:
        assert passphrase not in str(raised.value)


def test_passphrase_of_minimum_length_is_accepted(ed25519_key: PrivateKey) -> None:
    wrapper = KeyWrapper("p" * MIN_PASSPHRASE_LENGTH, cost=QUICK)
    assert wrapper.unwrap(wrapper.wrap(ed25519_key)).public_key() == ed25519_key.public_key()


# -- legacy PEM and explicit plaintext ---------------------------------------------------------


def test_wrong_passphrase_gives_a_key_store_error_without_secrets(p256_key: PrivateKey) -> None:
    pem = legacy_pem(p256_key, PASSPHRASE)
    wrong = "incorrect horse battery staple"
    with pytest.raises(KeyStoreError, match="wrong passphrase") as raised:
        load_private_key(pem, wrong)
    message = str(raised.value)
    assert wrong not in message
    assert PASSPHRASE not in message
    assert "-----" not in message
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_encrypted_key_without_passphrase_is_refused(ed25519_key: PrivateKey) -> None:
    with pytest.raises(KeyStoreError, match="no passphrase was given"):
        load_private_key(legacy_pem(ed25519_key, PASSPHRASE), None)


def test_plaintext_pem_is_refused_by_default(ed25519_key: PrivateKey) -> None:
    pem = export_plaintext_private_key(ed25519_key, allow_plaintext=True)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    with pytest.raises(KeyStoreError, match="refusing an unencrypted private key"):
        load_private_key(pem, None)
    with pytest.raises(KeyStoreError, match="refusing an unencrypted private key"):
        load_private_key(pem, PASSPHRASE)
    with pytest.raises(KeyStoreError, match="refusing an unencrypted private key"):
        KeyWrapper(PASSPHRASE, cost=QUICK).unwrap(pem)


def test_plaintext_pem_loads_when_allowed(any_key: PrivateKey) -> None:
    pem = export_plaintext_private_key(any_key, allow_plaintext=True)
    assert load_private_key(pem, None, allow_plaintext=True).public_key() == any_key.public_key()
    again = load_private_key(pem, PASSPHRASE, allow_plaintext=True)
    assert again.public_key() == any_key.public_key()
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(legacy_pem(any_key, PASSPHRASE), None)


@pytest.mark.parametrize("flag", [False, 1, "yes"])
def test_plaintext_export_is_refused_without_the_flag(ed25519_key: PrivateKey, flag: bool) -> None:
    with pytest.raises(KeyStoreError, match="allow_plaintext"):
        export_plaintext_private_key(ed25519_key, allow_plaintext=flag)
    with pytest.raises(KeyStoreError, match="allow_plaintext"):
        export_secret_multikey(ed25519_key, allow_plaintext=flag)


def test_secret_multikey_export_is_for_ed25519_only(p256_key: PrivateKey) -> None:
    with pytest.raises(KeysError, match="no secret Multikey"):
        export_secret_multikey(p256_key, allow_plaintext=True)


def test_secret_multikey_export_round_trips(ed25519_key: PrivateKey) -> None:
    exported = export_secret_multikey(ed25519_key, allow_plaintext=True)
    assert exported.startswith("z3u2")
    assert PrivateKey.from_secret_multikey(exported).public_key() == ed25519_key.public_key()


def test_garbage_pem_gives_a_key_store_error() -> None:
    with pytest.raises(KeyStoreError, match="not a supported PEM private key"):
        load_private_key(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", None)
