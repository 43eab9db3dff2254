"""Checking an uploaded badge image (PNG or SVG) and removing any badge baked into it.

The stored image is the achievement's plain picture: credentials get baked into copies of
it later, so an upload that already carries a badge (a PNG ``iTXt``/``tEXt``/``zTXt`` chunk
with an Open Badges keyword, an SVG element in an Open Badges namespace) is stripped.

PNG: the signature, the ``IHDR`` header and every chunk's length and CRC are checked, and the
dimensions capped; pixels are never decoded. SVG: parsed with ``defusedxml`` (a bare DOCTYPE
as design tools write it, but no internal subset, no entities, no external references), and
refused when it could run script on our origin or pull in other resources, since the image is
served from the same host as the API.

Errors: a type we do not take is :class:`UnsupportedMediaTypeError` (415), a damaged or
unsafe image is :class:`InvalidImageError` (422), an oversized one ``PayloadTooLargeError``.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import Final
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers import expat

import defusedxml

from app.errors import PayloadTooLargeError, UnprocessableError, UnsupportedMediaTypeError
from badges.baking import sniff
from badges.baking.png import KEYWORDS, PNG_SIGNATURE
from badges.baking.svg import SVGParser

PNG: Final = "image/png"
SVG: Final = "image/svg+xml"
MEDIA_TYPES: Final = (PNG, SVG)
#: Largest width or height of a PNG badge, in pixels.
MAX_DIMENSION: Final = 2048
#: Most chunks in a PNG; a badge has a handful, a hostile file could have millions.
MAX_PNG_CHUNKS: Final = 1000

SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"
XHTML_NAMESPACE: Final = "http://www.w3.org/1999/xhtml"
# Namespaces of baked badge elements: OB 2.0 and OB 3.0
# (https://www.imsglobal.org/spec/ob/v3p0/#svg-baking).
BADGE_NAMESPACES: Final = frozenset({"http://openbadges.org", "https://purl.imsglobal.org/ob/v3p0"})
_BADGE_KEYWORDS: Final = frozenset(keyword.encode("latin-1") for keyword in KEYWORDS.values())


class InvalidImageError(UnprocessableError):
    code = "invalid_image"


@dataclass(frozen=True)
class CheckedImage:
    """An image that passed the checks, with any baked badge removed."""

    media_type: str
    data: bytes


def media_type_of(declared: str | None, data: bytes) -> str:
    """The image type of an upload: the declared one, or sniffed when none was given.

    Raises:
        UnsupportedMediaTypeError: the declared type is not PNG or SVG, or nothing was
            declared and the bytes are neither.
    """
    if declared in (None, "", "application/octet-stream"):
        found = sniff(data)
        if found is None:
            raise UnsupportedMediaTypeError("the file is neither a PNG nor an SVG image")
        return PNG if found == "PNG" else SVG
    if declared not in MEDIA_TYPES:
        raise UnsupportedMediaTypeError(
            f"badge images must be image/png or image/svg+xml, not {declared}"
        )
    return declared


def check_image(media_type: str, data: bytes, *, max_bytes: int) -> CheckedImage:
    """Check an uploaded image of ``media_type`` and return it without any baked badge."""
    if len(data) > max_bytes:
        raise PayloadTooLargeError(f"the image is larger than {max_bytes} bytes")
    if media_type == PNG:
        return CheckedImage(PNG, check_png(data))
    if media_type == SVG:
        return CheckedImage(SVG, check_svg(data))
    raise UnsupportedMediaTypeError(
        f"badge images must be image/png or image/svg+xml, not {media_type}"
    )


# -- PNG ------------------------------------------------------------------------------------

_UINT32: Final = struct.Struct(">I")
_IHDR: Final = struct.Struct(">IIBBBBB")
# PNG §11.2.2: allowed bit depths for each colour type.
_BIT_DEPTHS: Final = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
_KNOWN_CRITICAL: Final = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND"})
_TEXT_CHUNKS: Final = frozenset({b"tEXt", b"zTXt", b"iTXt"})


def check_png(data: bytes) -> bytes:
    """Check a PNG's structure and return it without badge text chunks.

    Raises:
        InvalidImageError: wrong signature, a truncated or oversized chunk, a bad CRC, a bad
            or oversized ``IHDR``, chunks out of order, or data after ``IEND``.
    """
    if not data.startswith(PNG_SIGNATURE):
        raise InvalidImageError("not a PNG image (the PNG signature is missing)")
    kept = [PNG_SIGNATURE]
    position = len(PNG_SIGNATURE)
    kinds: list[bytes] = []
    while position < len(data):
        if len(kinds) >= MAX_PNG_CHUNKS:
            raise InvalidImageError(f"the PNG has more than {MAX_PNG_CHUNKS} chunks")
        if kinds and kinds[-1] == b"IEND":
            raise InvalidImageError("the PNG has data after its IEND chunk")
        if position + 12 > len(data):
            raise InvalidImageError("the PNG is truncated (incomplete chunk header)")
        (length,) = _UINT32.unpack_from(data, position)
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if length > 2**31 - 1 or end > len(data):
            raise InvalidImageError(f"the PNG is truncated ({_name(kind)} chunk runs past the end)")
        if not kind.isalpha():
            raise InvalidImageError(f"the PNG has an invalid chunk type at byte {position}")
        body = data[position + 8 : end - 4]
        (crc,) = _UINT32.unpack_from(data, end - 4)
        if zlib.crc32(kind + body) != crc:
            raise InvalidImageError(f"the PNG is damaged (CRC mismatch in a {_name(kind)} chunk)")
        if not kinds and kind != b"IHDR":
            raise InvalidImageError("the PNG does not start with an IHDR chunk")
        if kind == b"IHDR":
            if kinds:
                raise InvalidImageError("the PNG has more than one IHDR chunk")
            _check_ihdr(body)
        elif kind[:1].isupper() and kind not in _KNOWN_CRITICAL:
            raise InvalidImageError(f"the PNG has an unknown critical chunk {_name(kind)}")
        kinds.append(kind)
        if not (kind in _TEXT_CHUNKS and body.split(b"\0", 1)[0] in _BADGE_KEYWORDS):
            kept.append(data[position:end])
        position = end
    if not kinds or kinds[-1] != b"IEND":
        raise InvalidImageError("the PNG is truncated (no IEND chunk)")
    if b"IDAT" not in kinds:
        raise InvalidImageError("the PNG has no image data (IDAT)")
    return b"".join(kept)


def _check_ihdr(body: bytes) -> None:
    if len(body) != _IHDR.size:
        raise InvalidImageError("the PNG header (IHDR) has the wrong length")
    width, height, depth, colour, compression, filtering, interlace = _IHDR.unpack(body)
    if width == 0 or height == 0:
        raise InvalidImageError("the PNG has a zero width or height")
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise InvalidImageError(
            f"the PNG is {width}x{height} pixels; badges may be at most "
            f"{MAX_DIMENSION}x{MAX_DIMENSION}"
        )
    if depth not in _BIT_DEPTHS.get(colour, set()):
        raise InvalidImageError(f"the PNG has colour type {colour} with bit depth {depth}")
    if compression != 0 or filtering != 0 or interlace not in (0, 1):
        raise InvalidImageError("the PNG header names an unknown compression, filter or interlace")


def _name(kind: bytes) -> str:
    return kind.decode("ascii", "replace") if kind.isascii() else repr(kind)


# -- SVG ------------------------------------------------------------------------------------

# Characters browsers drop from a URL before reading its scheme ("java\tscript:").
_URL_NOISE: Final = re.compile(r"[\x00-\x20\x7f]+")
_SCRIPT_SCHEMES: Final = ("javascript:", "vbscript:", "data:text/html")
# An embedded raster image is self-contained; everything else must stay inside the file.
_EMBEDDED_IMAGE: Final = re.compile(r"data:image/(?:png|jpeg|gif|webp)[;,]", re.IGNORECASE)
_CSS_URL: Final = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
_REFERENCE_ATTRIBUTES: Final = frozenset({"href", "src"})
_FORBIDDEN_ELEMENTS: Final = frozenset({"script", "foreignobject", "iframe", "embed", "object"})
_ENCODING_DECLARATION: Final = re.compile(rb"""\A<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)""")
# A start tag from '<' to '>', stepping over quoted attribute values, which may hold '>'.
_START_TAG: Final = re.compile(rb"<[^\s/>]+(?:[^\"'>]|\"[^\"]*\"|'[^']*')*>")


class _Builder(TreeBuilder):
    """Builds the tree and notes processing instructions (``xml-stylesheet`` and kin)."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target: str, text: str | None = None) -> Element:
        self.instructions.append(target)
        return super().pi(target, text)


