"""W3C Bitstring Status List v1.0: the bitstring, its encoding and its entries.

https://www.w3.org/TR/vc-bitstring-status-list/. A credential's ``credentialStatus`` points
at one position of
a status list credential, whose ``encodedList`` is a GZIP-compressed bitstring,
base64url-encoded with the multibase ``u`` prefix. Index 0 is the most
significant bit of the first byte. Lists hold at least 131,072 entries, so one
list hides each holder among many (BSL §"Bitstring Encoding", herd privacy).

Legacy ``StatusList2021Entry`` / ``StatusList2021Credential`` lists (VCDM 1.1)
use the same bitstring without the multibase prefix; they are read, never written.

This module does no I/O and checks no proofs: the caller fetches the list
credential and verifies it before :func:`read_status` reads a value from it.
Errors carry the BSL processing-error name in :attr:`StatusListError.code`
(``MALFORMED_VALUE_ERROR``, ``RANGE_ERROR``, ``STATUS_LIST_LENGTH_ERROR``,
``STATUS_VERIFICATION_ERROR``) so a verifier can report them as the spec names them.

    >>> bits = new_bitstring()
    >>> set_bit(bits, 94567, 1)
    >>> get_bit(decode_bitstring(encode_bitstring(bits)), 94567)
    1
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from badges.errors import DocumentError
from badges.ports import JSONObject

__all__ = [
    "BITSTRING_ENTRY_TYPES",
    "MAX_BITSTRING_BYTES",
    "MIN_ENTRIES",
    "PROBLEM_TYPE_BASE",
    "StatusEntry",
    "StatusListError",
    "decode_bitstring",
    "encode_bitstring",
    "get_bit",
    "new_bitstring",
    "parse_status_entries",
    "read_status",
    "set_bit",
    "status_list_credential_subject",
]

#: BSL §"Bitstring Encoding": a list holds at least 16 KB = 131,072 entries.
MIN_ENTRIES: Final = 131_072
#: Largest decoded bitstring accepted, in bytes (128 Mi one-bit entries).
MAX_BITSTRING_BYTES: Final = 16 * 1024 * 1024
#: Entry types this module reads; other status methods are handled elsewhere.
BITSTRING_ENTRY_TYPES: Final = frozenset({"BitstringStatusListEntry", "StatusList2021Entry"})
#: Prefix of the problem-detail type IRI of each error code.
PROBLEM_TYPE_BASE: Final = "https://www.w3.org/ns/credentials/status-list#"

MALFORMED_VALUE_ERROR: Final = "MALFORMED_VALUE_ERROR"
RANGE_ERROR: Final = "RANGE_ERROR"
STATUS_LIST_LENGTH_ERROR: Final = "STATUS_LIST_LENGTH_ERROR"
STATUS_VERIFICATION_ERROR: Final = "STATUS_VERIFICATION_ERROR"

# Which list credential and list types may serve each entry type. A legacy
# entry may point at a list republished in the newer form.
_LIST_TYPES: Final[dict[str, tuple[frozenset[str], frozenset[str]]]] = {
    "BitstringStatusListEntry": (
        frozenset({"BitstringStatusListCredential"}),
        frozenset({"BitstringStatusList"}),
    ),
    "StatusList2021Entry": (
        frozenset({"StatusList2021Credential", "BitstringStatusListCredential"}),
        frozenset({"StatusList2021", "BitstringStatusList"}),
    ),
}
# BSL: statusSize > 1 needs 2**statusSize statusMessage items, so a size above
# this could never be well-formed; the cap also keeps the arithmetic small.
_MAX_STATUS_SIZE: Final = 32
_DECIMAL: Final = re.compile(r"[0-9]+")
_HEX_STATUS: Final = re.compile(r"0x[0-9a-fA-F]+")

_Malformed = Callable[[str], "StatusListError"]


class StatusListError(DocumentError):
    """A status entry or list is unusable; ``code`` names the BSL processing error."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(f"{code}: {message}")

    @property
    def type_iri(self) -> str:
        """The problem-detail ``type`` for this error."""
        return PROBLEM_TYPE_BASE + self.code


