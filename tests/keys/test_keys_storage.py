"""Encrypted PEM storage, plaintext refusal and the file and memory key stores."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from keys import (
    MIN_PASSPHRASE_LENGTH,
    FileKeyStore,
    KeyNotFoundError,
    KeysError,
    KeyStore,
    KeyStoreError,
    MemoryKeyStore,
    PrivateKey,
    encrypt_private_key,
    export_plaintext_private_key,
    export_secret_multikey,
    generate_key,
    load_private_key,
)

PASSPHRASE = "correct horse battery staple"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- encrypt / load ----------------------------------------------------------------------------


def test_encrypted_pem_round_trips(any_key: PrivateKey) -> None:
    pem = encrypt_private_key(any_key, PASSPHRASE)
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = load_private_key(pem, PASSPHRASE)
    assert loaded.public_key() == any_key.public_key()
    assert loaded.public_key().verify(loaded.sign(b"x"), b"x")


def test_encrypted_pem_is_really_encrypted(ed25519_key: PrivateKey) -> None:
    pem = encrypt_private_key(ed25519_key, PASSPHRASE)
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(pem, None)


@pytest.mark.parametrize("passphrase", ["", "hunter2", "x" * (MIN_PASSPHRASE_LENGTH - 1)])
def test_short_passphrase_is_refused(ed25519_key: PrivateKey, passphrase: str) -> None:
    with pytest.raises(KeyStoreError, match="at least 12 characters") as raised:
        encrypt_private_key(ed25519_key, passphrase)
    if passphrase:
        assert passphrase not in str(raised.value)


def test_passphrase_of_minimum_length_is_accepted(ed25519_key: PrivateKey) -> None:
    passphrase = "p" * MIN_PASSPHRASE_LENGTH
    pem = encrypt_private_key(ed25519_key, passphrase)
    assert load_private_key(pem, passphrase).public_key() == ed25519_key.public_key()


def test_wrong_passphrase_gives_a_key_store_error_without_secrets(p256_key: PrivateKey) -> None:
    pem = encrypt_private_key(p256_key, PASSPHRASE)
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
    pem = encrypt_private_key(ed25519_key, PASSPHRASE)
    with pytest.raises(KeyStoreError, match="no passphrase was given"):
        load_private_key(pem, None)


def test_plaintext_pem_is_refused_by_default(ed25519_key: PrivateKey) -> None:
    pem = export_plaintext_private_key(ed25519_key, allow_plaintext=True)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    with pytest.raises(KeyStoreError, match="refusing an unencrypted private key"):
        load_private_key(pem, None)
    with pytest.raises(KeyStoreError, match="refusing an unencrypted private key"):
        load_private_key(pem, PASSPHRASE)


def test_plaintext_pem_loads_when_allowed(any_key: PrivateKey) -> None:
    pem = export_plaintext_private_key(any_key, allow_plaintext=True)
    assert load_private_key(pem, None, allow_plaintext=True).public_key() == any_key.public_key()
    again = load_private_key(pem, PASSPHRASE, allow_plaintext=True)
    assert again.public_key() == any_key.public_key()


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


# -- FileKeyStore ------------------------------------------------------------------------------


def test_file_store_round_trip_with_private_permissions(
    tmp_path: Path, any_key: PrivateKey
) -> None:
    directory = tmp_path / "keys"
    store = FileKeyStore(directory, PASSPHRASE)
    assert _mode(directory) == 0o700
    store.save("issuer-1.key-1", any_key)
    path = directory / "issuer-1.key-1.pem"
    assert _mode(path) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert store.exists("issuer-1.key-1")
    assert store.load("issuer-1.key-1").public_key() == any_key.public_key()
    # Another store on the same directory needs the same passphrase.
    with pytest.raises(KeyStoreError, match="wrong passphrase"):
        FileKeyStore(directory, "another passphrase entirely").load("issuer-1.key-1")


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_file_store_modes_do_not_depend_on_the_umask(
    tmp_path: Path, ed25519_key: PrivateKey, umask: int
) -> None:
    previous = os.umask(umask)
    try:
        store = FileKeyStore(tmp_path / "fresh", PASSPHRASE)
        store.save("k1", ed25519_key)
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "fresh") == 0o700
    assert _mode(tmp_path / "fresh" / "k1.pem") == 0o600


@pytest.mark.parametrize(
    "kid",
    [
        "../escape",
        "..",
        ".",
        "a/../../b",
        "/etc/passwd",
        "sub/dir",
        "back\\slash",
        ".hidden",
        "",
        "nul\x00byte",
        "new\nline",
        "x" * 201,
    ],
)
def test_file_store_refuses_key_ids_that_could_name_a_path(
    tmp_path: Path, ed25519_key: PrivateKey, kid: str
) -> None:
    store = FileKeyStore(tmp_path / "keys", PASSPHRASE)
    with pytest.raises(KeyStoreError, match="invalid key id"):
        store.save(kid, ed25519_key)
    with pytest.raises(KeyStoreError, match="invalid key id"):
        store.load(kid)
    with pytest.raises(KeyStoreError, match="invalid key id"):
        store.exists(kid)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["keys"]


def test_file_store_accepts_thumbprints_and_did_style_ids(
    tmp_path: Path, ed25519_key: PrivateKey
) -> None:
    store = FileKeyStore(tmp_path, PASSPHRASE)
    kids = [ed25519_key.thumbprint(), "did:web:example.com%3A8000#key-1"]
    for kid in kids:
        store.save(kid, ed25519_key)
    assert store.kids() == sorted(kids)


def test_file_store_never_overwrites_a_key(tmp_path: Path, ed25519_key: PrivateKey) -> None:
    store = FileKeyStore(tmp_path, PASSPHRASE)
    store.save("k1", ed25519_key)
    with pytest.raises(KeyStoreError, match="already stored under id 'k1'"):
        store.save("k1", generate_key("Ed25519"))
    assert store.load("k1").public_key() == ed25519_key.public_key()
    assert [p.name for p in tmp_path.iterdir()] == ["k1.pem"]


def test_file_store_missing_key_and_delete(tmp_path: Path, ed25519_key: PrivateKey) -> None:
    store = FileKeyStore(tmp_path, PASSPHRASE)
    with pytest.raises(KeyNotFoundError, match="no key is stored under id 'k1'"):
        store.load("k1")
    store.save("k1", ed25519_key)
    store.save("k2", ed25519_key)
    assert store.kids() == ["k1", "k2"]
    store.delete("k1")
    assert not store.exists("k1")
    assert store.kids() == ["k2"]
    with pytest.raises(KeyNotFoundError):
        store.delete("k1")


def test_file_store_refuses_a_key_file_others_can_read(
    tmp_path: Path, ed25519_key: PrivateKey
) -> None:
    store = FileKeyStore(tmp_path, PASSPHRASE)
    store.save("k1", ed25519_key)
    (tmp_path / "k1.pem").chmod(0o644)
    with pytest.raises(KeyStoreError, match="accessible to other users"):
        store.load("k1")


def test_file_store_refuses_plaintext_files_unless_allowed(
    tmp_path: Path, ed25519_key: PrivateKey
) -> None:
    plain = FileKeyStore(tmp_path, None, allow_plaintext=True)
    plain.save("k1", ed25519_key)
    assert (tmp_path / "k1.pem").read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert plain.load("k1").public_key() == ed25519_key.public_key()
    with pytest.raises(KeyStoreError, match="refusing an unencrypted private key"):
        FileKeyStore(tmp_path, PASSPHRASE).load("k1")


@pytest.mark.parametrize("passphrase", [None, "", "hunter2"])
def test_file_store_needs_a_long_enough_passphrase(tmp_path: Path, passphrase: str | None) -> None:
    with pytest.raises(KeyStoreError, match="12 characters"):
        FileKeyStore(tmp_path / "keys", passphrase)
    assert not (tmp_path / "keys").exists()


def test_file_store_reports_an_unusable_directory(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(KeyStoreError, match="cannot create the key directory"):
        FileKeyStore(tmp_path / "file", PASSPHRASE)


# -- MemoryKeyStore and the protocol -----------------------------------------------------------


def test_memory_store_behaves_like_the_file_store(ed25519_key: PrivateKey) -> None:
    store = MemoryKeyStore()
    store.save("k1", ed25519_key)
    assert store.load("k1") is ed25519_key
    assert store.exists("k1")
    with pytest.raises(KeyStoreError, match="already stored"):
        store.save("k1", ed25519_key)
    with pytest.raises(KeyStoreError, match="invalid key id"):
        store.save("../k2", ed25519_key)
    store.delete("k1")
    assert store.kids() == []
    with pytest.raises(KeyNotFoundError):
        store.load("k1")
    with pytest.raises(KeyNotFoundError):
        store.delete("k1")


def test_both_stores_implement_the_key_store_protocol(tmp_path: Path) -> None:
    stores: list[KeyStore] = [MemoryKeyStore(), FileKeyStore(tmp_path, PASSPHRASE)]
    assert all(isinstance(store, KeyStore) for store in stores)
    assert not isinstance(object(), KeyStore)


@pytest.mark.parametrize("kid", ["-Abc", "_abc", "-"])
def test_thumbprint_like_ids_may_start_with_a_dash_or_underscore(
    tmp_path: Path, ed25519_key: PrivateKey, kid: str
) -> None:
    store = FileKeyStore(tmp_path, PASSPHRASE)
    store.save(kid, ed25519_key)
    assert store.kids() == [kid]
