"""Private keys at rest: passphrase-encrypted PKCS#8 PEM, and key stores keyed by key id.

Keys are written as ``ENCRYPTED PRIVATE KEY`` PEM (PKCS#8 with the best encryption
``cryptography`` offers). Plaintext private keys are refused both ways unless the caller says
``allow_plaintext=True``, which is meant for tests and one-off imports, not for a running
service. Passphrases must be at least :data:`MIN_PASSPHRASE_LENGTH` characters.

A :class:`KeyStore` maps a key id to a private key. :class:`FileKeyStore` keeps one file per
key in a directory only its owner can read; :class:`MemoryKeyStore` keeps keys in memory. A
database-backed store belongs to ``app/`` and implements the same protocol.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from keys._codec import ED25519_PRIV_HEADER, multibase_encode
from keys._private import PrivateKey, wrap_loaded_key
from keys.errors import KeyNotFoundError, KeyStoreError

MIN_PASSPHRASE_LENGTH: Final = 12

_FILE_MODE: Final = 0o600
_DIR_MODE: Final = 0o700
_SUFFIX: Final = ".pem"
# A key id becomes a file name as it is, so it may only use characters that cannot name another
# directory: no separators, no leading dot (hidden files, "." and ".."), bounded length.
# (RFC 7638 thumbprints are base64url, so they may start with "-" or "_".)
_KID: Final = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._:#%~+=@-]{0,199}")


def _check_passphrase(passphrase: str) -> bytes:
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise KeyStoreError(
            f"the passphrase is too short: private keys need a passphrase of at least "
            f"{MIN_PASSPHRASE_LENGTH} characters"
        )
    return passphrase.encode("utf-8")


def encrypt_private_key(key: PrivateKey, passphrase: str) -> bytes:
    """Serialise ``key`` as a passphrase-encrypted PKCS#8 PEM (``ENCRYPTED PRIVATE KEY``).

    Args:
        key: The private key.
        passphrase: At least :data:`MIN_PASSPHRASE_LENGTH` characters.

    Returns:
        The PEM bytes.

    Raises:
        KeyStoreError: the passphrase is empty or too short.
    """
    password = _check_passphrase(passphrase)
    return key._pkcs8_pem(serialization.BestAvailableEncryption(password))


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


@runtime_checkable
class KeyStore(Protocol):
    """Private keys by key id."""

    def save(self, kid: str, key: PrivateKey) -> None:
        """Store ``key`` under ``kid``; raise :class:`KeyStoreError` if ``kid`` is taken."""
        ...

    def load(self, kid: str) -> PrivateKey:
        """Return the key stored under ``kid``; raise :class:`KeyNotFoundError` if none."""
        ...

    def exists(self, kid: str) -> bool:
        """Whether a key is stored under ``kid``."""
        ...

    def delete(self, kid: str) -> None:
        """Remove the key stored under ``kid``; raise :class:`KeyNotFoundError` if none."""
        ...

    def kids(self) -> list[str]:
        """The stored key ids, sorted."""
        ...


def check_kid(kid: str) -> str:
    """Check that ``kid`` is usable as a stored key id.

    A key id is 1-200 characters from ``A-Z a-z 0-9 . _ : # % ~ + = @ -``, starting with a
    letter or digit. RFC 7638 thumbprints and ids such as ``issuer-1.key-2`` fit; map URLs to
    such ids in the caller.

    Args:
        kid: The key id.

    Returns:
        ``kid`` unchanged.

    Raises:
        KeyStoreError: ``kid`` is empty, too long, or could name a path (``/``, ``..``,
            a leading dot, control characters).
    """
    if not isinstance(kid, str) or not _KID.fullmatch(kid):
        raise KeyStoreError(
            "invalid key id: use 1-200 characters from A-Z a-z 0-9 . _ : # % ~ + = @ -, "
            "not starting with a dot (no path separators)"
        )
    return kid


class FileKeyStore:
    """One encrypted PEM file per key id in a directory readable by its owner only.

    Files are created with mode 0600 and written atomically; the directory is created with
    mode 0700. Existing keys are never overwritten: delete a key before reusing its id.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        passphrase: str | None,
        *,
        allow_plaintext: bool = False,
    ) -> None:
        """Open (and create if needed) a key directory.

        Args:
            directory: Where the key files live.
            passphrase: Encrypts new keys and decrypts stored ones; at least
                :data:`MIN_PASSPHRASE_LENGTH` characters. ``None`` only with
                ``allow_plaintext``, and then keys are written unencrypted.
            allow_plaintext: Accept unencrypted key files (and write them when there is no
                passphrase). Meant for tests.

        Raises:
            KeyStoreError: the passphrase is missing or too short, or the directory cannot be
                created.
        """
        if passphrase is None and not allow_plaintext:
            raise KeyStoreError(
                "a passphrase is required (at least "
                f"{MIN_PASSPHRASE_LENGTH} characters) unless allow_plaintext=True"
            )
        if passphrase is not None:
            _check_passphrase(passphrase)
        self._passphrase = passphrase
        self._allow_plaintext = allow_plaintext
        self._directory = Path(directory)
        try:
            # makedirs' mode is filtered by the umask, so set it again on a fresh directory.
            if not self._directory.is_dir():
                self._directory.mkdir(mode=_DIR_MODE, parents=True)
                self._directory.chmod(_DIR_MODE)
        except OSError as exc:
            raise KeyStoreError(f"cannot create the key directory: {exc.strerror}") from None

    @property
    def directory(self) -> Path:
        """The key directory."""
        return self._directory

    def _path(self, kid: str) -> Path:
        path = self._directory / (check_kid(kid) + _SUFFIX)
        # Defence in depth: the pattern already forbids separators.
        if path.parent != self._directory:
            raise KeyStoreError("invalid key id: it would leave the key directory")
        return path

    def save(self, kid: str, key: PrivateKey) -> None:
        """Encrypt ``key`` and write it to ``<directory>/<kid>.pem`` with mode 0600.

        Raises:
            KeyStoreError: an invalid ``kid``, a key already stored under it, or an I/O error.
        """
        path = self._path(kid)
        if self._passphrase is not None:
            data = encrypt_private_key(key, self._passphrase)
        else:
            data = export_plaintext_private_key(key, allow_plaintext=self._allow_plaintext)
        # Write beside the target under a name no key id can have, then link it into place:
        # os.link fails if the target exists, so a concurrent save cannot overwrite a key.
        tmp = self._directory / f".{secrets.token_hex(8)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
            try:
                os.fchmod(fd, _FILE_MODE)
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.link(tmp, path)
        except FileExistsError:
            raise KeyStoreError(f"a key is already stored under id {kid!r}") from None
        except OSError as exc:
            raise KeyStoreError(f"cannot write key {kid!r}: {exc.strerror}") from None
        finally:
            tmp.unlink(missing_ok=True)

    def load(self, kid: str) -> PrivateKey:
        """Read and decrypt the key stored under ``kid``.

        Raises:
            KeyNotFoundError: nothing is stored under ``kid``.
            KeyStoreError: an invalid ``kid``, a wrong passphrase, a refused plaintext file, or
                a key file others can read or write.
        """
        path = self._path(kid)
        try:
            mode = path.stat().st_mode
            data = path.read_bytes()
        except FileNotFoundError:
            raise KeyNotFoundError(f"no key is stored under id {kid!r}") from None
        except OSError as exc:
            raise KeyStoreError(f"cannot read key {kid!r}: {exc.strerror}") from None
        if stat.S_IMODE(mode) & 0o077:
            raise KeyStoreError(
                f"key file for id {kid!r} is accessible to other users; chmod it to 600"
            )
        return load_private_key(data, self._passphrase, allow_plaintext=self._allow_plaintext)

    def exists(self, kid: str) -> bool:
        """Whether a key file exists for ``kid``.

        Raises:
            KeyStoreError: an invalid ``kid``.
        """
        return self._path(kid).is_file()

    def delete(self, kid: str) -> None:
        """Remove the key file of ``kid``.

        Raises:
            KeyNotFoundError: nothing is stored under ``kid``.
            KeyStoreError: an invalid ``kid``.
        """
        try:
            self._path(kid).unlink()
        except FileNotFoundError:
            raise KeyNotFoundError(f"no key is stored under id {kid!r}") from None

    def kids(self) -> list[str]:
        """The key ids stored in the directory, sorted."""
        found = (p.name.removesuffix(_SUFFIX) for p in self._directory.glob("*" + _SUFFIX))
        return sorted(kid for kid in found if _KID.fullmatch(kid))

    def __repr__(self) -> str:
        return (
            f"FileKeyStore(directory={str(self._directory)!r}, "
            f"encrypted={self._passphrase is not None})"
        )