@dataclass(frozen=True)
class StatusEntry:
    """One ``credentialStatus`` entry of a bitstring status method.

    Attributes:
        type: ``BitstringStatusListEntry`` or ``StatusList2021Entry``.
        purpose: ``statusPurpose``: ``revocation``, ``suspension``, ``refresh``,
            ``message`` or an ecosystem's own.
        index: ``statusListIndex``, the entry's position in the list.
        list_credential: ``statusListCredential``, the URL of the list credential.
        status_size: ``statusSize``, bits per entry.
        id: The entry's own ``id``, if it has one.
        status_messages: ``statusMessage`` as ``(status value, message)`` pairs.
    """

    type: str
    purpose: str
    index: int
    list_credential: str
    status_size: int = 1
    id: str | None = None
    status_messages: tuple[tuple[int, str], ...] = ()

    def message_for(self, value: int) -> str | None:
        """Return the ``statusMessage`` text for a status value, if one is given."""
        return next((text for status, text in self.status_messages if status == value), None)

    def to_json(self) -> JSONObject:
        """Return the entry as a ``credentialStatus`` object.

        The OB 3.0 schema requires an ``id`` on ``credentialStatus`` (§6.3); when
        the entry has none, ``<list URL>#<index>`` is used.
        """
        document: JSONObject = {
            "id": self.id or f"{self.list_credential}#{self.index}",
            "type": self.type,
            "statusPurpose": self.purpose,
            "statusListIndex": str(self.index),  # BSL: a base-10 string
            "statusListCredential": self.list_credential,
        }
        if self.status_size != 1:
            document["statusSize"] = self.status_size
        if self.status_messages:
            document["statusMessage"] = [
                {"status": hex(status), "message": text} for status, text in self.status_messages
            ]
        return document


