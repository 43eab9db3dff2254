"""Signing events as Standard Webhooks says (https://www.standardwebhooks.com/, the
specification's "Signature scheme" section).

The secret is ``whsec_`` followed by the base64 of 32 random bytes (the spec asks for 24 to 64);
the key of the HMAC is those bytes. An event goes with three headers:

- ``webhook-id``: the event id, the same on every attempt (receivers de-duplicate by it);
- ``webhook-timestamp``: seconds since the Unix epoch when this attempt was signed;
- ``webhook-signature``: ``v1,`` and the base64 of HMAC-SHA256 (RFC 2104,
  https://www.rfc-editor.org/rfc/rfc2104) over ``{webhook-id}.{webhook-timestamp}.{body}``.

A receiver recomputes the HMAC over the exact body bytes it received, compares in constant
time, and refuses a timestamp too far from its clock (replay).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Final

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - the prefix of every secret, not one
SECRET_BYTES: Final = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value for ``body`` sent at ``timestamp``."""
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, event_id, timestamp, body),
    }
