"""The rotation model: retiring active keys of a family and picking the signing key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from keys import (
    KeyNotFoundError,
    KeyRecord,
    KeysError,
    PrivateKey,
    PublicKey,
    active,
    generate_key,
    rotate,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _record(kid: str, public: PublicKey, created_at: datetime = T0) -> KeyRecord:
    return KeyRecord(kid, public.key_type, created_at, None, public)


def test_rotation_retires_the_active_key_of_the_same_type(
    ed25519_key: PrivateKey, p256_key: PrivateKey
) -> None:
    ed1 = _record("ed-1", ed25519_key.public_key())
    p1 = _record("p-1", p256_key.public_key())
    ed2 = _record("ed-2", generate_key("Ed25519").public_key(), T0 + timedelta(days=30))
    now = T0 + timedelta(days=30)
    records = rotate([ed1, p1], ed2, now)
    assert [r.kid for r in records] == ["ed-1", "p-1", "ed-2"]
    assert records[0].retired_at == now
    assert records[1].retired_at is None
    assert records[2] is ed2
    assert active(records, "Ed25519") is ed2
    assert active(records, "P-256") is p1
    # The input list and its records are left alone.
    assert ed1.retired_at is None


def test_rotation_keeps_already_retired_keys_as_they_were(ed25519_key: PrivateKey) -> None:
    public = ed25519_key.public_key()
    retired = KeyRecord("ed-0", "Ed25519", T0, T0 + timedelta(days=1), public)
    first = _record("ed-1", generate_key("Ed25519").public_key(), T0 + timedelta(days=1))
    second = _record("ed-2", generate_key("Ed25519").public_key(), T0 + timedelta(days=2))
    records = rotate([retired, first], second, T0 + timedelta(days=2))
    assert records[0] is retired
    assert records[1].retired_at == T0 + timedelta(days=2)
    assert [r.kid for r in records if r.is_active] == ["ed-2"]


def test_rsa_sizes_rotate_as_one_family(rsa_key: PrivateKey) -> None:
    small = generate_key("RSA-2048").public_key()
    old = _record("rsa-1", small)
    new = _record("rsa-2", rsa_key.public_key(), T0 + timedelta(days=1))
    records = rotate([old], new, T0 + timedelta(days=1))
    assert records[0].retired_at is not None
    assert active(records, "RSA-2048") is new
    assert active(records, "RSA-3072") is new


def test_active_picks_the_newest_active_record(ed25519_key: PrivateKey) -> None:
    public = ed25519_key.public_key()
    older = _record("a", public, T0)
    newer = _record("b", public, T0 + timedelta(hours=1))
    tie = _record("c", public, T0 + timedelta(hours=1))
    assert active([newer, older], "Ed25519") is newer
    assert active([older, newer, tie], "Ed25519") is tie


def test_active_without_a_key_raises_key_not_found(ed25519_key: PrivateKey) -> None:
    retired = KeyRecord("ed-0", "Ed25519", T0, T0, ed25519_key.public_key())
    with pytest.raises(KeyNotFoundError, match="no active P-256 key"):
        active([retired], "P-256")
    with pytest.raises(KeyNotFoundError, match="no active Ed25519 key"):
        active([retired], "Ed25519")
    with pytest.raises(KeyNotFoundError):
        active([], "RSA-3072")


def test_rotate_refuses_a_duplicate_kid_or_a_retired_new_record(ed25519_key: PrivateKey) -> None:
    public = ed25519_key.public_key()
    current = _record("ed-1", public)
    with pytest.raises(KeysError, match="already exists"):
        rotate([current], _record("ed-1", public), T0)
    retired = KeyRecord("ed-2", "Ed25519", T0, T0, public)
    with pytest.raises(KeysError, match="already retired"):
        rotate([current], retired, T0)


def test_rotate_refuses_a_time_before_the_active_key_was_made(ed25519_key: PrivateKey) -> None:
    current = _record("ed-1", ed25519_key.public_key(), T0)
    new = _record("ed-2", ed25519_key.public_key(), T0 - timedelta(days=1))
    with pytest.raises(KeysError, match="retired before it was created"):
        rotate([current], new, T0 - timedelta(days=1))


def test_rotate_refuses_naive_datetimes(ed25519_key: PrivateKey) -> None:
    public = ed25519_key.public_key()
    with pytest.raises(KeysError, match="timezone-aware"):
        rotate([], _record("ed-1", public), datetime(2025, 1, 1))
    with pytest.raises(KeysError, match="timezone-aware"):
        KeyRecord("ed-1", "Ed25519", datetime(2025, 1, 1), None, public)


def test_key_record_type_must_match_its_key(ed25519_key: PrivateKey) -> None:
    with pytest.raises(KeysError, match="says P-256 but holds a Ed25519 key"):
        KeyRecord("k", "P-256", T0, None, ed25519_key.public_key())
    with pytest.raises(KeysError, match="non-empty kid"):
        KeyRecord("", "Ed25519", T0, None, ed25519_key.public_key())


def test_key_records_are_frozen(ed25519_key: PrivateKey) -> None:
    record = _record("k", ed25519_key.public_key())
    with pytest.raises(AttributeError):
        record.retired_at = T0  # type: ignore[misc]
