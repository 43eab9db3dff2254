"""Tests for SVG baking: element forms, namespace matching, re-baking and hostile XML."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badges.baking import Version, bake, unbake
from badges.baking.svg import bake_svg, unbake_svg
from badges.errors import DocumentError

OB2_NS = "http://openbadges.org"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
SVG_NS = "http://www.w3.org/2000/svg"
TIME_BUDGET_S = 2.0
VERSIONS: tuple[Version, ...] = ("2.0", "3.0")

SMALL_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" data-note="a > b">\n'
    b"  <!-- badge art -->\n"
    b'  <circle cx="32" cy="32" r="30" fill="#c0ffee"/>\n'
    b"  <text x='8' y='40'>caf\xc3\xa9 &amp; co</text>\n"
    b"</svg>\n"
)
JWS = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUub3JnIn0.c2lnbmF0dXJl"
OB3_JSON = json.dumps({"id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"]})
OB2_JSON = json.dumps({"id": "https://example.org/assertions/7", "type": "Assertion"})


def children(svg: bytes) -> list[Element]:
    return list(defusedxml.ElementTree.fromstring(svg))


def assert_refused_quickly(call: Callable[[], object], match: str) -> None:
    started = time.perf_counter()
    with pytest.raises(DocumentError, match=match):
        call()
    assert time.perf_counter() - started < TIME_BUDGET_S


# --- element forms ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "tag"), [("2.0", f"{{{OB2_NS}}}assertion"), ("3.0", f"{{{OB3_NS}}}credential")]
)
def test_jws_goes_in_verify_on_an_empty_first_child(version: Version, tag: str) -> None:
    baked = bake_svg(SMALL_SVG, JWS, version=version)
    first = children(baked)[0]
    assert first.tag == tag
    assert first.get("verify") == JWS
    assert first.text is None and len(first) == 0
    found = unbake_svg(baked)
    assert found is not None
    assert (found.version, found.text) == (version, JWS)


def test_ob3_json_goes_in_cdata_without_verify() -> None:
    baked = bake_svg(SMALL_SVG, OB3_JSON, version="3.0")
    assert b"<![CDATA[" + OB3_JSON.encode() + b"]]>" in baked
    first = children(baked)[0]
    assert first.get("verify") is None
    found = unbake_svg(baked)
    assert found is not None
    assert (found.version, found.keyword, found.chunk_type) == ("3.0", "credential", None)
    assert found.text == OB3_JSON


def test_ob2_json_also_gets_verify_with_the_hosted_assertion_id() -> None:
    baked = bake_svg(SMALL_SVG, OB2_JSON, version="2.0")
    first = children(baked)[0]
    assert first.get("verify") == "https://example.org/assertions/7"
    found = unbake_svg(baked)
    assert found is not None
    assert found.text == OB2_JSON
    assert found.verify == "https://example.org/assertions/7"


def test_ob2_json_with_a_urn_id_gets_no_verify_unless_a_hosted_url_is_given() -> None:
    payload = json.dumps({"id": "urn:uuid:2", "type": "Assertion"})
    assert children(bake_svg(SMALL_SVG, payload, version="2.0"))[0].get("verify") is None
    hosted = bake_svg(SMALL_SVG, payload, version="2.0", hosted_url="https://ex.org/a?x=1&y=2")
    assert b'verify="https://ex.org/a?x=1&amp;y=2"' in hosted
    assert children(hosted)[0].get("verify") == "https://ex.org/a?x=1&y=2"


def test_hosted_url_is_refused_where_it_does_not_apply() -> None:
    with pytest.raises(ValueError, match=r"OB 2\.0"):
        bake_svg(SMALL_SVG, OB3_JSON, version="3.0", hosted_url="https://ex.org/a")
    with pytest.raises(ValueError, match=r"OB 2\.0"):
        bake_svg(SMALL_SVG, JWS, version="2.0", hosted_url="https://ex.org/a")
    with pytest.raises(ValueError, match="http"):
        bake_svg(SMALL_SVG, OB2_JSON, version="2.0", hosted_url="javascript:alert(1)")


def test_ob2_hosted_url_payload_is_written_as_verify_only() -> None:
    baked = bake_svg(SMALL_SVG, "https://example.org/assertions/7", version="2.0")
    found = unbake_svg(baked)
    assert found is not None
    assert found.text == "https://example.org/assertions/7"
    assert children(baked)[0].text is None


def test_namespace_is_declared_on_the_element_and_svg_root_is_untouched() -> None:
    baked = bake_svg(SMALL_SVG, OB3_JSON, version="3.0")
    root_tag_end = SMALL_SVG.index(b'a > b">') + len(b'a > b">')
    assert baked.startswith(SMALL_SVG[:root_tag_end])
    inserted = baked[root_tag_end:].split(b"]]>")[0]
    assert inserted.startswith(
        b'<openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
    )


def test_the_rest_of_the_document_is_kept_byte_for_byte() -> None:
    baked = bake_svg(SMALL_SVG, OB3_JSON, version="3.0")
    start = baked.index(b"<openbadges:credential")
    end = baked.index(b"</openbadges:credential>") + len(b"</openbadges:credential>")
    assert baked[:start] + baked[end:] == SMALL_SVG


def test_self_closing_root_is_opened_to_take_the_element() -> None:
    baked = bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg" a="/"/>', JWS, version="3.0")
    assert baked.startswith(b'<svg xmlns="http://www.w3.org/2000/svg" a="/"><openbadges:')
    assert baked.endswith(b"/></svg>")
    found = unbake_svg(baked)
    assert found is not None
    assert found.text == JWS


def test_svg_without_namespace_is_accepted() -> None:
    found = unbake_svg(bake_svg(b"<svg><g/></svg>", OB3_JSON, version="3.0"))
    assert found is not None
    assert found.text == OB3_JSON


# --- re-baking ----------------------------------------------------------------------------


def test_rebaking_replaces_the_element() -> None:
    once = bake_svg(SMALL_SVG, OB3_JSON, version="3.0")
    twice = bake_svg(once, JWS, version="3.0")
    assert twice == bake_svg(SMALL_SVG, JWS, version="3.0")
    found = unbake_svg(twice)
    assert found is not None
    assert found.text == JWS


def test_rebaking_with_the_other_version_replaces_the_element() -> None:
    once = bake_svg(SMALL_SVG, OB2_JSON, version="2.0")
    twice = bake_svg(once, OB3_JSON, version="3.0")
    tags = [element.tag for element in defusedxml.ElementTree.fromstring(twice).iter()]
    assert f"{{{OB2_NS}}}assertion" not in tags
    assert tags.count(f"{{{OB3_NS}}}credential") == 1


def test_rebaking_removes_a_foreign_element_wherever_it_is() -> None:
    foreign = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org">'
        b'<g><ob:assertion verify="https://ex.org/1">  </ob:assertion></g><ob:assertion/></svg>'
    )
    baked = bake_svg(foreign, JWS, version="2.0")
    assert baked == (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="http://openbadges.org">'
        b'<openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="'
        + JWS.encode()
        + b'"/><g></g></svg>'
    )


# --- reading other bakers' files ------------------------------------------------------------


def test_element_is_matched_by_namespace_not_prefix() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:v3="https://purl.imsglobal.org/ob/v3p0">\n'
        b"  <v3:credential>\n    <![CDATA[" + OB3_JSON.encode() + b"]]>\n  </v3:credential>\n"
        b"</svg>"
    )
    found = unbake_svg(svg)
    assert found is not None
    assert (found.version, found.text) == ("3.0", OB3_JSON)


def test_openbadges_prefix_in_another_namespace_is_not_a_badge() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://example.org/ns">'
        b'<openbadges:credential verify="' + JWS.encode() + b'"/></svg>'
    )
    assert unbake_svg(svg) is None


def test_plain_text_body_without_cdata_is_read() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><assertion xmlns="http://openbadges.org">'
        b'{"id": "https://ex.org/1", "n": "a &lt; b"}</assertion></svg>'
    )
    found = unbake_svg(svg)
    assert found is not None
    assert json.loads(found.text) == {"id": "https://ex.org/1", "n": "a < b"}


def test_image_without_badge_unbakes_to_none() -> None:
    assert unbake_svg(SMALL_SVG) is None


# --- DOCTYPE: a bare one is inert, an internal subset is refused ----------------------------

DESIGN_TOOL_SVG = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="64" height="64">'
    b'<circle cx="32" cy="32" r="30" fill="#c03"/></svg>\n'
)


@pytest.mark.parametrize("payload", [JWS, OB3_JSON])
def test_an_svg_with_a_bare_doctype_bakes_and_unbakes(payload: str) -> None:
    baked = bake_svg(DESIGN_TOOL_SVG, payload, version="3.0")
    assert baked.startswith(DESIGN_TOOL_SVG[: DESIGN_TOOL_SVG.index(b"<svg")])
    found = unbake(baked)
    assert found is not None
    assert found.text == payload


def test_a_system_doctype_is_never_loaded(tmp_path: Path) -> None:
    """The external DTD would define &secret;: it is not read, so the entity stays undefined."""
    dtd = tmp_path / "secret.dtd"
    dtd.write_text('<!ENTITY secret "LEAKED">', encoding="utf-8")
    svg = (
        f'<?xml version="1.0"?><!DOCTYPE svg SYSTEM "{dtd.as_uri()}">'
        f'<svg xmlns="{SVG_NS}"><text>&secret;</text></svg>'
    ).encode()
    assert_refused_quickly(lambda: unbake_svg(svg), "undefined entity")


@pytest.mark.parametrize(
    "subset",
    [
        b"[]",
        b'[<!ATTLIST svg onload CDATA "alert(1)">]',
        b'[<!ENTITY % ext SYSTEM "https://evil.example/x.dtd"> %ext;]',
        b"[<!NOTATION png SYSTEM 'image/png'>]",
    ],
    ids=["empty", "attribute-default", "parameter-entity", "notation"],
)
def test_a_doctype_with_an_internal_subset_is_refused(subset: bytes) -> None:
    svg = b'<?xml version="1.0"?><!DOCTYPE svg ' + subset + b'><svg xmlns="' + SVG_NS.encode()
    svg += b'"><circle r="1"/></svg>'
    assert_refused_quickly(lambda: unbake_svg(svg), "internal subset")
    assert_refused_quickly(lambda: bake_svg(svg, JWS, version="3.0"), "internal subset")


# --- hostile and broken input --------------------------------------------------------------


def test_external_entity_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><credential xmlns="'
        + OB3_NS.encode()
        + b'">&x;</credential></svg>'
    )
    assert_refused_quickly(lambda: unbake_svg(xxe), "internal subset")
    assert_refused_quickly(lambda: bake_svg(xxe, JWS, version="3.0"), "internal subset")


def test_billion_laughs_is_refused() -> None:
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [' + entities + b"]>"
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>'
    )
    assert_refused_quickly(lambda: unbake_svg(bomb), "internal subset")
    assert_refused_quickly(lambda: unbake(bomb), "internal subset")


def test_two_badge_elements_are_refused() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg">'
        b'<credential xmlns="https://purl.imsglobal.org/ob/v3p0" verify="a.b.c"/>'
        b'<assertion xmlns="http://openbadges.org" verify="https://ex.org/1"/></svg>'
    )
    assert_refused_quickly(lambda: unbake_svg(svg), "more than one embedded credential")


def test_empty_badge_element_is_refused() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><c:credential xmlns:c="%s"> </c:credential></svg>'
    )
    assert_refused_quickly(lambda: unbake_svg(svg % OB3_NS.encode()), "empty badge element")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"<svg><g></svg>", "not well-formed"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "root element is"),
        (b"", "not well-formed"),
    ],
    ids=["malformed", "not-svg", "empty"],
)
def test_non_svg_input_is_refused(data: bytes, match: str) -> None:
    assert_refused_quickly(lambda: unbake_svg(data), match)
    assert_refused_quickly(lambda: bake_svg(data, JWS, version="3.0"), match)


def test_oversized_svg_is_refused() -> None:
    with pytest.raises(DocumentError, match="larger than 100 bytes"):
        unbake_svg(SMALL_SVG, max_bytes=100)
    with pytest.raises(DocumentError, match="larger than 300 bytes"):
        bake_svg(SMALL_SVG, OB3_JSON, version="3.0", max_bytes=300)


def test_payload_that_is_neither_jws_nor_json_is_refused() -> None:
    with pytest.raises(DocumentError, match="neither a compact JWS nor JSON"):
        bake_svg(SMALL_SVG, "not a badge", version="3.0")


def test_payload_with_characters_xml_cannot_carry_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"U\+FFFF"):
        bake_svg(SMALL_SVG, '{"a": "\uffff"}', version="3.0")


# --- escaping and encodings -------------------------------------------------------------------


def test_cdata_terminator_inside_the_json_round_trips() -> None:
    payload = json.dumps({"name": "a]]>b", "more": "]]]]>>"})
    baked = bake_svg(SMALL_SVG, payload, version="3.0")
    found = unbake_svg(baked)
    assert found is not None
    assert found.text == payload


def test_carriage_return_in_json_whitespace_round_trips() -> None:
    payload = '{\r\n  "a": 1,\r  "b": 2\r\n}'
    found = unbake_svg(bake_svg(SMALL_SVG, payload, version="3.0"))
    assert found is not None
    assert found.text == payload


def test_latin1_document_takes_latin1_payload_and_refuses_others() -> None:
    svg = '<?xml version="1.0" encoding="ISO-8859-1"?><svg><text>\xe9</text></svg>'.encode(
        "latin-1"
    )
    payload = json.dumps({"name": "Café"}, ensure_ascii=False)
    baked = bake_svg(svg, payload, version="3.0")
    assert baked.startswith(svg[: svg.index(b"<text>")])
    found = unbake_svg(baked)
    assert found is not None
    assert found.text == payload
    with pytest.raises(DocumentError, match="cannot hold"):
        bake_svg(svg, json.dumps({"name": "東京"}, ensure_ascii=False), version="3.0")


def test_utf16_document_can_be_read_but_not_baked() -> None:
    svg = f'<svg xmlns="{SVG_NS}"><credential xmlns="{OB3_NS}" verify="{JWS}"/></svg>'
    encoded = svg.encode("utf-16")
    found = unbake(encoded)
    assert found is not None
    assert found.text == JWS
    with pytest.raises(DocumentError, match="UTF-8"):
        bake(encoded, JWS, version="3.0")


@pytest.mark.parametrize(
    "prefix",
    [b"", b"\xef\xbb\xbf", b"\n\t  ", b'<?xml version="1.0"?>\n'],
    ids=["bare", "bom", "whitespace", "declaration"],
)
def test_facade_recognises_svg(prefix: bytes) -> None:
    svg = prefix + b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    found = unbake(bake(svg, OB3_JSON, version="3.0"))
    assert found is not None
    assert found.text == OB3_JSON


def test_facade_refuses_other_formats() -> None:
    assert_refused_quickly(
        lambda: bake(b"\xff\xd8\xff\xe0 JFIF", JWS, version="3.0"), "not a PNG or SVG"
    )
    assert_refused_quickly(lambda: unbake(b"plain text"), "not a PNG or SVG image")


# --- property: bake then unbake gives back exactly the payload -----------------------------

xml_safe_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\ufffe\uffff"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | xml_safe_text | st.just("]]>"),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
json_payloads = st.builds(
    lambda document, ascii_only: json.dumps(document, ensure_ascii=ascii_only),
    st.dictionaries(xml_safe_text, json_values, min_size=1, max_size=6),
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
    baked = bake_svg(SMALL_SVG, payload, version=version)
    found = unbake_svg(baked)
    assert found is not None
    assert (found.text, found.version) == (payload, version)
    assert bake_svg(baked, payload, version=version) == baked
