"""Tests for PNG baking: published baked images, layout, re-baking and hostile input."""

from __future__ import annotations

import base64
import functools
import io
import json
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from badges.baking import Version, bake, unbake
from badges.baking.png import bake_png, unbake_png
from badges.errors import DocumentError

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
OB3_JSON_PNG = VECTORS / "ob3-1edtech-validator" / "simple-json.png"
OB3_JWT_PNG = VECTORS / "ob3-1edtech-validator" / "simple-jwt.png"
OB2_PNG = VECTORS / "ob2" / "1edtech-validator" / "simple-badge.png"
OB2_UNBAKED_PNG = VECTORS / "ob2" / "1edtech-validator" / "assets" / "robotics-badge.png"

BADGE_KEYWORDS = (b"openbadges", b"openbadgecredential")
# Refusals must come quickly even for hostile input; generous for a busy CI box.
TIME_BUDGET_S = 2.0
VERSIONS: tuple[Version, ...] = ("2.0", "3.0")


@functools.cache
def small_png() -> bytes:
    """A 12x7 RGBA PNG drawn once with Pillow."""
    out = io.BytesIO()
    Image.new("RGBA", (12, 7), (200, 40, 90, 255)).save(out, format="PNG")
    return out.getvalue()


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Split a PNG into (type, data) pairs, checking every CRC independently."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, found = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + data), f"bad CRC in {kind!r}"
        found.append((kind, data))
        pos += 12 + length
    return found


def badge_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (kind, data)
        for kind, data in chunks(png)
        if kind in (b"iTXt", b"tEXt", b"zTXt") and data.split(b"\x00", 1)[0] in BADGE_KEYWORDS
    ]


def make_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def with_chunks(*extra: bytes, base: bytes | None = None) -> bytes:
    """Insert raw chunks just before IEND (the last 12 bytes of a PNG)."""
    png = small_png() if base is None else base
    return png[:-12] + b"".join(extra) + png[-12:]


def itxt(keyword: bytes, text: bytes, *, flag: int = 0, language: bytes = b"") -> bytes:
    return make_chunk(b"iTXt", keyword + b"\x00" + bytes([flag, 0]) + language + b"\x00\x00" + text)


def assert_refused_quickly(call: Callable[[], object], match: str) -> None:
    started = time.perf_counter()
    with pytest.raises(DocumentError, match=match):
        call()
    assert time.perf_counter() - started < TIME_BUDGET_S


# --- published baked images -------------------------------------------------------


def test_ob3_json_vector_unbakes_to_the_credential() -> None:
    found = unbake_png(OB3_JSON_PNG.read_bytes())
    assert found is not None
    assert (found.version, found.keyword, found.chunk_type) == (
        "3.0",
        "openbadgecredential",
        "iTXt",
    )
    credential = json.loads(found.text)
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["proof"]


def test_ob3_jwt_vector_unbakes_to_a_compact_jws() -> None:
    found = unbake_png(OB3_JWT_PNG.read_bytes())
    assert found is not None
    assert found.version == "3.0"
    header, payload, signature = found.text.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "=="))["alg"] == "RS256"
    assert "OpenBadgeCredential" in json.loads(base64.urlsafe_b64decode(payload + "=="))["type"]
    assert signature


def test_ob2_vector_with_badge_chunk_after_ihdr_unbakes() -> None:
    found = unbake(OB2_PNG.read_bytes())
    assert found is not None
    assert (found.version, found.keyword) == ("2.0", "openbadges")
    assert json.loads(found.text)["type"] == "Assertion"


def test_image_without_badge_unbakes_to_none() -> None:
    assert unbake_png(small_png()) is None
    assert unbake_png(OB2_UNBAKED_PNG.read_bytes()) is None


# --- baking --------------------------------------------------------------------------


@pytest.mark.parametrize("source", [OB2_UNBAKED_PNG, OB3_JSON_PNG], ids=lambda p: p.name)
def test_baked_image_still_decodes_with_the_same_dimensions(source: Path) -> None:
    original = source.read_bytes()
    baked = bake_png(original, '{"id": "urn:uuid:5"}', version="3.0")
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(baked)) as after:
        after.load()
        assert after.size == before.size
        assert after.mode == before.mode


