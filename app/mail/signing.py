"""DKIM signatures (RFC 6376) on outgoing mail, with the ``dkimpy`` package.

Configured by ``SHOMEI_DKIM_KEY_FILE`` (an RSA private key, PEM, PKCS#1 or PKCS#8),
``SHOMEI_DKIM_SELECTOR`` and ``SHOMEI_DKIM_DOMAIN`` (default: the domain of
``SHOMEI_MAIL_FROM``, which is what DMARC alignment asks for). The public key is published
as a TXT record at ``<selector>._domainkey.<domain>`` (docs/MAIL.md).
"""

from __future__ import annotations

from pathlib import Path

import dkim
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

# The headers a receiver shows or threads by; signing them stops them being changed on the way.
SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"MIME-Version",
    b"Content-Type",
    b"Content-Language",
    b"Auto-Submitted",
)


class DkimKeyError(ValueError):
    """The DKIM key file cannot be read or is not an RSA private key."""


class DkimSigner:
    def __init__(self, key_file: Path, selector: str, domain: str):
        try:
            self._key = key_file.read_bytes()
            parse_pem_private_key(self._key)
        except (OSError, UnparsableKeyError) as error:
            raise DkimKeyError(
                f"SHOMEI_DKIM_KEY_FILE {key_file} is not a readable RSA private key (PEM): {error}"
            ) from None
        self._selector = selector.encode("ascii")
        self._domain = domain.encode("idna")

    def sign(self, message: bytes) -> bytes:
        """``message`` with a ``DKIM-Signature`` header in front (relaxed/relaxed, rsa-sha256)."""
        signature: bytes = dkim.sign(
            message,
            self._selector,
            self._domain,
            self._key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(SIGNED_HEADERS),
        )
        return signature + message
