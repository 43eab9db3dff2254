"""The achievement API, badge image uploads, and the achievement's public documents."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.achievements import images
from app.achievements.documents import schema_problems
from app.achievements.models import Achievement
from app.issuers.models import Issuer
from app.urls import Urls
from badges import ob3
from badges.baking import bake_png, bake_svg, unbake
from badges.schema import validate_credential
from tests.support import FIXED_NOW

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]
Headers = dict[str, str]

API = "/api/v1/achievements"
SVG_NS = "http://www.w3.org/2000/svg"
NAME = {"ja": "AIリテラシー検定 2級", "en": "AI Literacy Examination, Grade 2"}
BODY: dict[str, Any] = {
    "language": "ja",
    "name": NAME,
    "description": {
        "ja": "AIの基礎知識と業務での活用力を証明します。",
        "en": "Certifies a working knowledge of AI and its use at work.",
    },
    "criteria": {
        "narrative": "# 合格基準\n\n筆記試験で **70%** 以上を得点すること。",
        "url": "https://ai-exam.example.jp/grade2/criteria",
    },
    "achievement_type": "Certification",
    "alignments": [
        {
            "targetName": "AIリテラシー",
            "targetUrl": "https://ai-exam.example.jp/framework/literacy",
            "targetFramework": "AI Literacy Framework",
            "targetCode": "AIL-2",
            "targetType": "CFItem",
        }
    ],
    "tags": ["AI", "リテラシー"],
}


def _create(client: TestClient, headers: Headers, **overrides: Any) -> dict[str, Any]:
    response = client.post(API, json=BODY | overrides, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _png(width: int = 32, height: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 60, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _insert_before_iend(png: bytes, chunk: bytes) -> bytes:
    return png[:-12] + chunk + png[-12:]


def _svg(
    inner: str = '<circle cx="50" cy="50" r="40" fill="#c03"/>', attributes: str = ""
) -> bytes:
    return (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 100 100"{attributes}><title>AI</title>{inner}</svg>'
    ).encode()


def _errors(response: Any) -> list[tuple[tuple[Any, ...], str]]:
    return [(tuple(e["loc"]), e["msg"]) for e in response.json()["errors"]]


def _put_image(
    client: TestClient, achievement: dict[str, Any], headers: Headers, data: bytes, media: str
) -> Any:
    return client.put(
        f"{API}/{achievement['id']}/image",
        content=data,
        headers=headers | {"Content-Type": media},
    )


# -- creating and reading -------------------------------------------------------------------


def test_staff_create_an_achievement_in_japanese_and_english(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    assert created["issuer"] == "ai-exam"
    assert created["language"] == "ja"
    assert created["name"] == NAME
    assert created["criteria"] == BODY["criteria"]
    assert created["achievement_type"] == "Certification"
    assert created["alignments"] == [
        BODY["alignments"][0] | {"targetDescription": None},
    ]
    assert created["tags"] == ["AI", "リテラシー"]
    assert created["image_url"] is None
    assert created["public_url"] == f"http://testserver/achievements/{created['id']}"
    assert created["created_at"] == created["updated_at"]
    fetched = client.get(f"{API}/{created['id']}", headers=staff)
    assert fetched.status_code == 200
    assert fetched.json() == created


def test_an_extension_type_and_other_languages_are_accepted(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(
        client,
        staff,
        language="en",
        name={"en": "Prompt Design", "zh-Hant-TW": "提示設計"},
        description={"en": "Writes clear prompts."},
        criteria={"url": "https://ai-exam.example.jp/prompt"},
        achievement_type="ext:QualifyingExam",
        alignments=[],
        tags=[],
    )
    assert created["language"] == "en"
    assert created["achievement_type"] == "ext:QualifyingExam"
    assert created["criteria"] == {"narrative": None, "url": "https://ai-exam.example.jp/prompt"}


def test_an_administrator_must_name_the_issuer(
    client: TestClient, make_issuer: MakeIssuer, admin_headers: Headers
) -> None:
    make_issuer("ai-exam")
    unnamed = client.post(API, json=BODY, headers=admin_headers)
    assert unnamed.status_code == 422
    assert "issuer" in unnamed.json()["detail"]
    named = client.post(API, json=BODY | {"issuer": "ai-exam"}, headers=admin_headers)
    assert named.status_code == 201
    assert named.json()["issuer"] == "ai-exam"
    unknown = client.post(API, json=BODY | {"issuer": "nobody"}, headers=admin_headers)
    assert unknown.status_code == 404


def test_the_api_needs_an_api_key(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    response = client.post(API, json=BODY)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/{created['id']}").status_code == 401
    assert client.patch(f"{API}/{created['id']}", json={"tags": []}).status_code == 401
    # The key is checked before the body is read: no 415 for strangers (a body over the
    # service-wide cap is refused before anything, key or not).
    upload = client.put(
        f"{API}/{created['id']}/image",
        content=b"x" * (512 * 1024),
        headers={"Content-Type": "text/plain"},
    )
    assert upload.status_code == 401


@pytest.mark.parametrize(
    ("overrides", "loc", "message"),
    [
        pytest.param(
            {"name": {"en": "AI Literacy"}}, ("body", "name"), "primary language 'ja'", id="no-ja"
        ),
        pytest.param(
            {"language": "en", "description": {"ja": "説明"}},
            ("body", "description"),
            "primary language 'en'",
            id="description-without-primary",
        ),
        pytest.param(
            {"achievement_type": "Diplomma"}, ("body", "achievement_type"), "achievement type"
        ),
        pytest.param({"achievement_type": "xext:Exam"}, ("body", "achievement_type"), "ext:Name"),
        pytest.param(
            {"achievement_type": "ext:" + "A" * 100}, ("body", "achievement_type"), "", id="long"
        ),
        pytest.param(
            {"name": {"ja": "検定", "en": "Exam\u0007"}}, ("body", "name", "en"), "U+0007"
        ),
        pytest.param({"tags": ["ok", "bad\x1b[0m"]}, ("body", "tags", 1), "U+001B"),
        pytest.param(
            {"criteria": {"narrative": "pass\x00"}}, ("body", "criteria", "narrative"), "U+0000"
        ),
        pytest.param({"description": {"ja": "del\x7f"}}, ("body", "description", "ja"), "U+007F"),
        pytest.param(
            {"criteria": {"url": "http://ai-exam.example.jp/criteria"}},
            ("body", "criteria", "url"),
            "https",
            id="criteria-url-not-https",
        ),
        pytest.param(
            {"criteria": {"url": "https://"}}, ("body", "criteria", "url"), "https", id="no-host"
        ),
        pytest.param(
            {"alignments": [{"targetName": "X", "targetUrl": "not a url"}]},
            ("body", "alignments", 0, "targetUrl"),
            "",
            id="alignment-url",
        ),
        pytest.param(
            {
                "alignments": [
                    {"targetName": "X", "targetUrl": "https://x.example/", "targetType": "Y"}
                ]
            },
            ("body", "alignments", 0, "targetType"),
            "target type",
            id="alignment-type",
        ),
        pytest.param({"criteria": {}}, ("body", "criteria"), "narrative, a url", id="no-criteria"),
        pytest.param({"language": "Japanese"}, ("body", "language"), "", id="bad-language"),
        pytest.param({"name": {"ja": "   "}}, ("body", "name", "ja"), "blank", id="blank-name"),
        pytest.param({"name": {}}, ("body", "name"), "", id="no-names"),
    ],
)
def test_invalid_achievements_are_422_problems_naming_the_field(
    client: TestClient,
    make_issuer: MakeIssuer,
    overrides: dict[str, Any],
    loc: tuple[Any, ...],
    message: str,
) -> None:
    _, staff = make_issuer("ai-exam")
    response = client.post(API, json=BODY | overrides, headers=staff)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = _errors(response)
    assert any(where[: len(loc)] == loc and message in msg for where, msg in errors), errors
    assert client.get(API, headers=staff).json()["total"] == 0


# -- changing --------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_given(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    path = f"{API}/{created['id']}"
    changed = client.patch(
        path,
        json={"name": NAME | {"en": "AI Literacy, Grade 2"}, "achievement_type": None},
        headers=staff,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["name"]["en"] == "AI Literacy, Grade 2"
    assert body["achievement_type"] is None
    assert body["description"] == created["description"]
    assert body["tags"] == created["tags"]
    assert body["criteria"] == created["criteria"]
    document = client.get(f"/achievements/{created['id']}").json()
    assert "achievementType" not in document


def test_patch_keeps_the_primary_language_covered(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff, name={"ja": "検定"}, description={"ja": "説明"})
    path = f"{API}/{created['id']}"
    to_english = client.patch(path, json={"language": "en"}, headers=staff)
    assert to_english.status_code == 422
    assert "primary language 'en'" in to_english.json()["detail"]
    assert client.get(path, headers=staff).json()["language"] == "ja"
    both = client.patch(
        path,
        json={"language": "en", "name": {"en": "Exam"}, "description": {"en": "About"}},
        headers=staff,
    )
    assert both.status_code == 200, both.text
    assert client.get(f"/achievements/{created['id']}").json()["inLanguage"] == "en"


@pytest.mark.parametrize(
    "patch",
    [
        {"name": None},
        {"criteria": None},
        {"tags": None},
        {"name": {"ja": "ok", "en": "bad\x0c"}},
        {"criteria": {}},
        {"issuer": "other"},
    ],
)
def test_invalid_patches_are_refused(
    client: TestClient, make_issuer: MakeIssuer, patch: dict[str, Any]
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    response = client.patch(f"{API}/{created['id']}", json=patch, headers=staff)
    assert response.status_code == 422
    assert client.get(f"{API}/{created['id']}", headers=staff).json() == created


# -- tenants ---------------------------------------------------------------------------------


def test_staff_of_one_issuer_cannot_see_or_change_anothers_achievements(
    client: TestClient, make_issuer: MakeIssuer, admin_headers: Headers
) -> None:
    _, staff_a = make_issuer("issuer-a")
    _, staff_b = make_issuer("issuer-b")
    of_a = _create(client, staff_a)
    of_b = _create(client, staff_b, name={"ja": "B検定"}, description={"ja": "B"})
    path = f"{API}/{of_a['id']}"

    assert client.get(path, headers=staff_b).status_code == 404
    patched = client.patch(path, json={"tags": ["hijacked"]}, headers=staff_b)
    assert patched.status_code == 404
    assert patched.headers["content-type"] == "application/problem+json"
    image = _put_image(client, of_a, staff_b, _png(), "image/png")
    assert image.status_code == 404
    assert client.get(path, headers=staff_a).json() == of_a

    listed = client.get(API, headers=staff_b).json()
    assert [a["id"] for a in listed["items"]] == [of_b["id"]] and listed["total"] == 1
    assert client.get(API, params={"issuer": "issuer-a"}, headers=staff_b).status_code == 404
    foreign = client.post(API, json=BODY | {"issuer": "issuer-a"}, headers=staff_b)
    assert foreign.status_code == 404

    everything = client.get(API, headers=admin_headers).json()
    assert {a["id"] for a in everything["items"]} == {of_a["id"], of_b["id"]}
    only_a = client.get(API, params={"issuer": "issuer-a"}, headers=admin_headers).json()
    assert [a["id"] for a in only_a["items"]] == [of_a["id"]]
    assert client.get(path, headers=admin_headers).status_code == 200


def test_listing_pages_through_the_achievements(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    ids = {_create(client, staff, tags=[str(n)])["id"] for n in range(3)}
    first = client.get(API, params={"limit": 2}, headers=staff).json()
    second = client.get(API, params={"limit": 2, "offset": 2}, headers=staff).json()
    assert first["total"] == second["total"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {a["id"] for a in first["items"] + second["items"]} == ids


def test_unknown_achievements_are_404_problems(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    missing = uuid.uuid4()
    for response in (
        client.get(f"{API}/{missing}", headers=staff),
        client.patch(f"{API}/{missing}", json={"tags": []}, headers=staff),
        client.get(f"/achievements/{missing}"),
        client.get(f"/achievements/{missing}", headers={"Accept": "text/html"}),
        client.get(f"/achievements/{missing}/image.png"),
        client.get(f"/achievements/{missing}/image.svg"),
        client.get("/achievements/not-an-id"),
        client.get("/achievements/not-an-id/image.png"),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


# -- images ----------------------------------------------------------------------------------


def test_a_png_upload_is_stored_and_served_with_caching(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    png = _png(64, 48)
    response = _put_image(client, created, staff, png, "image/png")
    assert response.status_code == 200, response.text
    url = response.json()["image_url"]
    assert url == f"http://testserver/achievements/{created['id']}/image.png"
    served = client.get(url)
    assert served.status_code == 200
    assert served.content == png
    assert served.headers["content-type"] == "image/png"
    assert served.headers["cache-control"] == "public, max-age=86400"
    assert served.headers["x-content-type-options"] == "nosniff"
    again = client.get(url, headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304
    assert Image.open(io.BytesIO(served.content)).size == (64, 48)


def test_a_png_can_be_uploaded_as_a_multipart_form(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    png = _png()
    response = client.put(
        f"{API}/{created['id']}/image",
        files={"file": ("badge.png", png, "image/png")},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    assert client.get(response.json()["image_url"]).content == png
    unnamed = client.put(
        f"{API}/{created['id']}/image",
        files={"picture": ("badge.png", png, "image/png")},
        headers=staff,
    )
    assert unnamed.status_code == 422


def test_an_svg_upload_is_served_under_a_no_script_policy(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    svg = _svg('<style>circle { fill: #c03 }</style><use href="#c"/><circle id="c" r="4"/>')
    response = _put_image(client, created, staff, svg, "image/svg+xml")
    assert response.status_code == 200, response.text
    url = response.json()["image_url"]
    assert url.endswith("/image.svg")
    served = client.get(url)
    assert served.content == svg
    assert served.headers["content-type"] == "image/svg+xml"
    assert (
        served.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    )
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["cache-control"] == "public, max-age=86400"
    # Credentials signed with the earlier URL still find the image after a format change.
    moved = client.get(url.replace(".svg", ".png"), follow_redirects=False)
    assert moved.status_code == 307
    assert moved.headers["location"] == url


def test_an_svg_with_a_doctype_from_a_design_tool_is_accepted(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    svg = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + _svg()
    )
    response = _put_image(client, created, staff, svg, "image/svg+xml")
    assert response.status_code == 200, response.text
    assert client.get(response.json()["image_url"]).content == svg


def test_an_oversized_upload_is_a_413_problem(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    too_big = _png()[:-12] + _chunk(b"tEXt", b"Comment\0" + b"x" * (1024 * 1024)) + _png()[-12:]
    raw = _put_image(client, created, staff, too_big, "image/png")
    assert raw.status_code == 413
    assert raw.headers["content-type"] == "application/problem+json"
    form = client.put(
        f"{API}/{created['id']}/image",
        files={"file": ("badge.png", too_big, "image/png")},
        headers=staff,
    )
    assert form.status_code == 413
    assert client.get(f"{API}/{created['id']}", headers=staff).json()["image_url"] is None


@pytest.mark.parametrize(
    ("media", "data"),
    [
        ("text/plain", b"hello"),
        ("image/jpeg", b"\xff\xd8\xff\xe0"),
        ("application/pdf", b"%PDF-1.7"),
    ],
)
def test_a_non_image_is_a_415_problem(
    client: TestClient, make_issuer: MakeIssuer, media: str, data: bytes
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    response = _put_image(client, created, staff, data, media)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    form = client.put(
        f"{API}/{created['id']}/image", files={"file": ("x.bin", data, media)}, headers=staff
    )
    assert form.status_code == 415


def _bad_crc(png: bytes) -> bytes:
    # Flip one byte inside the IDAT chunk's data; its CRC no longer matches.
    at = png.index(b"IDAT") + 6
    return png[:at] + bytes([png[at] ^ 0xFF]) + png[at + 1 :]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(_bad_crc(_png()), "CRC", id="bad-crc"),
        pytest.param(_png()[:-20], "truncated", id="truncated"),
        pytest.param(_png(2049, 1), "2049x1", id="too-wide"),
        pytest.param(_png() + b"trailing", "after its IEND", id="after-iend"),
        pytest.param(b"GIF89a" + b"\0" * 20, "signature", id="not-png"),
        pytest.param(_svg(), "signature", id="svg-declared-as-png"),
        pytest.param(
            _insert_before_iend(_png(), _chunk(b"ZZZZ", b"")), "critical", id="unknown-critical"
        ),
    ],
)
def test_a_corrupt_png_is_a_422_problem(
    client: TestClient, make_issuer: MakeIssuer, data: bytes, message: str
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    response = _put_image(client, created, staff, data, "image/png")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert message in response.json()["detail"]


XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "https://evil.example/secret">]>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>'
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
)
# An attribute default in the DTD would add onload to <svg> without it appearing in the tag.
ATTLIST = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(_svg("<script>alert(1)</script>"), "<script>", id="script"),
        pytest.param(
            _svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
            "<script>",
            id="xhtml-script",
        ),
        pytest.param(_svg(attributes=' onload="alert(1)"'), "event handler", id="onload"),
        pytest.param(
            _svg('<a href=" java&#9;script:alert(1)"><text>x</text></a>'),
            "script URL",
            id="javascript-href",
        ),
        pytest.param(
            _svg('<a><set attributeName="href" to="javascript:alert(1)"/></a>'),
            "script URL",
            id="javascript-animation",
        ),
        pytest.param(XXE, "internal subset", id="external-entity"),
        pytest.param(LAUGHS, "internal subset", id="entity-expansion"),
        pytest.param(ATTLIST, "internal subset", id="attribute-default"),
        pytest.param(
            _svg('<image href="https://tracker.example/pixel.png"/>'),
            "another resource",
            id="external-image",
        ),
        pytest.param(
            _svg("<style>@import url(https://evil.example/x.css);</style>"),
            "imports",
            id="css-import",
        ),
        pytest.param(
            _svg('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>'),
            "foreignObject",
            id="foreign-object",
        ),
        pytest.param(
            b'<?xml-stylesheet href="https://evil.example/x.xsl" type="text/xsl"?>' + _svg(),
            "processing instruction",
            id="stylesheet-pi",
        ),
        pytest.param(b"<svg><circle r='1'/></svg>", "SVG namespace", id="no-namespace"),
        pytest.param(b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "root", id="html"),
        pytest.param(_svg()[:-3], "well-formed", id="truncated"),
        pytest.param(
            b'<?xml version="1.0" encoding="ISO-8859-1"?>' + _svg(), "UTF-8", id="latin-1"
        ),
    ],
)
def test_an_unsafe_or_broken_svg_is_a_422_problem(
    client: TestClient, make_issuer: MakeIssuer, data: bytes, message: str
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    response = _put_image(client, created, staff, data, "image/svg+xml")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert message in response.json()["detail"]
    assert client.get(f"{API}/{created['id']}", headers=staff).json()["image_url"] is None


def test_a_baked_png_is_stored_unbaked(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    png = _png()
    ob2 = _chunk(b"tEXt", b"openbadges\0https://old.example/assertion/1")
    baked = bake_png(_insert_before_iend(png, ob2), '{"id": "urn:uuid:1"}', version="3.0")
    assert unbake(baked) is not None
    comment = _chunk(b"tEXt", b"Comment\0made by hand")
    response = _put_image(client, created, staff, _insert_before_iend(baked, comment), "image/png")
    assert response.status_code == 200, response.text
    served = client.get(response.json()["image_url"]).content
    assert unbake(served) is None
    assert served == _insert_before_iend(png, comment)


def test_a_baked_svg_is_stored_unbaked(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    svg = _svg()
    baked = bake_svg(svg, '{"id": "urn:uuid:1"}', version="3.0")
    assert unbake(baked) is not None
    response = client.put(
        f"{API}/{created['id']}/image",
        files={"file": ("badge.svg", baked, "application/octet-stream")},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    served = client.get(response.json()["image_url"]).content
    assert unbake(served) is None
    assert served == svg


def test_badge_elements_are_cut_out_of_an_svg_and_nothing_else() -> None:
    svg = (
        f'<svg xmlns="{SVG_NS}" xmlns:ob="http://openbadges.org">'
        '<ob:assertion verify="https://x.example/a?b=1&amp;c=&gt;"/>'
        "<g><circle r='1'/></g>"
        '<openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        "<![CDATA[{}]]></openbadges:credential  >"
        "</svg>"
    ).encode()
    expected = (
        f'<svg xmlns="{SVG_NS}" xmlns:ob="http://openbadges.org"><g><circle r=\'1\'/></g></svg>'
    )
    assert images.check_svg(svg) == expected.encode()


def test_a_png_without_a_badge_keeps_every_byte() -> None:
    png = _insert_before_iend(_png(), _chunk(b"iTXt", b"Description\0\0\0\0\0a badge"))
    assert images.check_png(png) == png


def test_the_declared_type_decides_and_octet_streams_are_sniffed() -> None:
    assert images.media_type_of(None, _png()) == "image/png"
    assert images.media_type_of("application/octet-stream", _svg()) == "image/svg+xml"
    assert images.media_type_of("image/png", _svg()) == "image/png"
    with pytest.raises(images.UnsupportedMediaTypeError):
        images.media_type_of(None, b"%PDF-1.7")


# -- public documents ------------------------------------------------------------------------


def _with_image(client: TestClient, staff: Headers) -> dict[str, Any]:
    created = _create(client, staff)
    response = _put_image(client, created, staff, _png(), "image/png")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_public_achievement_is_ob3_json_ld(client: TestClient, make_issuer: MakeIssuer) -> None:
    issuer, staff = make_issuer("ai-exam")
    achievement = _with_image(client, staff)
    response = client.get(
        f"/achievements/{achievement['id']}", headers={"Accept": "application/ld+json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert document["id"] == achievement["public_url"]
    assert document["type"] == ["Achievement"]
    assert document["name"] == NAME["ja"]
    assert document["inLanguage"] == "ja"
    assert document["criteria"] == {
        "id": BODY["criteria"]["url"],
        "narrative": BODY["criteria"]["narrative"],
    }
    assert document["image"] == {
        "id": achievement["image_url"],
        "type": "Image",
        "caption": NAME["ja"],
    }
    assert document["alignment"] == [{"type": ["Alignment"], **BODY["alignments"][0]}]
    assert document["tag"] == BODY["tags"]
    assert document["creator"]["id"] == issuer["did"]
    plain = client.get(f"/achievements/{achievement['id']}")
    assert plain.headers["content-type"].startswith("application/json")
    assert plain.json() == document


def test_the_public_achievement_passes_the_ob3_schema_inside_a_credential(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    issuer, staff = make_issuer("ai-exam")
    achievement = _with_image(client, staff)
    document = client.get(f"/achievements/{achievement['id']}").json()
    embedded = {k: v for k, v in document.items() if k != "@context"}
    credential = {
        "@context": document["@context"],
        "id": "urn:uuid:0b5e8f6e-5a3c-4a4e-9d7e-2f1c9a0e1d11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer["did"], "type": ["Profile"], "name": issuer["name"]},
        "validFrom": "2026-11-30T12:00:00Z",
        "credentialSubject": {
            "id": "did:example:recipient",
            "type": ["AchievementSubject"],
            "achievement": embedded,
        },
    }
    assert validate_credential(credential) == []
    built = ob3.build_credential(
        credential_id="urn:uuid:0b5e8f6e-5a3c-4a4e-9d7e-2f1c9a0e1d11",
        issuer=ob3.Profile.from_wire(credential["issuer"]),
        achievement=ob3.Achievement.from_wire(embedded),
        recipient_id="did:example:recipient",
        valid_from=FIXED_NOW,
    )
    assert built["credentialSubject"]["achievement"]["id"] == achievement["public_url"]


def test_the_schema_check_reports_what_the_official_schema_refuses() -> None:
    issuer = Issuer(slug="ai-exam", name="AI", url="https://ai-exam.example.jp/")
    achievement = Achievement(
        id=uuid.uuid4(),
        issuer=issuer,
        language="Japanese",
        name={"Japanese": "検定"},
        description={"Japanese": "説明"},
        criteria_narrative="x",
        achievement_type="NotAType",
        alignments=[],
        tags=[],
    )
    problems = schema_problems(Urls("http://testserver"), achievement)
    assert any("inLanguage" in p for p in problems), problems
    assert any("achievementType" in p for p in problems), problems
    achievement.language, achievement.achievement_type = "ja", "Certification"
    achievement.name, achievement.description = {"ja": "検定"}, {"ja": "説明"}
    assert schema_problems(Urls("http://testserver"), achievement) == []


def test_browsers_get_a_page_in_every_language(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    achievement = _with_image(client, staff)
    page = client.get(
        f"/achievements/{achievement['id']}", headers={"Accept": "text/html,application/xhtml+xml"}
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="ja">' in html
    assert f'<dd lang="en">{NAME["en"]}</dd>' in html
    assert f'<dd lang="ja">{NAME["ja"]}</dd>' in html
    assert '<div lang="en">' in html and BODY["description"]["en"] in html
    assert f'src="{achievement["image_url"]}" alt="{NAME["ja"]}"' in html
    assert "一般社団法人 AIリテラシー検定協会" in html
    assert 'href="http://testserver/issuers/ai-exam"' in html
    assert "**70%**" in html  # the narrative is shown as written, never as raw HTML
    assert BODY["criteria"]["url"] in html


def test_the_page_escapes_what_issuers_wrote(client: TestClient, make_issuer: MakeIssuer) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(
        client,
        staff,
        name={"ja": "<script>alert(1)</script>"},
        description={"ja": '"><img src=x onerror=alert(1)>'},
    )
    html = client.get(f"/achievements/{created['id']}", headers={"Accept": "text/html"}).text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_achievement_without_an_image_has_no_image_document(
    client: TestClient, make_issuer: MakeIssuer
) -> None:
    _, staff = make_issuer("ai-exam")
    created = _create(client, staff)
    assert "image" not in client.get(f"/achievements/{created['id']}").json()
    for extension in ("png", "svg"):
        response = client.get(f"/achievements/{created['id']}/image.{extension}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
