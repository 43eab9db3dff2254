"""Status lists: allocating positions, recording changes, publishing signed lists.

Each issuer has numbered lists of 131,072 entries (the Bitstring Status List minimum, which
hides each holder among many). A list number is published twice, at
``/status/{slug}/revocation/{n}`` and ``/status/{slug}/suspension/{n}``, and a credential holds
the same position on both: position (list, index) is allocated once, at random, and a unique
constraint on the credential table guarantees no two credentials share it. When a list is half
full the next number opens, so a random free index is always found in a few draws and the
fill level of a list says little about how many badges an issuer has awarded.

Which bits are set is not stored: a bit is set while its credential is revoked (revocation
list) or suspended (suspension list). Each change bumps the list's version for that purpose;
a signed list is made once per version and kept in memory.

Each list is also published secured as a VC-JWT (``application/vc+jwt``) at the same URL with
``.jwt`` appended (Bitstring Status List v1.0 §3.1; VC-JOSE-COSE §3.1.1): credentials issued as
VC-JWTs point there, so a JOSE-only verifier checks their status with the same securing
mechanism as the credential itself.

Credentials carry only the revocation entry in ``credentialStatus``: the OB 3.0 JSON Schema
allows one status object there, not an array. The suspension entry of a credential is the
same list number and index on the suspension list (:func:`companion_entry`). Suspension is
therefore visible to this service's own verifier only.
"""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, cast

from sqlalchemy import Table, bindparam, insert, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.credentials.models import IssuedCredential
from app.errors import NotFoundError
from app.issuers import service as issuer_service
from app.issuers.models import Issuer
from app.keyring import Keyring
from app.published import STATUS, note_change
from app.status.models import StatusList
from app.urls import Urls
from app.wallets.models import WalletDelivery
from badges import data_integrity, status_list, vc_jwt
from badges.ob3 import format_datetime_stamp
from badges.schema import VCDM2_CONTEXT

Purpose = Literal["revocation", "suspension"]
PURPOSES: Final[tuple[Purpose, ...]] = ("revocation", "suspension")
LIST_SIZE: Final = status_list.MIN_ENTRIES
# Open the next list once this many positions are taken: random draws then hit a free
# index at least half the time.
FILL_LIMIT: Final = LIST_SIZE // 2
_MAX_DRAWS: Final = 64
# Verifiers may keep a list this long (BSL `ttl`, in ms), matching the HTTP max-age.
TTL_SECONDS: Final = 60
_STATUS_OF: Final[dict[str, str]] = {"revocation": "revoked", "suspension": "suspended"}
JWT_SUFFIX: Final = ".jwt"
# The algorithm the VC-JWT lists are signed with (every issuer holds a P-256 key).
LIST_JWT_ALGORITHM: Final = "ES256"
Securing = Literal["data-integrity", "jwt"]


# Issuing runs these on every credential: built once, they cost only their round trip, and
# they read and write columns, not ORM objects (no identity map, no unit of work), on the
# session's connection (Session.execute's ORM path would cost more than the query).
_LISTS = cast(Table, StatusList.__table__)
_CREDENTIALS = cast(Table, IssuedCredential.__table__)
_DELIVERIES = cast(Table, WalletDelivery.__table__)
# A position is taken by an issued credential or by a credential delivered into a wallet
# (app/wallets): both share each list's index space.
_TAKEN = select(
    or_(
        select(_CREDENTIALS.c.id)
        .where(
            _CREDENTIALS.c.status_list_id == bindparam("list_id"),
            _CREDENTIALS.c.status_index == bindparam("index"),
        )
        .exists(),
        select(_DELIVERIES.c.id)
        .where(
            _DELIVERIES.c.status_list_id == bindparam("list_id"),
            _DELIVERIES.c.status_index == bindparam("index"),
        )
        .exists(),
    )
)
_CURRENT_LIST = (
    select(
        _LISTS.c.id,
        _LISTS.c.number,
        _LISTS.c.capacity,
        _LISTS.c.allocated,
        or_(
            select(_CREDENTIALS.c.id)
            .where(
                _CREDENTIALS.c.status_list_id == _LISTS.c.id,
                _CREDENTIALS.c.status_index == bindparam("index"),
            )
            .exists(),
            select(_DELIVERIES.c.id)
            .where(
                _DELIVERIES.c.status_list_id == _LISTS.c.id,
                _DELIVERIES.c.status_index == bindparam("index"),
            )
            .exists(),
        ).label("taken"),
    )
    .where(_LISTS.c.issuer_id == bindparam("issuer_id"))
    .order_by(_LISTS.c.number.desc())
    .limit(1)
)
_CLAIM = (
    update(_LISTS)
    .where(_LISTS.c.id == bindparam("list_id"))
    .values(allocated=_LISTS.c.allocated + 1)
)
_OPEN = insert(_LISTS)


