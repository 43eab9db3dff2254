"""Bake an Open Badge into a PNG image, and read it back out.

A baked PNG carries the badge in one ``iTXt`` chunk (https://www.w3.org/TR/png/#11iTXt): keyword
``openbadges`` for OB 2.0 (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/baking/index.html)
or ``openbadgecredential`` for OB 3.0 (https://www.imsglobal.org/spec/ob/v3p0/#png-baking),
no compression, empty language tag and translated keyword, then the payload (a
compact JWS or the JSON document) as UTF-8.

Baking never decodes pixels. Every chunk except an earlier badge chunk is copied
byte for byte; the new chunk goes immediately before ``IEND``.

Unbaking walks the whole chunk stream and validates the signature, every length
and every CRC, so a damaged file is reported rather than half-read. Input comes
from strangers, so size, chunk count, chunk length and inflated text size are
all capped (module constants, overridable per call), and a compressed ``iTXt``
is inflated with a hard output limit so a decompression bomb costs no more than
the limit.

Example::

    baked = bake_png(achievement_png, credential_json, version="3.0")
    assert unbake_png(baked).text == credential_json
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from badges.errors import DocumentError

__all__ = [
    "KEYWORDS",
    "MAX_CHUNKS",
    "MAX_CHUNK_BYTES",
    "MAX_INPUT_BYTES",
    "MAX_TEXT_BYTES",
    "PNG_SIGNATURE",
    "BakedPayload",
    "Version",
    "bake_png",
    "unbake_png",
]

Version = Literal["2.0", "3.0"]

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"

#: The ``iTXt`` keyword for each version (§4.2, §4.3).
KEYWORDS: Final[dict[Version, str]] = {"2.0": "openbadges", "3.0": "openbadgecredential"}

#: Largest image accepted, in bytes.
MAX_INPUT_BYTES: Final = 10 * 1024 * 1024
#: Most chunks walked before giving up; real images have tens.
MAX_CHUNKS: Final = 10_000
#: Largest single chunk, in bytes. PNG itself allows 2**31 - 1; by default the
#: input limit is the one that binds, but callers who raise it can keep this one.
MAX_CHUNK_BYTES: Final = 10 * 1024 * 1024
#: Largest badge text, in bytes, after inflating a compressed chunk.
MAX_TEXT_BYTES: Final = 2 * 1024 * 1024

# PNG §5.3: a chunk length is at most 2**31 - 1.
_PNG_MAX_LENGTH: Final = 2**31 - 1
_UINT32: Final = struct.Struct(">I")
_TEXT_CHUNKS: Final = frozenset({b"iTXt", b"zTXt", b"tEXt"})
_VERSION_OF_KEYWORD: Final[dict[bytes, Version]] = {
    keyword.encode("latin-1"): version for version, keyword in KEYWORDS.items()
}
# JSON and compact JWS have no meaningful surrounding whitespace; these are the
# characters JSON itself treats as whitespace (RFC 8259 §2).
_JSON_WHITESPACE: Final = " \t\n\r"


@dataclass(frozen=True)
class BakedPayload:
    """A badge found in an image.

    Attributes:
        version: ``"2.0"`` or ``"3.0"``, from the keyword or SVG namespace.
        text: The payload: a compact JWS, JSON, or (OB 2.0 legacy) a hosted URL,
            with surrounding whitespace removed.
        keyword: The PNG text-chunk keyword, or the SVG element's local name
            (``assertion`` or ``credential``).
        chunk_type: ``"iTXt"``, ``"zTXt"`` or ``"tEXt"`` for a PNG; ``None`` for an SVG.
        verify: The SVG element's ``verify`` attribute, when it has one (an OB 2.0
            hosted assertion URL next to a JSON body); always ``None`` for a PNG.
    """

    version: Version
    text: str
    keyword: str
    chunk_type: str | None
    verify: str | None = None


class _Limits(NamedTuple):
    max_bytes: int
    max_chunks: int
    max_chunk_bytes: int
    max_text_bytes: int


class _Chunk(NamedTuple):
    kind: bytes  # the four-letter chunk type
    start: int  # offset of the length field
    end: int  # offset just past the CRC
    data: memoryview


def bake_png(
    image: bytes,
    payload: str,
    *,
    version: Version,
    max_bytes: int = MAX_INPUT_BYTES,
    max_chunks: int = MAX_CHUNKS,
    max_chunk_bytes: int = MAX_CHUNK_BYTES,
    max_text_bytes: int = MAX_TEXT_BYTES,
) -> bytes:
    """Return ``image`` with ``payload`` baked into it.

    Any badge chunk already present (``iTXt``, ``zTXt`` or ``tEXt`` with either
    badge keyword) is removed, so the result holds exactly one.

    Args:
        image: A PNG image.
        payload: A compact JWS or JSON document. Surrounding whitespace is dropped.
        version: ``"2.0"`` (keyword ``openbadges``) or ``"3.0"`` (``openbadgecredential``).
        max_bytes: Largest input, and largest result, accepted.
        max_chunks: Most chunks accepted in the input.
        max_chunk_bytes: Largest chunk accepted in the input.
        max_text_bytes: Largest payload accepted, UTF-8 encoded.

    Returns:
        The baked image.

    Raises:
        DocumentError: The image is not a sound PNG, the payload is empty, holds
            NUL or unencodable characters, or a limit is exceeded.
        ValueError: ``version`` is not ``"2.0"`` or ``"3.0"``.
    """
    if version not in KEYWORDS:
        raise ValueError(f"version must be '2.0' or '3.0', not {version!r}")
    limits = _Limits(max_bytes, max_chunks, max_chunk_bytes, max_text_bytes)
    text = _encode_payload(payload, max_text_bytes)
    chunks, iend_end = _walk(image, limits)

    # §4.1: keyword, then five zero bytes (separator, compression flag 0,
    # method 0, empty language tag, empty translated keyword), then the text.
    data = KEYWORDS[version].encode("latin-1") + b"\x00" * 5 + text
    badge_chunk = _UINT32.pack(len(data)) + b"iTXt" + data + _UINT32.pack(_crc(b"iTXt", data))

    view = memoryview(image)
    parts: list[bytes | memoryview] = [PNG_SIGNATURE]
    for chunk in chunks:
        if chunk.kind in _TEXT_CHUNKS and _badge_keyword(chunk.data) is not None:
            continue  # §4.1: never a second badge chunk
        if chunk.kind == b"IEND":
            parts.append(badge_chunk)  # decision in §4.1: immediately before IEND
        parts.append(view[chunk.start : chunk.end])
    parts.append(view[iend_end:])  # bytes after IEND, if any, stay as they were
    baked = b"".join(parts)
    if len(baked) > max_bytes:
        raise DocumentError(f"the baked image would be larger than {max_bytes} bytes")
    return baked


def unbake_png(
    image: bytes,
    *,
    max_bytes: int = MAX_INPUT_BYTES,
    max_chunks: int = MAX_CHUNKS,
    max_chunk_bytes: int = MAX_CHUNK_BYTES,
    max_text_bytes: int = MAX_TEXT_BYTES,
) -> BakedPayload | None:
    """Return the badge baked into ``image``, or ``None`` if there is none.

    An ``iTXt`` badge chunk is preferred; failing that, a ``zTXt`` or ``tEXt`` one
    (the pre-2013 OB 1.0 form holds the hosted assertion URL, §4.2).

    Args:
        image: A PNG image.
        max_bytes: Largest input accepted.
        max_chunks: Most chunks walked.
        max_chunk_bytes: Largest chunk accepted.
        max_text_bytes: Largest badge text accepted, after inflating.

    Returns:
        The payload with its version, keyword and chunk type, or ``None``.

    Raises:
        DocumentError: The data is not a PNG, is truncated, has a bad CRC, exceeds
            a limit, holds more than one badge chunk of the preferred type, or
            its badge chunk is malformed or empty.
    """
    limits = _Limits(max_bytes, max_chunks, max_chunk_bytes, max_text_bytes)
    chunks, _ = _walk(image, limits)

    international: list[tuple[_Chunk, bytes]] = []
    legacy: list[tuple[_Chunk, bytes]] = []
    for chunk in chunks:
        if chunk.kind not in _TEXT_CHUNKS:
            continue
        keyword = _badge_keyword(chunk.data)
        if keyword is not None:
            (international if chunk.kind == b"iTXt" else legacy).append((chunk, keyword))

    # §4.2: if both an iTXt and a legacy tEXt chunk exist, the iTXt one wins.
    found = international or legacy
    if not found:
        return None
    if len(found) > 1:
        kinds = ", ".join(chunk.kind.decode("ascii") for chunk, _ in found)
        raise DocumentError(f"more than one embedded credential ({kinds} badge chunks)")
    chunk, keyword = found[0]
    kind = chunk.kind.decode("ascii")
    raw = _read_text(chunk, keyword, max_text_bytes)
    text = raw.strip(_JSON_WHITESPACE)
    if not text:
        raise DocumentError(f"empty badge chunk ({kind} {keyword.decode('latin-1')})")
    return BakedPayload(
        version=_VERSION_OF_KEYWORD[keyword],
        text=text,
        keyword=keyword.decode("latin-1"),
        chunk_type=kind,
    )


def _encode_payload(payload: str, max_text_bytes: int) -> bytes:
    text = payload.strip(_JSON_WHITESPACE)
    if not text:
        raise DocumentError("the payload is empty")
    if "\x00" in text:
        raise DocumentError("the payload contains a NUL character")
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DocumentError(f"the payload cannot be encoded as UTF-8: {exc.reason}") from None
    if len(encoded) > max_text_bytes:
        raise DocumentError(f"the payload is larger than {max_text_bytes} bytes")
    return encoded


def _crc(kind: bytes, data: bytes | memoryview) -> int:
    # §4.1: the CRC covers the chunk type and data, not the length.
    return zlib.crc32(data, zlib.crc32(kind))


def _walk(image: bytes, limits: _Limits) -> tuple[list[_Chunk], int]:
    """Validate the chunk stream; return its chunks up to IEND and the offset after IEND."""
    if len(image) > limits.max_bytes:
        raise DocumentError(f"the PNG is larger than {limits.max_bytes} bytes")
    if not image.startswith(PNG_SIGNATURE):
        raise DocumentError("not a PNG image (bad signature)")
    view = memoryview(image)
    size = len(image)
    chunks: list[_Chunk] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if len(chunks) >= limits.max_chunks:
            raise DocumentError(f"the PNG has more than {limits.max_chunks} chunks")
        if pos + 8 > size:
            raise DocumentError("truncated PNG (no IEND chunk)")
        (length,) = _UINT32.unpack_from(image, pos)
        kind = image[pos + 4 : pos + 8]
        # PNG §5.3: a chunk type is four ASCII letters.
        if not (kind.isascii() and kind.isalpha()):
            raise DocumentError(f"invalid PNG chunk type {kind!r} at offset {pos}")
        name = kind.decode("ascii")
        if length > _PNG_MAX_LENGTH:
            raise DocumentError(f"invalid length {length} in chunk {name}")
        if length > limits.max_chunk_bytes:
            raise DocumentError(f"chunk {name} is larger than {limits.max_chunk_bytes} bytes")
        end = pos + 12 + length
        if end > size:
            raise DocumentError(f"truncated PNG (chunk {name} runs past the end)")
        data = view[pos + 8 : pos + 8 + length]
        (crc,) = _UINT32.unpack_from(image, pos + 8 + length)
        if _crc(kind, data) != crc:
            raise DocumentError(f"CRC mismatch in chunk {name}")
        if not chunks and kind != b"IHDR":
            raise DocumentError("the PNG does not start with an IHDR chunk")
        chunks.append(_Chunk(kind, pos, end, data))
        pos = end
        if kind == b"IEND":
            return chunks, pos


def _badge_keyword(data: memoryview) -> bytes | None:
    """Return the badge keyword a text chunk is filed under, or ``None``."""
    # PNG §11.3.3: the keyword is 1-79 Latin-1 bytes followed by a NUL. A chunk
    # that is nothing but a badge keyword still counts, so it is reported as
    # malformed rather than silently ignored.
    head = bytes(data[:80])
    nul = head.find(b"\x00")
    keyword = head if nul < 0 else head[:nul]
    return keyword if keyword in _VERSION_OF_KEYWORD else None


def _read_text(chunk: _Chunk, keyword: bytes, max_text_bytes: int) -> str:
    name = chunk.kind.decode("ascii")
    if len(chunk.data) <= len(keyword):
        raise DocumentError(f"malformed {name} chunk: nothing after the keyword")
    body = bytes(chunk.data[len(keyword) + 1 :])
    if chunk.kind == b"tEXt":
        return _latin1(body, max_text_bytes)
    if chunk.kind == b"zTXt":
        # PNG §11.3.3.4: compression method byte (0 = zlib), then the stream.
        if not body or body[0] != 0:
            raise DocumentError("malformed zTXt chunk: unknown compression method")
        return _latin1(_inflate(body[1:], max_text_bytes), max_text_bytes)
    return _itxt_text(body, max_text_bytes)


def _itxt_text(body: bytes, max_text_bytes: int) -> str:
    # PNG §11.3.3.5 after the keyword and its NUL: compression flag, compression
    # method, language tag + NUL, translated keyword + NUL, text. Third-party
    # files may fill in the language tag and translated keyword (§4.1).
    if len(body) < 2:
        raise DocumentError("malformed iTXt chunk: missing compression fields")
    flag, method = body[0], body[1]
    if flag not in (0, 1):
        raise DocumentError(f"malformed iTXt chunk: compression flag {flag}")
    language_end = body.find(b"\x00", 2)
    translated_end = body.find(b"\x00", language_end + 1) if language_end >= 0 else -1
    if translated_end < 0:
        raise DocumentError("malformed iTXt chunk: missing language tag or translated keyword")
    raw = body[translated_end + 1 :]
    if flag == 1:
        # §4.1: compression MUST NOT be written but is inflated on read.
        if method != 0:
            raise DocumentError(f"malformed iTXt chunk: compression method {method}")
        raw = _inflate(raw, max_text_bytes)
    elif len(raw) > max_text_bytes:
        raise DocumentError(f"the badge text is larger than {max_text_bytes} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError("the iTXt badge text is not valid UTF-8") from None


def _latin1(raw: bytes, max_text_bytes: int) -> str:
    if len(raw) > max_text_bytes:
        raise DocumentError(f"the badge text is larger than {max_text_bytes} bytes")
    return raw.decode("latin-1")


def _inflate(compressed: bytes, limit: int) -> bytes:
    """Inflate a zlib stream, refusing to produce more than ``limit`` bytes."""
    # Ask for one byte more than allowed: getting it proves the text is too
    # large without ever holding more than limit + 1 bytes.
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(compressed, limit + 1)
    except zlib.error as exc:
        raise DocumentError(f"the compressed badge text is corrupt: {exc}") from None
    if len(out) > limit:
        raise DocumentError(f"the badge text inflates to more than {limit} bytes")
    if not inflater.eof:
        raise DocumentError("the compressed badge text is truncated")
    return out