def check_svg(data: bytes) -> bytes:
    """Check that an SVG is well-formed, safe to serve, and return it without badge elements.

    Raises:
        InvalidImageError: not UTF-8, not well-formed, a DOCTYPE internal subset or entity, a
            root other than ``<svg>`` in the SVG namespace, script (elements, ``on*`` handlers,
            ``javascript:`` URLs), embedded HTML, or references to other resources.
    """
    root = _parse_svg(data)
    for element in root.iter():
        namespace, local = _split(element.tag)
        if namespace == XHTML_NAMESPACE or local.lower() in _FORBIDDEN_ELEMENTS:
            raise InvalidImageError(f"the SVG contains a <{local}> element, which is not allowed")
        for attribute, value in element.attrib.items():
            _check_attribute(local, _split(attribute)[1], value)
        if local == "style" and element.text:
            _check_css("the <style> element", element.text)
    return _without_badge_elements(data)


def _parse_svg(data: bytes) -> Element:
    declared = _ENCODING_DECLARATION.match(data)
    encoding = declared.group(1).decode("ascii", "replace").lower() if declared else "utf-8"
    if encoding not in ("utf-8", "utf8", "us-ascii", "ascii"):
        raise InvalidImageError(f"the SVG must be encoded as UTF-8, not {encoding}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidImageError("the SVG is not valid UTF-8") from None
    builder = _Builder()
    parser = SVGParser(target=builder)  # a bare DOCTYPE is fine; declarations are not
    try:
        parser.feed(data)
        root: Element = parser.close()
    except defusedxml.DTDForbidden:
        raise InvalidImageError(
            "the SVG's DOCTYPE has an internal subset ([…] declarations), which is not allowed"
        ) from None
    except defusedxml.EntitiesForbidden:
        raise InvalidImageError("the SVG declares entities, which are not allowed") from None
    except defusedxml.ExternalReferenceForbidden:
        raise InvalidImageError("the SVG refers to external entities") from None
    except ParseError as exc:
        raise InvalidImageError(f"the SVG is not well-formed XML ({exc})") from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise InvalidImageError(
            f"the root element must be <svg> in the SVG namespace ({SVG_NAMESPACE}), not {root.tag}"
        )
    if builder.instructions:
        raise InvalidImageError(
            f"the SVG has a processing instruction ({builder.instructions[0]}), "
            "which is not allowed"
        )
    return root


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _check_attribute(element: str, name: str, value: str) -> None:
    where = f"the {name} attribute of <{element}>"
    if name.lower().startswith("on"):
        raise InvalidImageError(f"the SVG has an event handler ({where}), which is not allowed")
    # A value may be a list (SMIL `values="#a;javascript:…"`): check every item.
    items = _URL_NOISE.sub("", value).lower().split(";")
    if any(item.startswith(_SCRIPT_SCHEMES) for item in items):
        raise InvalidImageError(f"the SVG has a script URL in {where}")
    if name.lower() in _REFERENCE_ATTRIBUTES:
        _check_reference(where, value)
    if name.lower() == "style":
        _check_css(where, value)


def _check_reference(where: str, value: str) -> None:
    target = value.strip()
    if target.startswith("#") or _EMBEDDED_IMAGE.match(target):
        return
    raise InvalidImageError(
        f"the SVG refers to another resource in {where}; "
        "badge images must be self-contained (#fragments and embedded images only)"
    )


def _check_css(where: str, css: str) -> None:
    compact = _URL_NOISE.sub("", css).lower()
    if any(scheme in compact for scheme in _SCRIPT_SCHEMES):
        raise InvalidImageError(f"the SVG has a script URL in {where}")
    if "@import" in compact:
        raise InvalidImageError(f"the SVG imports a style sheet in {where}")
    for match in _CSS_URL.finditer(css):
        _check_reference(where, match.group(1))


def _without_badge_elements(data: bytes) -> bytes:
    """Cut out every element in an Open Badges namespace, leaving the other bytes as they are."""
    parser = expat.ParserCreate(namespace_separator=" ")
    spans: list[tuple[int, int]] = []
    depth = 0
    badge: tuple[int, int] | None = None  # (depth, offset of its start tag)

    def start(name: str, _attributes: dict[str, str]) -> None:
        nonlocal depth, badge
        if badge is None and name.partition(" ")[0] in BADGE_NAMESPACES:
            badge = (depth, parser.CurrentByteIndex)
        depth += 1

    def end(_name: str) -> None:
        nonlocal depth, badge
        depth -= 1
        if badge is not None and badge[0] == depth:
            opening = _START_TAG.match(data, badge[1])
            if opening is None:  # expat has just read this tag; it cannot be unreadable
                raise InvalidImageError("the SVG has an unreadable start tag")
            if opening.group().endswith(b"/>"):
                spans.append((badge[1], opening.end()))
            else:
                spans.append((badge[1], data.index(b">", parser.CurrentByteIndex) + 1))
            badge = None

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(data, True)
    if not spans:
        return data
    parts, cursor = [], 0
    for begin, finish in spans:
        parts.append(data[cursor:begin])
        cursor = finish
    parts.append(data[cursor:])
    return b"".join(parts)
