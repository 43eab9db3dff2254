"""Helpers shared by the tests: vector paths, a fixed clock, an in-memory signer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

VECTORS = Path(__file__).resolve().parent / "vectors"
FIXED_NOW = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)


class SeedSigner:
    """An Ed25519 signer over a known seed, for reproducing published signatures."""

    algorithm = "EdDSA"

    def __init__(self, seed: bytes, key_id: str) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.key_id = key_id

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


def load_json(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))