def new_bitstring(size_bits: int = MIN_ENTRIES) -> bytearray:
    """Return an all-zero bitstring of ``size_bits`` bits.

    Args:
        size_bits: A multiple of 8, at least :data:`MIN_ENTRIES`.

    Raises:
        ValueError: ``size_bits`` is too small or not a multiple of 8.
    """
    if size_bits < MIN_ENTRIES:
        raise ValueError(f"a status list holds at least {MIN_ENTRIES} bits, not {size_bits}")
    if size_bits % 8:
        raise ValueError(f"a status list size is a whole number of bytes, not {size_bits} bits")
    return bytearray(size_bits // 8)


def encode_bitstring(bits: bytes | bytearray) -> str:
    """Return the ``encodedList`` for a bitstring: ``"u"`` + base64url(GZIP(bits)), no padding."""
    compressed = gzip.compress(bytes(bits), mtime=0)  # mtime=0: same bits, same string
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bitstring(encoded: str, *, max_bytes: int = MAX_BITSTRING_BYTES) -> bytes:
    """Return the bitstring an ``encodedList`` holds.

    Accepts the BSL multibase form (``u`` + base64url without padding) and the
    StatusList2021 form (base64 or base64url, padded or not, no prefix).

    Args:
        encoded: The ``encodedList`` value.
        max_bytes: Largest decompressed bitstring accepted.

    Raises:
        StatusListError: ``MALFORMED_VALUE_ERROR`` when the value is not valid
            base64 or GZIP, or decompresses to more than ``max_bytes``.
    """
    if not isinstance(encoded, str):
        raise StatusListError(MALFORMED_VALUE_ERROR, "encodedList is not a string")
    # The prefix cannot be mistaken for legacy data: GZIP starts 1f 8b, "H4s" in base64.
    body = encoded[1:] if encoded.startswith("u") else encoded
    # Base64 is 4/3 of its input and GZIP adds little to incompressible data, so
    # anything longer than this cannot fit max_bytes; refuse it before decoding.
    if len(body) > (max_bytes + max_bytes // 100 + 1024) * 4 // 3:
        raise StatusListError(MALFORMED_VALUE_ERROR, "encodedList is too long")
    if not body.isascii():
        raise StatusListError(MALFORMED_VALUE_ERROR, "encodedList is not base64")
    body = body.rstrip("=").translate(str.maketrans("-_", "+/"))
    try:
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except binascii.Error:
        raise StatusListError(MALFORMED_VALUE_ERROR, "encodedList is not base64") from None
    # wbits 32 + 15: GZIP as the spec says, or a zlib stream from a lax issuer.
    inflater = zlib.decompressobj(wbits=32 + zlib.MAX_WBITS)
    try:
        bits = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise StatusListError(MALFORMED_VALUE_ERROR, f"encodedList is not GZIP: {exc}") from None
    if len(bits) > max_bytes:
        raise StatusListError(
            MALFORMED_VALUE_ERROR, f"encodedList decompresses to more than {max_bytes} bytes"
        )
    if not inflater.eof:
        raise StatusListError(MALFORMED_VALUE_ERROR, "encodedList is truncated")
    return bits


def get_bit(bits: bytes | bytearray, index: int, status_size: int = 1) -> int:
    """Return the status value of entry ``index``: ``status_size`` bits, most significant first.

    Raises:
        StatusListError: ``RANGE_ERROR`` when the entry lies outside the list,
            ``MALFORMED_VALUE_ERROR`` when ``status_size`` is not positive.
    """
    first, start, end, shift = _locate(len(bits), index, status_size)
    if status_size == 1:
        # §6.3: bit i is 0x80 >> (i % 8) of byte i // 8.
        return (bits[first >> 3] >> (7 - (first & 7))) & 1
    return (int.from_bytes(bits[start:end], "big") >> shift) & ((1 << status_size) - 1)


def set_bit(bits: bytearray, index: int, value: int, status_size: int = 1) -> None:
    """Set the status value of entry ``index`` in place.

    Raises:
        StatusListError: ``RANGE_ERROR`` when the entry lies outside the list or
            ``value`` does not fit in ``status_size`` bits.
    """
    _, start, end, shift = _locate(len(bits), index, status_size)
    if isinstance(value, bool) or not 0 <= value < (1 << status_size):
        raise StatusListError(
            RANGE_ERROR, f"status value {value!r} needs more than {status_size} bits"
        )
    mask = ((1 << status_size) - 1) << shift
    word = (int.from_bytes(bits[start:end], "big") & ~mask) | (value << shift)
    bits[start:end] = word.to_bytes(end - start, "big")


def _locate(size_bytes: int, index: int, status_size: int) -> tuple[int, int, int, int]:
    """Return (first bit, first byte, end byte, right shift) of an entry."""
    if isinstance(status_size, bool) or not isinstance(status_size, int) or status_size < 1:
        raise StatusListError(MALFORMED_VALUE_ERROR, f"statusSize {status_size!r} is not positive")
    entries = size_bytes * 8 // status_size
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < entries:
        raise StatusListError(RANGE_ERROR, f"index {index!r} is outside the list of {entries}")
    first = index * status_size
    last = first + status_size  # one past the entry's last bit
    end = (last + 7) // 8
    return first, first // 8, end, end * 8 - last


def parse_status_entries(credential_status: JSONObject | list[Any]) -> list[StatusEntry]:
    """Parse ``credentialStatus``: one object, or (VCDM 2.0) an array of them.

    Args:
        credential_status: The ``credentialStatus`` value. Filter out entries of
            other status methods (``1EdTechRevocationList``) before calling.

    Returns:
        The entries, in document order.

    Raises:
        StatusListError: ``MALFORMED_VALUE_ERROR`` naming the first bad property.
    """
    items = credential_status if isinstance(credential_status, list) else [credential_status]
    return [_parse_entry(item, position) for position, item in enumerate(items)]


def _parse_entry(item: object, position: int) -> StatusEntry:
    where = f"credentialStatus[{position}]"

    def malformed(message: str) -> StatusListError:
        return StatusListError(MALFORMED_VALUE_ERROR, f"{where}: {message}")

    if not isinstance(item, dict):
        raise malformed("is not an object")
    types = _types(item.get("type"))
    known = sorted(types & BITSTRING_ENTRY_TYPES)
    if len(known) != 1:
        raise malformed(f"type {item.get('type')!r} is not one bitstring status list entry type")
    purpose = item.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise malformed("statusPurpose must be a non-empty string")
    index = _index(item.get("statusListIndex"), malformed)
    list_credential = item.get("statusListCredential")
    if not isinstance(list_credential, str) or not list_credential:
        raise malformed("statusListCredential must be a URL")
    entry_id = item.get("id")
    if entry_id is not None and (not isinstance(entry_id, str) or not entry_id):
        raise malformed("id must be a non-empty string")
    if entry_id == list_credential:
        # BSL: the entry id MUST NOT be the URL of the status list.
        raise malformed("id must not be the status list URL")
    status_size = item.get("statusSize", 1)
    if isinstance(status_size, bool) or not isinstance(status_size, int) or status_size < 1:
        raise malformed("statusSize must be an integer greater than zero")
    if status_size > _MAX_STATUS_SIZE:
        raise malformed(f"statusSize {status_size} is larger than {_MAX_STATUS_SIZE}")
    return StatusEntry(
        type=known[0],
        purpose=purpose,
        index=index,
        list_credential=list_credential,
        status_size=status_size,
        id=entry_id,
        status_messages=_messages(item.get("statusMessage"), status_size, malformed),
    )


def _index(value: object, malformed: _Malformed) -> int:
    # BSL: an arbitrary-size non-negative integer as a base-10 string; a JSON
    # number is accepted on read because 1EdTech's sample uses one (§6.3).
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            raise malformed(f"statusListIndex {value!r} is not a non-negative base-10 integer")
        try:
            return int(value)
        except ValueError:  # more digits than int() accepts: no list is that long
            raise malformed("statusListIndex is too large") from None
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise malformed(f"statusListIndex {value} is negative")
        return value
    raise malformed(f"statusListIndex {value!r} is not an integer")


def _messages(
    value: object, status_size: int, malformed: _Malformed
) -> tuple[tuple[int, str], ...]:
    # BSL: statusMessage MUST be present when statusSize > 1 and then holds one
    # {status: "0x..", message} item per possible value.
    if value is None:
        if status_size > 1:
            raise malformed("statusMessage is required when statusSize is greater than 1")
        return ()
    if not isinstance(value, list) or len(value) != 1 << status_size:
        raise malformed(f"statusMessage must be an array of {1 << status_size} items")
    messages: list[tuple[int, str]] = []
    for item in value:
        status = item.get("status") if isinstance(item, dict) else None
        text = item.get("message") if isinstance(item, dict) else None
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status):
            raise malformed(f"statusMessage status {status!r} is not a 0x-prefixed hex string")
        if not isinstance(text, str):
            raise malformed("statusMessage message must be a string")
        messages.append((int(status, 16), text))
    return tuple(messages)


def status_list_credential_subject(
    *,
    subject_id: str,
    purpose: str | Sequence[str],
    bits: bytes | bytearray,
    status_size: int = 1,
    ttl: int | None = None,
) -> JSONObject:
    """Build the ``credentialSubject`` of a status list credential.

    Args:
        subject_id: The subject's ``id``, e.g. ``<list URL>#list``.
        purpose: ``statusPurpose``: one purpose, or several sharing the list.
        bits: The bitstring.
        status_size: Bits per entry of the entries that will point here; used
            to check the list is long enough.
        ttl: Optional time to live in milliseconds.

    Returns:
        ``{"id", "type": "BitstringStatusList", "statusPurpose", "encodedList"}``,
        plus ``ttl`` when given.

    Raises:
        ValueError: The list holds fewer than :data:`MIN_ENTRIES` entries, or no purpose.
    """
    entries = len(bits) * 8 // status_size
    if entries < MIN_ENTRIES:
        raise ValueError(f"a status list holds at least {MIN_ENTRIES} entries, not {entries}")
    purposes = [purpose] if isinstance(purpose, str) else list(purpose)
    if not purposes or not all(purposes):
        raise ValueError("a status list needs at least one non-empty statusPurpose")
    subject: JSONObject = {
        "id": subject_id,
        "type": "BitstringStatusList",
        "statusPurpose": purposes[0] if len(purposes) == 1 else purposes,
        "encodedList": encode_bitstring(bits),
    }
    if ttl is not None:
        subject["ttl"] = ttl
    return subject


def read_status(
    list_credential: JSONObject, entry: StatusEntry, *, max_bytes: int = MAX_BITSTRING_BYTES
) -> int:
    """Return the status value ``entry`` has in ``list_credential`` (0 = not set).

    The caller has already fetched the list credential and verified its proofs.

    Args:
        list_credential: The status list credential named by ``entry.list_credential``.
        entry: The credential's status entry.
        max_bytes: Largest decompressed bitstring accepted.

    Returns:
        The ``statusSize``-bit value at the entry's index.

    Raises:
        StatusListError: ``STATUS_VERIFICATION_ERROR`` when the list is of the
            wrong type or not for the entry's purpose; ``MALFORMED_VALUE_ERROR``
            when it cannot be decoded; ``STATUS_LIST_LENGTH_ERROR`` when it holds
            fewer than :data:`MIN_ENTRIES` entries; ``RANGE_ERROR`` when the
            index lies outside it.
    """
    credential_types, subject_types = _LIST_TYPES[entry.type]
    if not _types(list_credential.get("type")) & credential_types:
        raise StatusListError(
            STATUS_VERIFICATION_ERROR,
            f"the list credential's type does not include {' or '.join(sorted(credential_types))}",
        )
    subject = list_credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise StatusListError(MALFORMED_VALUE_ERROR, "the list credential has no single subject")
    if not _types(subject.get("type")) & subject_types:
        raise StatusListError(
            STATUS_VERIFICATION_ERROR,
            f"the list's subject type is not {' or '.join(sorted(subject_types))}",
        )
    # BSL validation: the entry's purpose must be one the list was published for.
    listed = subject.get("statusPurpose")
    purposes = {listed} if isinstance(listed, str) else set(_strings(listed))
    if entry.purpose not in purposes:
        raise StatusListError(
            STATUS_VERIFICATION_ERROR,
            f"the list is for {sorted(purposes) or 'no purpose'}, not {entry.purpose!r}",
        )
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise StatusListError(MALFORMED_VALUE_ERROR, "the list has no encodedList string")
    bits = decode_bitstring(encoded, max_bytes=max_bytes)
    entries = len(bits) * 8 // entry.status_size
    if entries < MIN_ENTRIES:
        raise StatusListError(
            STATUS_LIST_LENGTH_ERROR,
            f"the list holds {entries} entries, fewer than the {MIN_ENTRIES} required",
        )
    return get_bit(bits, entry.index, entry.status_size)


def _types(value: object) -> set[str]:
    # JSON-LD lets `type` be one string or an array of them.
    return {value} if isinstance(value, str) else set(_strings(value))


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