class PositionTakenError(IntegrityError):
    """A drawn status position was taken meanwhile; the caller retries with a fresh one.

    An ``IntegrityError``, as a lost race on a unique constraint is: every issuing path
    already rolls back and retries on one.
    """

    def __init__(self, position: Position | None) -> None:
        where = f"index {position.index}" if position is not None else "a drawn index"
        super().__init__(f"status list position taken: {where}", None, Exception(where))


def _indexes_by_list(positions: Iterable[Position]) -> dict[uuid.UUID, list[int]]:
    found: dict[uuid.UUID, list[int]] = {}
    for position in positions:
        if not position.opened:
            found.setdefault(position.status_list.id, []).append(position.index)
    return found


@dataclass(frozen=True)
class Position:
    """Where a credential sits on its issuer's status lists.

    ``opened``: the list is new, written by :func:`claim_position`; otherwise
    ``status_list`` carries the stored list's columns and is not attached to a session.
    """

    status_list: StatusList
    index: int
    opened: bool = False


def allocate_position(session: Session, issuer: Issuer, now: datetime) -> Position:
    """Pick a free random position on the issuer's current list (opening one if needed).

    Nothing is written yet: :func:`claim_position` does that in the issuing transaction. A
    concurrent issue may take the same index first; the unique constraint then fails that
    transaction and the caller retries.
    """
    return draw_position(session, issuer.id, now)


def draw_position(session: Session, issuer_id: uuid.UUID, now: datetime) -> Position:
    """:func:`allocate_position` by the issuer's id."""
    # One round trip for the usual case: the current list, and whether a first random
    # index on it is taken.
    index = secrets.randbelow(LIST_SIZE)
    connection = session.connection()
    found = connection.execute(_CURRENT_LIST, {"issuer_id": issuer_id, "index": index}).first()
    if found is None or found.allocated >= FILL_LIMIT:
        opened = StatusList(
            id=uuid.uuid4(),
            issuer_id=issuer_id,
            number=found.number + 1 if found else 1,
            capacity=LIST_SIZE,
            allocated=1,
            revocation_version=0,
            suspension_version=0,
            created_at=now,
        )
        return Position(opened, index, opened=True)
    list_id, number, capacity, allocated, index_taken = found
    current = StatusList(
        id=list_id, issuer_id=issuer_id, number=number, capacity=capacity, allocated=allocated
    )
    draws = 1
    while index_taken:
        # Below half full, 64 draws all landing on taken indexes has probability < 2**-64.
        if draws == _MAX_DRAWS:
            raise RuntimeError(f"no free index found on status list {list_id}")
        index = secrets.randbelow(capacity)
        index_taken = bool(connection.scalar(_TAKEN, {"list_id": list_id, "index": index}))
        draws += 1
    return Position(current, index)


