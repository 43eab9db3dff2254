"""Key rotation as a pure model: records in, records out, time passed in as ``now``.

An issuer holds key records per signing family. Rotating adds a new active record and retires
the active one(s) of the same family; retired records are kept, because their public keys must
stay published (DID document, JWK Set) for credentials signed before the rotation to verify.
The newest active record of a family is the one that signs.

A family is a signing algorithm: RSA keys of every size sign RS256 and form one family, so a
new ``RSA-3072`` key retires an active ``RSA-2048`` one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from keys._public import KeyType, PublicKey, algorithm_for
from keys.errors import KeyNotFoundError, KeysError


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise KeysError(f"{name} must be a timezone-aware datetime (UTC)")


@dataclass(frozen=True)
class KeyRecord:
    """One key of an issuer, as stored next to its private half.

    Attributes:
        kid: The key id (the key store id, and the basis of the published id).
        key_type: The public key's type.
        created_at: When the key was made (timezone-aware).
        retired_at: When it stopped signing, or ``None`` while it is active.
        public: The public key.
    """

    kid: str
    key_type: KeyType
    created_at: datetime
    retired_at: datetime | None
    public: PublicKey

    def __post_init__(self) -> None:
        """Check that the record is consistent.

        Raises:
            KeysError: an empty ``kid``, a ``key_type`` other than the public key's, naive
                datetimes, or ``retired_at`` before ``created_at``.
        """
        if not self.kid:
            raise KeysError("a key record needs a non-empty kid")
        if self.key_type != self.public.key_type:
            raise KeysError(
                f"key record {self.kid!r} says {self.key_type} but holds a "
                f"{self.public.key_type} key"
            )
        _require_aware(self.created_at, "created_at")
        if self.retired_at is not None:
            _require_aware(self.retired_at, "retired_at")
            if self.retired_at < self.created_at:
                raise KeysError(f"key record {self.kid!r} is retired before it was created")

    @property
    def is_active(self) -> bool:
        """Whether the key may still sign."""
        return self.retired_at is None


def _same_family(record: KeyRecord, key_type: KeyType) -> bool:
    return algorithm_for(record.key_type) == algorithm_for(key_type)


def rotate(records: Sequence[KeyRecord], new_record: KeyRecord, now: datetime) -> list[KeyRecord]:
    """Retire the active key(s) of ``new_record``'s family and append ``new_record``.

    The input is not changed.

    Args:
        records: The issuer's current records.
        new_record: The new, active record.
        now: The rotation time (timezone-aware); becomes ``retired_at`` of retired records.

    Returns:
        The records after rotation, in their old order with ``new_record`` last.

    Raises:
        KeysError: ``new_record`` is already retired, its ``kid`` is taken, or ``now`` is
            naive or earlier than the creation of a record it would retire.
    """
    _require_aware(now, "now")
    if not new_record.is_active:
        raise KeysError(f"the new key record {new_record.kid!r} is already retired")
    if any(r.kid == new_record.kid for r in records):
        raise KeysError(f"a key record with kid {new_record.kid!r} already exists")
    rotated: list[KeyRecord] = []
    for record in records:
        if record.is_active and _same_family(record, new_record.key_type):
            record = dataclasses.replace(record, retired_at=now)
        rotated.append(record)
    rotated.append(new_record)
    return rotated


def active(records: Sequence[KeyRecord], key_type: KeyType) -> KeyRecord:
    """Return the record that signs for ``key_type``'s family: the newest active one.

    Args:
        records: The issuer's records.
        key_type: The wanted key type; any RSA size selects the RS256 family.

    Returns:
        The newest active record (by ``created_at``; on a tie, the later in ``records``).

    Raises:
        KeyNotFoundError: no active record of that family.
    """
    candidates = [r for r in records if r.is_active and _same_family(r, key_type)]
    if not candidates:
        raise KeyNotFoundError(f"no active {key_type} key")
    # max() keeps the first of equal items; reversing makes the later record win a tie.
    return max(reversed(candidates), key=lambda r: r.created_at)
