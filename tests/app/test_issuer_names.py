"""Look-alike issuer names are refused: confusables (UTS #39 skeleton) and invisible controls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.issuers.names import invisible_character, skeleton, skeletons

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]
NAME = "AI Literacy Examination Association"


def _body(slug: str, name: str, **fields: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "url": f"https://{slug}.example.org/",
        "email": f"badges@{slug}.example.org",
    } | fields


def _create(
    client: TestClient, headers: dict[str, str], slug: str, name: str, **fields: Any
) -> Any:
    return client.post("/api/v1/issuers", json=_body(slug, name, **fields), headers=headers)


@pytest.mark.parametrize(
    "name",
    [
        NAME,  # the same
        "\u0410I Literacy Examination Association",  # Cyrillic capital A
        "Al Literacy Examination Association",  # l for I
        # full-width
        "\uff21\uff29 \uff2c\uff49\uff54\uff45\uff52\uff41\uff43\uff59 Examination Association",
        "ai literacy  examination association",  # case and spacing
        "AI Literacy Ex\u0430mination Associati\u043en",  # Cyrillic a and o
    ],
)
def test_a_name_that_looks_like_another_issuers_is_refused(
    client: TestClient, admin_headers: dict[str, str], name: str
) -> None:
    assert _create(client, admin_headers, "genuine", NAME).status_code == 201
    response = _create(client, admin_headers, "copycat", name)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "looks the same as another issuer's name" in response.json()["detail"]
    assert client.get("/issuers/copycat").status_code == 404


def test_japanese_look_alikes_are_refused(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    assert (
        _create(client, admin_headers, "genuine", "一般社団法人 生成AI能力検定協会").status_code
        == 201
    )
    # Katakana カ for the kanji 力, katakana ロ for the kanji 口 elsewhere in the name.
    fake = _create(client, admin_headers, "copycat", "一般社団法人 生成AI能カ検定協会")
    assert fake.status_code == 409


def test_a_translation_may_not_look_like_another_issuers_name(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    assert _create(client, admin_headers, "genuine", NAME).status_code == 201
    response = _create(
        client, admin_headers, "copycat", "別の協会", name_translations={"en": NAME.upper()}
    )
    assert response.status_code == 409


def test_renaming_to_a_look_alike_is_refused_and_changes_nothing(
    client: TestClient, make_issuer: MakeIssuer, admin_headers: dict[str, str]
) -> None:
    assert _create(client, admin_headers, "genuine", NAME).status_code == 201
    issuer, staff = make_issuer("other-body")
    response = client.patch(
        "/api/v1/issuers/other-body",
        json={"name": "\u0410I Literacy Examination Association"},
        headers=staff,
    )
    assert response.status_code == 409
    assert client.get("/api/v1/issuers/other-body", headers=staff).json()["name"] == issuer["name"]
    # An issuer may keep, or re-spell, its own name.
    again = client.patch(
        "/api/v1/issuers/other-body", json={"name": issuer["name"].upper()}, headers=staff
    )
    assert again.status_code == 200, again.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Acme\u202e ytisrevinU"),  # right-to-left override
        ("name", "AI\u200bLiteracy"),  # zero-width space
        ("name", "\u2067AI Literacy\u2069"),  # right-to-left isolate
        ("name", "AI\u3164Literacy"),  # Hangul filler, an invisible letter
        ("name_translations", {"en": "AI\u200dLiteracy"}),  # zero-width joiner
    ],
)
def test_names_with_bidi_or_zero_width_controls_are_refused(
    client: TestClient, admin_headers: dict[str, str], field: str, value: Any
) -> None:
    body = _body("sneaky", "Sneaky Examination Body") | {field: value}
    response = client.post("/api/v1/issuers", json=body, headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "invisible character" in response.text


def test_distinct_names_are_accepted(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert _create(client, admin_headers, "genuine", NAME).status_code == 201
    other = _create(client, admin_headers, "other", "AI Literacy Certification Board")
    assert other.status_code == 201, other.text


def test_the_skeleton_follows_uts_39() -> None:
    # UTS #39 section 4: "paypal" with Cyrillic letters, and the ASCII folds the table makes.
    assert skeleton("\u0440\u0430ypal") == skeleton("paypal")
    assert skeleton("rn") == skeleton("m")
    assert skeleton("0") == skeleton("O")
    assert skeleton("カ") == skeleton("力")
    assert skeleton("Shomei") != skeleton("Shonei")
    assert skeletons("AI Literacy") & skeletons("Al Literacy")
    assert skeletons("AI literacy") & skeletons("ai literacy")
    assert invisible_character("plain name") is None
    assert invisible_character("a\u00adb") == "\u00ad"  # soft hyphen, also Cf