def claim_position(session: Session, position: Position) -> None:
    """Write the allocation: a new list row, or one more on the current list's counter.

    A new list's number is unique per issuer: a concurrent issue that opened the same number
    first fails this transaction, and the caller retries with a fresh position.

    Raises:
        PositionTakenError: another credential or delivery took the position since the draw.
    """
    listing = position.status_list
    if position.opened:
        session.execute(
            _OPEN,
            {
                "id": listing.id,
                "issuer_id": listing.issuer_id,
                "number": listing.number,
                "capacity": listing.capacity,
                "allocated": 1,
                "revocation_version": 0,
                "suspension_version": 0,
                "created_at": listing.created_at,
            },
        )
        return
    connection = session.connection()
    connection.execute(_CLAIM, {"list_id": listing.id})
    # Issued credentials and wallet deliveries share the index space but not a unique
    # constraint. The UPDATE above holds the list's row until commit, and every claim on
    # the list takes it, so a claim made and committed by the other table since the draw is
    # seen now (PostgreSQL reads committed rows per statement; SQLite writes one at a time).
    if connection.scalar(_TAKEN, {"list_id": listing.id, "index": position.index}):
        raise PositionTakenError(position)


def allocate_positions(
    session: Session, issuer: Issuer, count: int, now: datetime, *, avoid: Set[int] = frozenset()
) -> list[Position]:
    """``count`` free random positions, all distinct, on one list (for a batch's chunk).

    As :func:`allocate_position`: nothing is written (:func:`claim_positions` does), and the
    unique constraint settles a race with a concurrent issue. ``avoid``: indexes on the
    current list this caller holds already. A list that ``count`` more would fill past half
    gives way to a new one.
    """
    current = session.scalar(
        select(StatusList)
        .where(StatusList.issuer_id == issuer.id)
        .order_by(StatusList.number.desc())
        .limit(1)
    )
    if current is None or current.allocated + count > FILL_LIMIT:
        current = StatusList(
            id=uuid.uuid4(),
            issuer_id=issuer.id,
            number=current.number + 1 if current else 1,
            capacity=LIST_SIZE,
            allocated=0,
            revocation_version=0,
            suspension_version=0,
            created_at=now,
        )
    fresh = inspect(current).transient
    chosen: set[int] = set()
    for _ in range(_MAX_DRAWS):
        wanted = count - len(chosen)
        if wanted == 0:
            break
        drawn = {secrets.randbelow(current.capacity) for _ in range(wanted)} - chosen - avoid
        if drawn and not fresh:
            drawn -= set(
                session.scalars(
                    select(IssuedCredential.status_index).where(
                        IssuedCredential.status_list_id == current.id,
                        IssuedCredential.status_index.in_(drawn),
                    )
                )
            )
            drawn -= set(
                session.scalars(
                    select(WalletDelivery.status_index).where(
                        WalletDelivery.status_list_id == current.id,
                        WalletDelivery.status_index.in_(drawn),
                    )
                )
            )
        chosen |= drawn
    else:
        raise RuntimeError(f"no {count} free indexes found on status list {current.id}")
    return [Position(current, index) for index in chosen]


def claim_positions(session: Session, positions: Iterable[Position]) -> None:
    """Write the allocations of :func:`allocate_positions` (one statement per list).

    Raises:
        PositionTakenError: a wallet delivery took one of the positions since the draw.
    """
    positions_list = list(positions)
    by_list: dict[uuid.UUID, tuple[StatusList, int]] = {}
    for position in positions_list:
        listing, taken = by_list.get(position.status_list.id, (position.status_list, 0))
        by_list[listing.id] = (listing, taken + 1)
    for listing, taken in by_list.values():
        if inspect(listing).transient:
            listing.allocated = taken
            session.add(listing)
            session.flush()
        else:
            session.execute(
                update(StatusList)
                .where(StatusList.id == listing.id)
                .values(allocated=StatusList.allocated + taken)
                .execution_options(synchronize_session=False)
            )
    # As in claim_position: a wallet delivery may have taken a drawn index meanwhile (taken
    # by an issued credential, the insert's own conflict handling redraws it).
    for listing_id, indexes in _indexes_by_list(positions_list).items():
        delivered = session.scalar(
            select(_DELIVERIES.c.id)
            .where(
                _DELIVERIES.c.status_list_id == listing_id,
                _DELIVERIES.c.status_index.in_(indexes),
            )
            .limit(1)
        )
        if delivered is not None:
            raise PositionTakenError(None)