class MemoryKeyStore:
    """Keys held in memory for the life of the process (tests, short-lived tools)."""

    def __init__(self) -> None:
        """Start empty."""
        self._keys: dict[str, PrivateKey] = {}

    def save(self, kid: str, key: PrivateKey) -> None:
        """Store ``key`` under ``kid``.

        Raises:
            KeyStoreError: an invalid ``kid``, or a key already stored under it.
        """
        if check_kid(kid) in self._keys:
            raise KeyStoreError(f"a key is already stored under id {kid!r}")
        self._keys[kid] = key

    def load(self, kid: str) -> PrivateKey:
        """Return the key stored under ``kid``.

        Raises:
            KeyNotFoundError: nothing is stored under ``kid``.
        """
        try:
            return self._keys[kid]
        except KeyError:
            raise KeyNotFoundError(f"no key is stored under id {kid!r}") from None

    def exists(self, kid: str) -> bool:
        """Whether a key is stored under ``kid``."""
        return kid in self._keys

    def delete(self, kid: str) -> None:
        """Forget the key stored under ``kid``.

        Raises:
            KeyNotFoundError: nothing is stored under ``kid``.
        """
        if self._keys.pop(kid, None) is None:
            raise KeyNotFoundError(f"no key is stored under id {kid!r}")

    def kids(self) -> list[str]:
        """The stored key ids, sorted."""
        return sorted(self._keys)

    def __repr__(self) -> str:
        return f"MemoryKeyStore(kids={self.kids()!r})"
