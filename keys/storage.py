"""Private keys at rest: a passphrase-wrapped envelope, legacy PKCS#8 PEM, explicit exports.

A private key is stored as a small self-describing JSON envelope: its PKCS#8 DER encrypted
with AES-256-GCM (NIST SP 800-38D) under a key derived from the passphrase with scrypt
(RFC 7914), with the work factor written beside the salt so that it can be raised later
without losing the keys written before::

    {"format": "shomei-wrapped-key/1", "kdf": "scrypt", "ln": 17, "r": 8, "p": 1,
     "salt": "<base64url>", "cipher": "A256GCM", "iv": "<base64url>", "ct": "<base64url>"}

Every field but ``iv`` and ``ct`` is authenticated as associated data, so a changed work
factor or salt makes the envelope fail to open rather than open differently. The default work
factor, scrypt with N = 2^17, r = 8, p = 1, is the one OWASP's Password Storage Cheat Sheet
recommends (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#scrypt).

Keys written earlier as ``ENCRYPTED PRIVATE KEY`` PEM (PKCS#8 with PBKDF2 at the 2,048
iterations ``cryptography`` uses, which cannot be raised) still open; :meth:`KeyWrapper.is_current`
tells which stored keys to wrap again. Plaintext private keys are refused unless the caller
says ``allow_plaintext=True``. Passphrases must be at least :data:`MIN_PASSPHRASE_LENGTH`
characters.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from keys._codec import ED25519_PRIV_HEADER, b64url_decode, b64url_encode, multibase_encode
from keys._private import PrivateKey, wrap_loaded_key
from keys.errors import KeyFormatError, KeyStoreError

MIN_PASSPHRASE_LENGTH: Final = 12
WRAPPED_KEY_FORMAT: Final = "shomei-wrapped-key/1"

_SALT_BYTES: Final = 16
_IV_BYTES: Final = 12  # the GCM nonce size NIST SP 800-38D recommends
_KEK_BYTES: Final = 32  # AES-256
_CACHED_KEKS: Final = 64
# Bounds on the work factor an envelope may ask for: a corrupted or hostile envelope must not
# make the process derive with gigabytes of memory.
_LN_RANGE: Final = range(10, 23)
_R_RANGE: Final = range(1, 33)
_P_RANGE: Final = range(1, 17)


@dataclass(frozen=True)
class ScryptCost:
    """An scrypt work factor: N = 2**ln, block size r, parallelism p (RFC 7914 §2).

    Raises:
        KeyStoreError: a value outside the bounds this package accepts.
    """

    ln: int = 17
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        """Check the bounds."""
        if self.ln not in _LN_RANGE or self.r not in _R_RANGE or self.p not in _P_RANGE:
            raise KeyStoreError("the scrypt work factor is out of the supported range")


DEFAULT_COST: Final = ScryptCost()


def _check_passphrase(passphrase: str) -> bytes:
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise KeyStoreError(
            f"the passphrase is too short: private keys need a passphrase of at least "
            f"{MIN_PASSPHRASE_LENGTH} characters"
        )
    return passphrase.encode("utf-8")


def _header(cost: ScryptCost, salt: bytes) -> dict[str, Any]:
    return {
        "format": WRAPPED_KEY_FORMAT,
        "kdf": "scrypt",
        "ln": cost.ln,
        "r": cost.r,
        "p": cost.p,
        "salt": b64url_encode(salt),
        "cipher": "A256GCM",
    }


def _associated_data(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii")


def _parse_envelope(data: str) -> tuple[dict[str, Any], ScryptCost, bytes, bytes, bytes]:
    unreadable = KeyStoreError("the wrapped private key is corrupted or not a Shomei key envelope")
    try:
        envelope = json.loads(data)
    except ValueError:
        raise unreadable from None
    if not isinstance(envelope, dict) or envelope.get("format") != WRAPPED_KEY_FORMAT:
        raise unreadable
    if envelope.get("kdf") != "scrypt" or envelope.get("cipher") != "A256GCM":
        raise KeyStoreError("the wrapped private key uses an unsupported algorithm")
    numbers = [envelope.get(name) for name in ("ln", "r", "p")]
    if not all(type(n) is int for n in numbers):
        raise unreadable
    cost = ScryptCost(*(int(n) for n in numbers if n is not None))
    try:
        salt = b64url_decode(envelope.get("salt"), "salt")
        iv = b64url_decode(envelope.get("iv"), "iv")
        ciphertext = b64url_decode(envelope.get("ct"), "ct")
    except KeyFormatError:
        raise unreadable from None
    if len(salt) < _SALT_BYTES or len(iv) != _IV_BYTES:
        raise unreadable
    header = _header(cost, salt)
    return header, cost, salt, iv, ciphertext


class KeyWrapper:
    """Wraps private keys under one passphrase, and opens keys wrapped under it.

    Deriving the wrapping key is deliberately slow, so each derivation is kept (for this
    object's life, a bounded number of them): new keys share one salt per wrapper, and keys
    read back share the salt of the wrapper that wrote them.
    """

    def __init__(self, passphrase: str, *, cost: ScryptCost = DEFAULT_COST) -> None:
        """Hold ``passphrase`` for wrapping at ``cost``.

        Raises:
            KeyStoreError: the passphrase is shorter than :data:`MIN_PASSPHRASE_LENGTH`.
        """
        self._password = _check_passphrase(passphrase)
        self._cost = cost
        self._keks: dict[tuple[bytes, ScryptCost], AESGCM] = {}
        self._write_salt: bytes | None = None
        self._lock = threading.Lock()

    @property
    def cost(self) -> ScryptCost:
        """The work factor new keys are wrapped with."""
        return self._cost

    def _kek(self, salt: bytes, cost: ScryptCost) -> AESGCM:
        with self._lock:
            cached = self._keks.get((salt, cost))
            if cached is not None:
                return cached
            kdf = Scrypt(salt=salt, length=_KEK_BYTES, n=2**cost.ln, r=cost.r, p=cost.p)
            kek = AESGCM(kdf.derive(self._password))
            if len(self._keks) >= _CACHED_KEKS:
                self._keks.clear()
            self._keks[(salt, cost)] = kek
            return kek

    def wrap(self, key: PrivateKey) -> str:
        """Return ``key`` wrapped in a new envelope (JSON text, ASCII only)."""
        with self._lock:
            if self._write_salt is None:
                self._write_salt = os.urandom(_SALT_BYTES)
            salt = self._write_salt
        header = _header(self._cost, salt)
        iv = os.urandom(_IV_BYTES)
        der = key._pkcs8_der()
        ciphertext = self._kek(salt, self._cost).encrypt(iv, der, _associated_data(header))
        envelope = {**header, "iv": b64url_encode(iv), "ct": b64url_encode(ciphertext)}
        return json.dumps(envelope, separators=(",", ":"))

    def unwrap(self, data: str | bytes) -> PrivateKey:
        """Open a wrapped key, or a legacy passphrase-encrypted PKCS#8 PEM.

        Raises:
            KeyStoreError: a wrong passphrase or corrupted data (the message names neither
                the passphrase nor the data).
            KeyFormatError: a key type or size that is not supported.
        """
        text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
        if text.lstrip().startswith("-----BEGIN"):
            return load_private_key(text.encode("ascii", "replace"), self._password.decode())
        header, cost, salt, iv, ciphertext = _parse_envelope(text)
        try:
            der = self._kek(salt, cost).decrypt(iv, ciphertext, _associated_data(header))
        except InvalidTag:
            raise KeyStoreError(
                "could not open the private key: wrong passphrase, or the key was altered"
            ) from None
        with self._lock:
            # Writing under the salt of a key just opened saves a derivation, and is as safe:
            # every key shares the passphrase anyway, and each gets its own random IV.
            if self._write_salt is None and cost == self._cost:
                self._write_salt = salt
        try:
            loaded = serialization.load_der_private_key(der, None)
        except (ValueError, UnsupportedAlgorithm):
            raise KeyStoreError("the wrapped private key holds no supported key") from None
        return wrap_loaded_key(loaded)

    def is_current(self, data: str | bytes) -> bool:
        """Whether ``data`` is an envelope at this wrapper's work factor (no rewrap needed)."""
        text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
        try:
            _, cost, *_ = _parse_envelope(text)
        except KeyStoreError:
            return False
        return cost == self._cost

    def __repr__(self) -> str:
        return f"KeyWrapper(cost={self._cost!r})"


def export_plaintext_private_key(key: PrivateKey, *, allow_plaintext: bool) -> bytes:
    """Serialise ``key`` as an unencrypted PKCS#8 PEM (``PRIVATE KEY``).

    Args:
        key: The private key.
        allow_plaintext: Must be ``True``; the flag makes every plaintext export visible in
            the calling code.

    Returns:
        The PEM bytes.

    Raises:
        KeyStoreError: ``allow_plaintext`` is not ``True``.
    """
    if allow_plaintext is not True:
        raise KeyStoreError("refusing to export a private key unencrypted (allow_plaintext=False)")
    return key._pkcs8_pem(serialization.NoEncryption())


def export_secret_multikey(key: PrivateKey, *, allow_plaintext: bool) -> str:
    """Export an Ed25519 key as ``secretKeyMultibase``: ``z`` + base58btc(``0x8026`` || seed).

    Only the 32-byte seed form is written. Never publish the result.

    Args:
        key: An Ed25519 private key.
        allow_plaintext: Must be ``True``, as for :func:`export_plaintext_private_key`.

    Returns:
        The secret Multikey (``z3u2…``).

    Raises:
        KeyStoreError: ``allow_plaintext`` is not ``True``.
        KeysError: the key is not an Ed25519 key.
    """
    if allow_plaintext is not True:
        raise KeyStoreError("refusing to export a private key unencrypted (allow_plaintext=False)")
    return multibase_encode(ED25519_PRIV_HEADER + key._seed())


def load_private_key(
    pem: bytes, passphrase: str | None, *, allow_plaintext: bool = False
) -> PrivateKey:
    """Load a PEM private key, normally encrypted with ``passphrase``.

    Args:
        pem: PKCS#8 (or traditional OpenSSL) PEM bytes.
        passphrase: The passphrase of an encrypted PEM; ``None`` when it is plaintext.
        allow_plaintext: Accept an unencrypted PEM. Off by default, so that a key written in
            the clear by mistake is noticed rather than used.

    Returns:
        The private key.

    Raises:
        KeyStoreError: a wrong passphrase, corrupted data, a missing passphrase for an
            encrypted key, or a plaintext key while ``allow_plaintext`` is off.
        KeyFormatError: a key type or size that is not supported.
    """
    password = passphrase.encode("utf-8") if passphrase else None
    try:
        loaded = serialization.load_pem_private_key(pem, password)
    except TypeError:
        # cryptography raises TypeError when encryption and password do not go together.
        if password is None:
            raise KeyStoreError(
                "the private key is encrypted and no passphrase was given"
            ) from None
        if not allow_plaintext:
            raise _plaintext_refused() from None
        return load_private_key(pem, None, allow_plaintext=True)
    except (ValueError, UnsupportedAlgorithm):
        # Deliberately vague and unchained: the cause must not echo the data or the passphrase.
        raise KeyStoreError(
            "could not load the private key: wrong passphrase, or not a supported PEM private key"
        ) from None
    if password is None and not allow_plaintext:
        raise _plaintext_refused()
    return wrap_loaded_key(loaded)


def _plaintext_refused() -> KeyStoreError:
    return KeyStoreError(
        "refusing an unencrypted private key: encrypt it with a passphrase, "
        "or pass allow_plaintext=True"
    )