def entry_for(
    urls: Urls, slug: str, number: int, index: int, purpose: Purpose, *, jwt: bool = False
) -> dict[str, Any]:
    """The ``BitstringStatusListEntry`` of a position for one purpose (``jwt``: the VC-JWT list)."""
    return status_list.StatusEntry(
        type="BitstringStatusListEntry",
        purpose=purpose,
        index=index,
        list_credential=urls.status_list(slug, purpose, number, jwt=jwt),
    ).to_json()


def companion_entry(entry: dict[str, Any], purpose: Purpose) -> dict[str, Any] | None:
    """The entry for ``purpose`` at the same position as one of our own entries.

    Credentials name only their revocation entry; their suspension entry is the same index
    of the same list number on the suspension list. Returns ``None`` for an entry that is
    not one of ours.
    """
    url = entry.get("statusListCredential")
    current = entry.get("statusPurpose")
    index = entry.get("statusListIndex")
    if not isinstance(url, str) or current not in PURPOSES or not isinstance(index, str):
        return None
    head, sep, number = url.rpartition(f"/{current}/")
    suffix = JWT_SUFFIX if number.endswith(JWT_SUFFIX) else ""
    number = number.removesuffix(suffix)
    if not sep or "/status/" not in head or not number.isdigit():
        return None
    return status_list.StatusEntry(
        type="BitstringStatusListEntry",
        purpose=purpose,
        index=int(index),
        list_credential=f"{head}/{purpose}/{number}{suffix}",
    ).to_json()


def record_change(session: Session, credential: IssuedCredential, purposes: set[Purpose]) -> None:
    """Bump the versions of the lists whose bit for ``credential`` changed (no commit)."""
    if purposes:
        note_change(session, STATUS)  # OB 2.0 revocation lists change too
    if not purposes:
        return
    values: dict[str, Any] = {}
    if "revocation" in purposes:
        values["revocation_version"] = StatusList.revocation_version + 1
    if "suspension" in purposes:
        values["suspension_version"] = StatusList.suspension_version + 1
    # The credential's own list, and the lists of every credential delivered from it into a
    # wallet: their bits follow its status (see _sign_list).
    delivered = select(WalletDelivery.status_list_id).where(
        WalletDelivery.credential_id == credential.id
    )
    changed: ColumnElement[bool] = StatusList.id.in_(delivered)
    if credential.status_list_id is not None:
        changed = or_(StatusList.id == credential.status_list_id, changed)
    session.execute(
        update(StatusList)
        .where(changed)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def record_new_position(session: Session, status_list_id: uuid.UUID, status: str) -> None:
    """Bump the version of the list a new position set from the start (a credential
    delivered from a suspended award) so a kept signed list is not served stale (no commit).
    """
    purpose = {"revoked": "revocation", "suspended": "suspension"}.get(status)
    if purpose is None:
        return
    note_change(session, STATUS)
    column = f"{purpose}_version"
    session.execute(
        update(StatusList)
        .where(StatusList.id == status_list_id)
        .values({column: getattr(StatusList, column) + 1})
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class SignedList:
    """A signed status list credential as served: the body and its entity tag.

    ``document`` is the list credential (for a VC-JWT, the credential its token carries).
    """

    document: dict[str, Any]
    body: bytes
    etag: str
    securing: Securing = "data-integrity"

    @property
    def media_type(self) -> str:
        return "application/vc+jwt" if self.securing == "jwt" else "application/vc+ld+json"


_Key = tuple[str, uuid.UUID, str, int, str]


class _Cache:
    """Signed lists by (base URL, list, purpose, version, securing); bounded, thread-safe."""

    def __init__(self, max_entries: int = 512) -> None:
        self._entries: OrderedDict[_Key, SignedList] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, key: _Key) -> SignedList | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: _Key, value: SignedList) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