def test_baked_chunk_is_uncompressed_itxt_just_before_iend() -> None:
    payload = '{"name": "Kōhai ✓"}'
    baked = bake_png(small_png(), payload, version="3.0")
    kinds = [kind for kind, _ in chunks(baked)]  # chunks() checks every CRC
    assert kinds[-2:] == [b"iTXt", b"IEND"]
    data = chunks(baked)[-2][1]
    assert data == b"openbadgecredential" + b"\x00" * 5 + payload.encode("utf-8")


def test_ob2_bake_uses_the_openbadges_keyword() -> None:
    baked = bake_png(small_png(), "a.b.c", version="2.0")
    assert badge_chunks(baked) == [(b"iTXt", b"openbadges\x00\x00\x00\x00\x00a.b.c")]


def test_baking_copies_every_other_chunk_byte_for_byte() -> None:
    original = OB2_UNBAKED_PNG.read_bytes()
    baked = bake_png(original, '{"a": 1}', version="2.0")
    badge = make_chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + b'{"a": 1}')
    assert baked.replace(badge, b"", 1) == original


def test_rebaking_replaces_the_badge_chunk() -> None:
    original = OB3_JSON_PNG.read_bytes()
    baked = bake_png(original, '{"id": "urn:uuid:new"}', version="3.0")
    assert len(badge_chunks(baked)) == 1
    found = unbake_png(baked)
    assert found is not None
    assert found.text == '{"id": "urn:uuid:new"}'
    others = [c for c in chunks(original) if c not in badge_chunks(original)]
    assert [c for c in chunks(baked) if c not in badge_chunks(baked)] == others


def test_rebaking_with_the_other_version_leaves_one_chunk() -> None:
    once = bake_png(OB2_PNG.read_bytes(), "h.p.s", version="3.0")
    assert [data.split(b"\x00")[0] for _, data in badge_chunks(once)] == [b"openbadgecredential"]
    twice = bake_png(once, '{"x": 1}', version="2.0")
    assert badge_chunks(twice) == [(b"iTXt", b'openbadges\x00\x00\x00\x00\x00{"x": 1}')]


