"""KeySigner against the shape of the ``Signer`` protocol that ``badges`` declares."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pytest

from keys import KeysError, KeySigner, PrivateKey


@runtime_checkable
class SignerShape(Protocol):
    """The members of ``badges.ports.Signer``, restated so this test imports only ``keys``."""

    @property
    def key_id(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


def test_key_signer_has_the_signer_shape(any_key: PrivateKey) -> None:
    signer: SignerShape = KeySigner(any_key, "did:web:example.com#key-1")
    assert isinstance(signer, SignerShape)
    assert signer.key_id == "did:web:example.com#key-1"
    assert signer.algorithm == any_key.algorithm
    assert isinstance(type(signer).__dict__["key_id"], property)
    assert isinstance(type(signer).__dict__["algorithm"], property)


def test_key_signer_signatures_verify_with_the_key(any_key: PrivateKey) -> None:
    signer = KeySigner(any_key, "kid-1")
    signature = signer.sign(b"header.payload")
    assert any_key.public_key().verify(signature, b"header.payload")
    assert signer.public_key == any_key.public_key()


def test_key_signer_needs_a_key_id(any_key: PrivateKey) -> None:
    with pytest.raises(KeysError, match="non-empty key id"):
        KeySigner(any_key, "")


def test_key_signer_properties_are_read_only(any_key: PrivateKey) -> None:
    signer = KeySigner(any_key, "kid-1")
    with pytest.raises(AttributeError):
        signer.key_id = "other"  # type: ignore[misc]