_cache = _Cache()


def signed_status_list(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    slug: str,
    purpose: str,
    number: int,
    now: datetime,
    *,
    securing: Securing = "data-integrity",
) -> SignedList:
    """The current signed BitstringStatusListCredential of one list and purpose.

    ``securing`` chooses the rendition: a Data Integrity proof, or a VC-JWT.

    Raises:
        NotFoundError: no such issuer, list number or purpose.
    """
    if purpose not in PURPOSES:
        raise NotFoundError(f"{purpose!r} is not a status purpose (revocation, suspension)")
    issuer = issuer_service.get_issuer(session, slug)
    listing = session.scalar(
        select(StatusList).where(StatusList.issuer_id == issuer.id, StatusList.number == number)
    )
    if listing is None:
        raise NotFoundError(f"issuer {slug!r} has no status list {number}")
    # The version is read before the bits: a change committed in between is then at worst
    # published early under the older version, never hidden under the newer one.
    version = listing.revocation_version if purpose == "revocation" else listing.suspension_version
    key = (urls.base, listing.id, purpose, version, securing)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    signed = _sign_list(session, keyring, urls, issuer, listing, purpose, now, securing)
    _cache.put(key, signed)
    return signed


def status_list_document(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    slug: str,
    purpose: str,
    number: int,
    now: datetime,
) -> dict[str, Any]:
    """The signed status list credential as a JSON object (a copy, free to change).

    Raises:
        NotFoundError: no such issuer, list number or purpose.
    """
    signed = signed_status_list(session, keyring, urls, slug, purpose, number, now)
    return copy.deepcopy(signed.document)


def _sign_list(
    session: Session,
    keyring: Keyring,
    urls: Urls,
    issuer: Issuer,
    listing: StatusList,
    purpose: str,
    now: datetime,
    securing: Securing,
) -> SignedList:
    bits = status_list.new_bitstring(listing.capacity)
    indexes = session.scalars(
        select(IssuedCredential.status_index).where(
            IssuedCredential.status_list_id == listing.id,
            IssuedCredential.status == _STATUS_OF[purpose],
        )
    )
    # Credentials delivered into wallets have the status of the award they came from.
    delivered = session.scalars(
        select(WalletDelivery.status_index)
        .join(IssuedCredential, IssuedCredential.id == WalletDelivery.credential_id)
        .where(
            WalletDelivery.status_list_id == listing.id,
            IssuedCredential.status == _STATUS_OF[purpose],
        )
    )
    for index in [*indexes, *delivered]:
        if index is not None:
            status_list.set_bit(bits, index, 1)
    url = urls.status_list(issuer.slug, purpose, listing.number, jwt=securing == "jwt")
    unsigned: dict[str, Any] = {
        "@context": [VCDM2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": urls.issuer_did(issuer.slug),
        "validFrom": format_datetime_stamp(now, "validFrom"),
        "credentialSubject": status_list.status_list_credential_subject(
            subject_id=f"{url}#list", purpose=purpose, bits=bits, ttl=TTL_SECONDS * 1000
        ),
    }
    if securing == "jwt":
        _, signer = keyring.active_signer(session, issuer, LIST_JWT_ALGORITHM, now)
        document, body = unsigned, vc_jwt.sign(unsigned, signer).encode("ascii")
    else:
        _, signer = keyring.active_signer(session, issuer, "EdDSA", now)
        document = data_integrity.sign(unsigned, signer, created=now)
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return SignedList(document=document, body=body, etag=etag, securing=securing)