def test_rebaking_removes_legacy_text_chunks_too() -> None:
    legacy = with_chunks(
        make_chunk(b"tEXt", b"openbadges\x00https://example.org/a/1"),
        make_chunk(b"zTXt", b"openbadgecredential\x00\x00" + zlib.compress(b"{}")),
    )
    baked = bake_png(legacy, "h.p.s", version="3.0")
    assert badge_chunks(baked) == [(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00h.p.s")]
    assert bake_png(baked, "h.p.s", version="3.0") == bake_png(small_png(), "h.p.s", version="3.0")


def test_bytes_after_iend_are_kept() -> None:
    trailing = small_png() + b"trailing"
    baked = bake_png(trailing, "h.p.s", version="3.0")
    assert baked.endswith(b"IEND\xaeB`\x82trailing")


def test_bake_refuses_an_empty_or_unencodable_payload() -> None:
    with pytest.raises(DocumentError, match="empty"):
        bake_png(small_png(), " \n", version="3.0")
    with pytest.raises(DocumentError, match="NUL"):
        bake_png(small_png(), '{"a": "\x00"}', version="3.0")
    with pytest.raises(DocumentError, match="UTF-8"):
        bake_png(small_png(), '{"a": "\ud800"}', version="3.0")


def test_bake_refuses_an_unknown_version() -> None:
    with pytest.raises(ValueError, match="version"):
        bake_png(small_png(), "{}", version="1.0")  # type: ignore[arg-type]


def test_bake_refuses_a_damaged_source_image() -> None:
    damaged = bytearray(small_png())
    damaged[-20] ^= 0xFF  # inside IDAT
    with pytest.raises(DocumentError, match="CRC mismatch in chunk IDAT"):
        bake_png(bytes(damaged), "{}", version="3.0")


def test_bake_refuses_a_payload_over_the_text_limit() -> None:
    with pytest.raises(DocumentError, match="larger than 8 bytes"):
        bake_png(small_png(), '{"a": "123456"}', version="3.0", max_text_bytes=8)


def test_facade_bakes_png_by_signature() -> None:
    baked = bake(small_png(), "h.p.s", version="3.0")
    assert baked == bake_png(small_png(), "h.p.s", version="3.0")


# --- reading variants ---------------------------------------------------------------


def test_compressed_itxt_with_language_tag_is_inflated() -> None:
    text = json.dumps({"id": "urn:uuid:9", "name": "Ünïcode"}).encode("utf-8")
    png = with_chunks(itxt(b"openbadgecredential", zlib.compress(text), flag=1, language=b"en"))
    found = unbake_png(png)
    assert found is not None
    assert found.text == text.decode("utf-8")


def test_translated_keyword_is_skipped_not_read_as_text() -> None:
    data = b"openbadges\x00\x00\x00en-GB\x00Open Badges\x00" + b'{"a": 1}'
    found = unbake_png(with_chunks(make_chunk(b"iTXt", data)))
    assert found is not None
    assert found.text == '{"a": 1}'


def test_legacy_text_chunk_holds_the_assertion_url() -> None:
    png = with_chunks(make_chunk(b"tEXt", b"openbadges\x00https://example.org/assertions/1"))
    found = unbake_png(png)
    assert found is not None
    assert (found.version, found.chunk_type) == ("2.0", "tEXt")
    assert found.text == "https://example.org/assertions/1"


def test_itxt_is_preferred_over_a_legacy_text_chunk() -> None:
    png = with_chunks(
        make_chunk(b"tEXt", b"openbadges\x00https://example.org/assertions/1"),
        itxt(b"openbadges", b'{"id": "https://example.org/assertions/1"}'),
    )
    found = unbake_png(png)
    assert found is not None
    assert found.chunk_type == "iTXt"


def test_unrelated_text_chunks_are_ignored() -> None:
    png = with_chunks(make_chunk(b"tEXt", b"Comment\x00openbadges"), make_chunk(b"iTXt", b"XML"))
    assert unbake_png(png) is None


# --- hostile and damaged input ---------------------------------------------------------


def test_not_a_png_is_refused() -> None:
    assert_refused_quickly(lambda: unbake_png(b"GIF89a" + b"\x00" * 20), "not a PNG")
    assert_refused_quickly(lambda: unbake(b"GIF89a" + b"\x00" * 20), "not a PNG or SVG image")


@pytest.mark.parametrize("cut", [9, 20, 33, 100, -13, -1])
def test_truncated_png_is_refused(cut: int) -> None:
    data = OB3_JSON_PNG.read_bytes()[:cut]
    assert_refused_quickly(lambda: unbake_png(data), "truncated PNG")


def test_wrong_crc_is_refused() -> None:
    damaged = bytearray(OB3_JSON_PNG.read_bytes())
    damaged[5000] ^= 0x01  # inside the first IDAT
    assert_refused_quickly(lambda: unbake_png(bytes(damaged)), "CRC mismatch in chunk IDAT")


def test_wrong_crc_on_the_badge_chunk_is_refused() -> None:
    good = itxt(b"openbadgecredential", b"{}")
    bad = good[:-1] + bytes([good[-1] ^ 0xFF])
    assert_refused_quickly(lambda: unbake_png(with_chunks(bad)), "CRC mismatch in chunk iTXt")


def test_twenty_thousand_tiny_chunks_are_refused() -> None:
    tiny = make_chunk(b"prVt", b"")
    png = with_chunks(tiny * 20_000)
    assert_refused_quickly(lambda: unbake_png(png), "more than 10000 chunks")


def test_chunk_limit_can_be_lowered() -> None:
    png = with_chunks(make_chunk(b"prVt", b"") * 3)
    with pytest.raises(DocumentError, match="more than 4 chunks"):
        unbake_png(png, max_chunks=4)
    assert unbake_png(png, max_chunks=7) is None


def test_oversized_input_and_chunk_are_refused() -> None:
    png = with_chunks(make_chunk(b"prVt", b"x" * 5000))
    with pytest.raises(DocumentError, match="larger than 1000 bytes"):
        unbake_png(png, max_bytes=1000)
    with pytest.raises(DocumentError, match="chunk prVt is larger than 4096 bytes"):
        unbake_png(png, max_chunk_bytes=4096)


def test_uncompressed_text_over_the_limit_is_refused() -> None:
    png = with_chunks(itxt(b"openbadgecredential", b"x" * 300))
    with pytest.raises(DocumentError, match="larger than 256 bytes"):
        unbake_png(png, max_text_bytes=256)


@functools.cache
def sixteen_mib_of_zeros_deflated() -> bytes:
    """16 MiB of zeros as a zlib stream (about 16 KB): eight times the 2 MiB text limit."""
    return zlib.compress(bytes(16 << 20), 9)


def test_decompression_bomb_in_compressed_itxt_is_refused() -> None:
    bomb = sixteen_mib_of_zeros_deflated()
    assert len(bomb) < 64 * 1024
    png = with_chunks(itxt(b"openbadgecredential", bomb, flag=1))
    assert_refused_quickly(lambda: unbake_png(png), "inflates to more than 2097152 bytes")


def test_corrupt_and_truncated_compressed_text_is_refused() -> None:
    stream = zlib.compress(b'{"a": 1}' * 100)
    corrupt = with_chunks(itxt(b"openbadges", b"\x00garbage", flag=1))
    truncated = with_chunks(itxt(b"openbadges", stream[: len(stream) // 2], flag=1))
    assert_refused_quickly(lambda: unbake_png(corrupt), "corrupt")
    assert_refused_quickly(lambda: unbake_png(truncated), "truncated")


def test_empty_badge_chunk_is_refused() -> None:
    png = with_chunks(itxt(b"openbadgecredential", b" \n"))
    assert_refused_quickly(lambda: unbake_png(png), "empty badge chunk")


@pytest.mark.parametrize(
    "data",
    [b"openbadgecredential", b"openbadgecredential\x00", b"openbadges\x00\x02\x00\x00\x00{}"],
    ids=["keyword-only", "no-compression-fields", "bad-compression-flag"],
)
def test_malformed_badge_chunk_is_refused(data: bytes) -> None:
    png = with_chunks(make_chunk(b"iTXt", data))
    assert_refused_quickly(lambda: unbake_png(png), "malformed iTXt chunk")


def test_invalid_utf8_in_badge_text_is_refused() -> None:
    png = with_chunks(itxt(b"openbadgecredential", b'{"a": "\xff"}'))
    assert_refused_quickly(lambda: unbake_png(png), "not valid UTF-8")


@pytest.mark.parametrize(
    "keywords",
    [
        (b"openbadgecredential", b"openbadgecredential"),
        (b"openbadges", b"openbadgecredential"),
    ],
    ids=["same-keyword", "both-versions"],
)
def test_two_embedded_credentials_are_refused(keywords: tuple[bytes, bytes]) -> None:
    png = with_chunks(*(itxt(keyword, b'{"n": 1}') for keyword in keywords))
    assert_refused_quickly(lambda: unbake_png(png), "more than one embedded credential")


def test_chunk_stream_must_start_with_ihdr() -> None:
    png = small_png()
    reordered = png[:8] + make_chunk(b"prVt", b"") + png[8:]
    assert_refused_quickly(lambda: unbake_png(reordered), "IHDR")


# --- property: bake then unbake gives back exactly the payload ------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
json_payloads = st.builds(
    lambda document, ascii_only: json.dumps(document, ensure_ascii=ascii_only),
    st.dictionaries(st.text(max_size=12), json_values, min_size=1, max_size=6),
    st.booleans(),
)
base64url_parts = st.binary(min_size=1, max_size=96).map(
    lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
)
jws_payloads = st.builds(
    lambda *parts: ".".join(parts), base64url_parts, base64url_parts, base64url_parts
)


@settings(deadline=None, max_examples=150)
@given(payload=json_payloads | jws_payloads, version=st.sampled_from(VERSIONS))
def test_bake_then_unbake_returns_the_payload(payload: str, version: Version) -> None:
    baked = bake_png(small_png(), payload, version=version)
    found = unbake_png(baked)
    assert found is not None
    assert (found.text, found.version) == (payload, version)
    assert len(badge_chunks(baked)) == 1
