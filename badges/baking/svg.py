"""Bake an Open Badge into an SVG image, and read it back out.

A baked SVG carries one badge element as the first child of the root ``<svg>``
(https://www.imsglobal.org/spec/ob/v3p0/#svg-baking, and the OB 2.0 Baking Specification,
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/baking/index.html):

=======  =====================================================================
OB 2.0   ``<openbadges:assertion xmlns:openbadges="http://openbadges.org">``
OB 3.0   ``<openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">``
=======  =====================================================================

A compact JWS goes in a ``verify`` attribute of an empty element; JSON goes in
the body as CDATA. For OB 2.0 JSON the element also gets ``verify`` = the
assertion URL (the hosted ``id``, or ``hosted_url``), as the reference baker does.

The namespace is declared on the badge element itself rather than on ``<svg>``.
Both are valid XML; declaring it locally means baking touches nothing but the
inserted bytes, a re-bake that removes the element restores the original root
tag exactly, and an ``openbadges`` prefix already bound on the root (by another
baker, perhaps to the other version's namespace) cannot clash with ours.

Baking does not re-serialise the tree: the document is parsed to find where the
root start tag ends and where any earlier badge element sits, and the element
is spliced in as text, so the rest of the image stays byte for byte the same.

Input is parsed with :class:`SVGParser`, ``defusedxml`` refusing entity declarations
(billion laughs), external entities (XXE) and any DOCTYPE with an internal subset. A bare
DOCTYPE, as design tools write it, is accepted: it declares nothing and loads nothing.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Final, NamedTuple
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers import expat

import defusedxml
import defusedxml.ElementTree

from badges.baking.png import BakedPayload, Version
from badges.errors import DocumentError

__all__ = [
    "MAX_INPUT_BYTES",
    "NAMESPACES",
    "SVG_NAMESPACE",
    "InternalSubsetForbidden",
    "SVGParser",
    "bake_svg",
    "unbake_svg",
]

SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"
#: The badge element's namespace URI for each version (§4.4).
NAMESPACES: Final[dict[Version, str]] = {
    "2.0": "http://openbadges.org",
    "3.0": "https://purl.imsglobal.org/ob/v3p0",
}
#: Largest document accepted, in bytes.
MAX_INPUT_BYTES: Final = 10 * 1024 * 1024

_LOCAL_NAMES: Final[dict[Version, str]] = {"2.0": "assertion", "3.0": "credential"}
_VERSION_OF_TAG: Final[dict[str, Version]] = {
    f"{{{NAMESPACES[v]}}}{_LOCAL_NAMES[v]}": v for v in ("2.0", "3.0")
}
# The same names as the expat pass below reports them (namespace_separator=" ").
_EXPAT_BADGE_NAMES: Final = frozenset(f"{NAMESPACES[v]} {_LOCAL_NAMES[v]}" for v in ("2.0", "3.0"))
_JSON_WHITESPACE: Final = " \t\n\r"
# RFC 7515 §7.1: three base64url parts joined by dots.
_COMPACT_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# XML 1.0 §2.2 Char: anything else cannot appear in a document at all.
_NOT_XML_CHAR: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A start tag from its '<' to its '>', stepping over quoted attribute values
# (which may contain '>'). Alternatives start with distinct characters, so the
# match cannot backtrack badly.
_START_TAG: Final = re.compile(rb"<([^\s/>]+)(?:[^\"'>]|\"[^\"]*\"|'[^']*')*>")
_UTF16_OR_32_BOMS: Final = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_INTERNAL_SUBSET: Final = (
    "the SVG's DOCTYPE has an internal subset ([…] declarations), which is not accepted"
)


class InternalSubsetForbidden(defusedxml.DTDForbidden):
    """A DOCTYPE with an internal subset (``<!DOCTYPE svg [ … ]>``): it can declare things."""


class SVGParser(defusedxml.ElementTree.DefusedXMLParser):
    """``defusedxml``'s parser, letting through a DOCTYPE that has no internal subset.

    Design tools export ``<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
    "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">``. That declaration alone is inert:
    expat reads no external DTD (parameter-entity parsing is off, and external entity
    references are refused), so nothing is fetched or declared. An internal subset can declare
    entities and attribute defaults, so it is refused (:class:`InternalSubsetForbidden`), as
    are entity declarations and external references anywhere.
    """

    def __init__(self, target: TreeBuilder | None = None) -> None:
        super().__init__(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)

    def defused_start_doctype_decl(
        self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool
    ) -> None:
        if has_internal_subset:
            raise InternalSubsetForbidden(name, sysid, pubid)


class _Layout(NamedTuple):
    root_name: bytes  # the root's qualified name as written, e.g. b"svg"
    root_tag_end: int  # offset just past the root start tag's '>'
    root_is_empty: bool  # written as <svg .../>
    badge_spans: list[tuple[int, int]]  # byte ranges of existing badge elements
    encoding: str | None  # from the XML declaration


def bake_svg(
    svg: bytes,
    payload: str,
    *,
    version: Version,
    hosted_url: str | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
) -> bytes:
    """Return ``svg`` with ``payload`` baked into it.

    Any badge element already present (either version) is removed first.

    Args:
        svg: An SVG document, UTF-8 or another ASCII-compatible encoding.
        payload: A compact JWS, a JSON document, or (OB 2.0 only) a hosted
            assertion URL. Surrounding whitespace is dropped.
        version: ``"2.0"`` or ``"3.0"``.
        hosted_url: OB 2.0 JSON only: the ``verify`` URL to write, overriding the
            assertion's own ``id``.
        max_bytes: Largest input, and largest result, accepted.

    Returns:
        The baked document.

    Raises:
        DocumentError: The input is not a readable SVG, its encoding cannot take
            the payload, or the payload is empty, not JWS or JSON, or holds
            characters XML cannot carry.
        ValueError: ``version`` is unknown, or ``hosted_url`` is given where it
            does not apply or is not an http(s) URL.
    """
    if version not in NAMESPACES:
        raise ValueError(f"version must be '2.0' or '3.0', not {version!r}")
    markup = _badge_element(payload, version, hosted_url)
    _parse(svg, max_bytes)  # refuses internal subsets, non-SVG and malformed input first
    layout = _layout(svg)
    inserted = _encode_for(svg, layout.encoding, markup)

    head = svg[: layout.root_tag_end]
    parts = [head, inserted]
    if layout.root_is_empty:
        # <svg .../> has no children to go before: open it, add ours, close it.
        parts = [head[:-2] + b">", inserted, b"</" + layout.root_name + b">"]
    cursor = layout.root_tag_end
    for start, end in layout.badge_spans:
        parts.append(svg[cursor:start])
        cursor = end
    parts.append(svg[cursor:])
    baked = b"".join(parts)
    if len(baked) > max_bytes:
        raise DocumentError(f"the baked SVG would be larger than {max_bytes} bytes")
    return baked


def unbake_svg(svg: bytes, *, max_bytes: int = MAX_INPUT_BYTES) -> BakedPayload | None:
    """Return the badge baked into ``svg``, or ``None`` if there is none.

    Elements are matched by namespace URI and local name, whatever their prefix.
    A non-empty body (JSON, usually CDATA) wins; otherwise the ``verify``
    attribute (a compact JWS, or an OB 2.0 hosted URL) is the payload.

    Args:
        svg: An SVG document.
        max_bytes: Largest input accepted.

    Returns:
        The payload with its version, or ``None``.

    Raises:
        DocumentError: The input is too large, not well-formed XML, has a DOCTYPE
            with an internal subset or entity declarations, is not an SVG, holds more
            than one badge element, or its badge element is empty.
    """
    root = _parse(svg, max_bytes)
    found = [element for element in root.iter() if element.tag in _VERSION_OF_TAG]
    if not found:
        return None
    if len(found) > 1:
        raise DocumentError(f"more than one embedded credential ({len(found)} badge elements)")
    element = found[0]
    version = _VERSION_OF_TAG[element.tag]
    namespace = NAMESPACES[version]
    # §4.4: `verify` is unprefixed; a prefixed one from a lax baker is accepted too.
    attribute = element.get("verify") or element.get(f"{{{namespace}}}verify") or ""
    verify = attribute.strip(_JSON_WHITESPACE) or None
    body = (element.text or "").strip(_JSON_WHITESPACE)
    text = body or verify
    if not text:
        raise DocumentError(f"empty badge element ({_LOCAL_NAMES[version]})")
    return BakedPayload(
        version=version,
        text=text,
        keyword=_LOCAL_NAMES[version],
        chunk_type=None,
        verify=verify,
    )


def _parse(svg: bytes, max_bytes: int) -> Element:
    if len(svg) > max_bytes:
        raise DocumentError(f"the SVG is larger than {max_bytes} bytes")
    parser = SVGParser()
    try:
        parser.feed(svg)
        root: Element = parser.close()
    except defusedxml.DTDForbidden:
        raise DocumentError(_INTERNAL_SUBSET) from None
    except defusedxml.DefusedXmlException as exc:
        raise DocumentError(f"the SVG uses a forbidden XML feature: {exc}") from None
    except ParseError as exc:
        raise DocumentError(f"not an SVG image (not well-formed XML: {exc})") from None
    if root.tag not in (f"{{{SVG_NAMESPACE}}}svg", "svg"):
        raise DocumentError(f"not an SVG image (root element is {root.tag})")
    return root


def _badge_element(payload: str, version: Version, hosted_url: str | None) -> str:
    text = payload.strip(_JSON_WHITESPACE)
    if not text:
        raise DocumentError("the payload is empty")
    bad = _NOT_XML_CHAR.search(text)
    if bad:
        raise DocumentError(
            f"the payload contains U+{ord(bad.group()):04X}, which XML cannot carry"
        )
    if hosted_url is not None and (version != "2.0" or not _is_http_url(hosted_url)):
        raise ValueError("hosted_url must be an http(s) URL and applies to OB 2.0 JSON only")

    qname = f"openbadges:{_LOCAL_NAMES[version]}"
    opening = f'<{qname} xmlns:openbadges="{NAMESPACES[version]}"'
    if _COMPACT_JWS.fullmatch(text) or (version == "2.0" and _is_http_url(text)):
        if hosted_url is not None:
            raise ValueError("hosted_url applies to OB 2.0 JSON payloads only")
        return f'{opening} verify="{_attribute(text)}"/>'

    try:
        document = json.loads(text)
    except ValueError:
        raise DocumentError("the payload is neither a compact JWS nor JSON") from None
    verify = hosted_url
    if verify is None and version == "2.0" and isinstance(document, dict):
        # §4.4: the OB 2.0 reference baker writes verify = the hosted assertion id.
        assertion_id = document.get("id")
        if isinstance(assertion_id, str) and _is_http_url(assertion_id):
            verify = assertion_id
    if verify is not None:
        opening += f' verify="{_attribute(verify)}"'
    return f"{opening}>{_cdata(text)}</{qname}>"


def _is_http_url(value: str) -> bool:
    return value.startswith(("https://", "http://")) and not any(c.isspace() for c in value)


def _attribute(value: str) -> str:
    # XML 1.0 §3.3.3 normalises literal tabs and line breaks in attribute values
    # to spaces, so they are written as character references to survive.
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _cdata(text: str) -> str:
    # A CDATA section ends at the first "]]>", so one inside the JSON is split
    # across two sections. A carriage return would be turned into a line feed by
    # end-of-line handling (XML 1.0 §2.11), so it goes between sections as a
    # character reference.
    lines = [
        "<![CDATA[" + part.replace("]]>", "]]]]><![CDATA[>") + "]]>" for part in text.split("\r")
    ]
    return "&#13;".join(lines)


def _layout(svg: bytes) -> _Layout:
    """Find the root start tag and any badge elements, as byte offsets into ``svg``."""
    parser = expat.ParserCreate(namespace_separator=" ")
    root_start: int | None = None
    encoding: str | None = None
    depth = 0
    badge_depth: int | None = None
    badge_start = 0
    spans: list[tuple[int, int]] = []

    def on_xml_decl(_version: str, declared: str | None, _standalone: int) -> None:
        nonlocal encoding
        encoding = declared

    def on_start(name: str, _attributes: dict[str, str]) -> None:
        nonlocal root_start, depth, badge_depth, badge_start
        if depth == 0:
            root_start = parser.CurrentByteIndex
        # A badge element nested in another goes with its outer one.
        if badge_depth is None and name in _EXPAT_BADGE_NAMES:
            badge_depth = depth
            badge_start = parser.CurrentByteIndex
        depth += 1

    def on_end(_name: str) -> None:
        nonlocal depth, badge_depth
        depth -= 1
        if badge_depth == depth:
            start_tag = _start_tag(svg, badge_start)
            if start_tag.endswith(b"/>"):
                end = badge_start + len(start_tag)
            else:
                end = svg.index(b">", parser.CurrentByteIndex) + 1
            spans.append((badge_start, end))
            badge_depth = None

    def on_doctype(_name: str, _sysid: str | None, _pubid: str | None, subset: bool) -> None:
        # _parse has already refused these; this keeps the second pass safe alone.
        if subset:
            raise DocumentError(_INTERNAL_SUBSET)

    def refuse_entity(*_args: object) -> None:
        raise DocumentError("the SVG declares entities, which is not accepted")

    parser.XmlDeclHandler = on_xml_decl
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = refuse_entity
    try:
        parser.Parse(svg, True)
    except expat.ExpatError as exc:
        raise DocumentError(f"not an SVG image (not well-formed XML: {exc})") from None
    if root_start is None:
        raise DocumentError("not an SVG image (no root element)")
    root_tag = _start_tag(svg, root_start)
    match = _START_TAG.match(root_tag)
    if match is None:
        raise DocumentError("not an SVG image (unreadable root start tag)")
    return _Layout(
        root_name=match.group(1),
        root_tag_end=root_start + len(root_tag),
        root_is_empty=root_tag.endswith(b"/>"),
        badge_spans=spans,
        encoding=encoding,
    )


def _start_tag(svg: bytes, start: int) -> bytes:
    match = _START_TAG.match(svg, start)
    if match is None:
        raise DocumentError(f"unreadable start tag at offset {start}")
    return match.group()


def _encode_for(svg: bytes, declared: str | None, markup: str) -> bytes:
    """Encode the inserted markup in the document's own encoding."""
    # The splice works on bytes, so the encoding must be one where '<', '>' and
    # quotes are single ASCII bytes; UTF-16 and UTF-32 are refused.
    if svg.startswith(_UTF16_OR_32_BOMS):
        raise DocumentError("only UTF-8 or ASCII-compatible SVG documents can be baked")
    name = (declared or "utf-8").lower()
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise DocumentError(f"the SVG declares an unknown encoding {declared!r}") from None
    if svg.startswith(_UTF8_BOM) or codec.name == "utf-8":
        return markup.encode("utf-8")
    if codec.encode("<svg a='\"'>")[0] != b"<svg a='\"'>":
        raise DocumentError(f"cannot bake into a {declared} SVG; convert it to UTF-8")
    try:
        return codec.encode(markup)[0]
    except UnicodeEncodeError:
        raise DocumentError(
            f"the payload has characters the SVG's {declared} encoding cannot hold"
        ) from None
