"""Shared fixtures for the keys tests: one key per type, RSA generated once per session."""

from __future__ import annotations

import pytest

from keys import PrivateKey, generate_key


@pytest.fixture(scope="session")
def rsa_key() -> PrivateKey:
    """An RSA-3072 key; generating one takes long enough to share it."""
    return generate_key("RSA-3072")


@pytest.fixture(scope="session")
def ed25519_key() -> PrivateKey:
    return generate_key("Ed25519")


@pytest.fixture(scope="session")
def p256_key() -> PrivateKey:
    return generate_key("P-256")


@pytest.fixture(params=["Ed25519", "P-256", "RSA-3072"])
def any_key(
    request: pytest.FixtureRequest,
    ed25519_key: PrivateKey,
    p256_key: PrivateKey,
    rsa_key: PrivateKey,
) -> PrivateKey:
    """Each supported key type in turn."""
    return {"Ed25519": ed25519_key, "P-256": p256_key, "RSA-3072": rsa_key}[request.param]
