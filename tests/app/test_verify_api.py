"""The verify API and page through the ASGI app: formats, summaries, errors and local answers.

Foreign badges come from ``BadgeMaker`` (a did:key issuer: nothing to fetch); badges of this
service are issued through its own API and verified with the service's local answers, with a
fetcher that records every URL it is asked for, so a test can prove nothing left the app.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.main import create_app
from app.settings import Settings
from app.texts import CHECK_LABELS, LANGS, check_label, check_sentence
from app.verification.local import LocalDocuments
from app.verification.page import choose_language
from badges import baking
from badges.errors import FetchError
from tests.browser.support import (
    NOW,
    STATUS_LIST_URL,
    BadgeMaker,
    TableFetcher,
    badge_png,
    data_url,
    issue_through_api,
)

API = "/api/v1/verify"
EMAIL = "hanako@example.jp"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
    b'<circle cx="32" cy="32" r="30" fill="#1d4ed8"/></svg>'
)


@pytest.fixture
def world(client: TestClient, app: FastAPI) -> Iterator[TableFetcher]:
    """Replace the app's fetcher: it serves a table and records every URL asked."""
    fetcher = TableFetcher()
    resources = app.state.resources
    original, resources.fetcher = resources.fetcher, fetcher
    yield fetcher
    resources.fetcher = original


@pytest.fixture
def maker() -> BadgeMaker:
    return BadgeMaker()


def _checks(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in report["checks"]}


def _verify(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(API, json=body)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


# --- what the API answers --------------------------------------------------------------


def test_a_valid_credential_reports_ok_with_its_summary(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    credential = maker.credential(image=data_url(badge_png()))
    report = _verify(client, credential=credential, recipient={"email": EMAIL})
    assert report["ok"] is True
    assert report["format"] == "ob3-data-integrity"
    assert report["version"] == "3.0"
    checks = _checks(report)
    # A did:key issuer: nothing ties the key to the organisation named (a warning).
    assert checks.pop("issuer.key_ownership") == "warning"
    assert set(checks.values()) <= {"passed", "skipped"}
    summary = report["summary"]
    assert summary["issuer"] == {
        "name": "一般社団法人 生成AI検定協会",
        "id": maker.did,
        "url": "https://issuer.example.org/",
        "verified_id": maker.did,  # who signed, beside the name the issuer gives itself
    }
    assert summary["endorsements"] == []
    assert summary["achievement"]["name"] == "生成AIパスポート"
    assert summary["achievement"]["image"].startswith("data:image/png;base64,")
    assert summary["recipient"] == {
        "type": "email",
        "identity": None,
        "hashed": True,
        "name": None,
        "matched": True,
    }
    assert summary["valid_from"] == summary["issued"] == credential["validFrom"]
    assert summary["valid_until"] is None
    assert summary["status"] is None  # the badge names no status list
    assert "credential" not in report
    assert world.asked == []  # a did:key needs no fetch


def test_another_recipient_is_reported_as_not_matching(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    report = _verify(
        client, credential=maker.credential(), recipient={"email": "someone@example.jp"}
    )
    assert report["ok"] is False
    assert report["summary"]["recipient"]["matched"] is False
    assert _checks(report)["recipient.identity"] == "failed"


def test_without_a_recipient_matching_is_unknown(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    report = _verify(client, credential=maker.credential())
    assert report["ok"] is True
    assert report["summary"]["recipient"]["matched"] is None
    assert _checks(report)["recipient.identity"] == "skipped"


def test_a_tampered_credential_fails_its_signature(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    credential = maker.credential()
    credential["credentialSubject"]["achievement"]["name"] = "偽物の資格"
    report = _verify(client, credential=credential)
    assert report["ok"] is False
    assert _checks(report)["proof.signature"] == "failed"
    assert report["summary"]["achievement"]["name"] == "偽物の資格"


def test_an_expired_credential_fails_its_validity_window(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    credential = maker.credential(valid_until=NOW - timedelta(days=1))
    report = _verify(client, credential=credential)
    assert report["ok"] is False
    assert _checks(report)["validity.window"] == "failed"
    assert report["summary"]["valid_until"] == credential["validUntil"]


def test_a_vc_jwt_given_as_a_string_verifies(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    report = _verify(client, credential=maker.jwt(), recipient={"email": EMAIL})
    assert report["ok"] is True, report["checks"]
    assert report["format"] == "ob3-jwt"
    assert report["summary"]["recipient"]["matched"] is True


def test_a_revoked_credential_reports_revoked(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    world.documents[STATUS_LIST_URL] = maker.status_list(revoked=(4242,))
    report = _verify(client, credential=maker.credential(status_index=4242))
    assert report["ok"] is False
    assert _checks(report)["status.revocation"] == "failed"
    assert report["summary"]["status"] == "revoked"
    active = _verify(client, credential=maker.credential(status_index=7))
    assert active["ok"] is True
    assert active["summary"]["status"] == "active"


def test_an_unreachable_status_list_is_could_not_check(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    report = _verify(client, credential=maker.credential(status_index=1))
    assert report["ok"] is False
    assert _checks(report)["status.revocation"] == "indeterminate"
    assert not any(c["status"] == "failed" for c in report["checks"])
    assert report["summary"]["status"] == "unknown"
    assert world.asked == [STATUS_LIST_URL]


# --- uploads --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["png", "svg", "json", "jwt"])
def test_an_uploaded_file_verifies(
    client: TestClient, maker: BadgeMaker, world: TableFetcher, kind: str
) -> None:
    credential = maker.credential()
    payload = json.dumps(credential)
    files = {
        "png": ("badge.png", maker.baked_png(credential), "image/png"),
        "svg": ("badge.svg", baking.bake(SVG, payload, version="3.0"), "image/svg+xml"),
        "json": ("badge.json", payload.encode(), "application/json"),
        "jwt": ("badge.jwt", maker.jwt().encode(), "application/octet-stream"),
    }
    response = client.post(API, files={"file": files[kind]}, data={"email": EMAIL})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] is True, report["checks"]
    assert report["summary"]["recipient"]["matched"] is True


def test_an_upload_over_the_limit_is_413(client: TestClient, app: FastAPI) -> None:
    limit = app.state.resources.settings.max_upload_bytes
    response = client.post(API, files={"file": ("big.png", b"\x89PNG" + b"\0" * limit)})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("files", "data"),
    [
        ({}, {"email": EMAIL}),  # no file
        ({"file": ("empty.png", b"", "image/png")}, {}),  # an empty one
    ],
)
def test_a_form_without_a_file_is_422(
    client: TestClient, files: dict[str, Any], data: dict[str, str]
) -> None:
    response = client.post(API, files=files or {"other": ("x.txt", b"x", "text/plain")}, data=data)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_bad_multipart_is_400(client: TestClient) -> None:
    response = client.post(
        API,
        content=b"--nope\r\nnot really multipart",
        headers={"Content-Type": "multipart/form-data"},  # and no boundary
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


def test_another_media_type_is_415(client: TestClient) -> None:
    response = client.post(API, content=b"credential", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


# --- requests that cannot be read -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"credential": {"a": 1}, "url": "https://example.org/badge"},
        {"credential": 5},
        {"credential": ["a"]},
        {"credential": "   "},
        {"url": "ftp://example.org/badge"},
        {"url": 7},
        {"credential": {}, "recipient": {"email": "a@b.jp", "url": "https://b.jp"}},
        {"credential": {}, "recipient": {}},
        {"credential": {}, "recipient": "a@b.jp"},
        {"credential": {}, "surprise": True},
    ],
)
def test_a_malformed_request_is_a_422_problem(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post(API, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello", "Not an Open Badge"),
        ("eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln", "JSON"),  # a JWS whose payload is not JSON
        ('{"credential": ', "Not valid JSON"),
    ],
)
def test_something_that_is_not_a_badge_is_a_422_problem(
    client: TestClient, text: str, reason: str
) -> None:
    response = client.post(API, json={"credential": text})
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "not_a_badge"
    assert reason in problem["detail"]


def test_a_plain_image_is_not_a_badge(client: TestClient) -> None:
    response = client.post(API, files={"file": ("plain.png", badge_png(), "image/png")})
    assert response.status_code == 422
    assert "carries no Open Badge" in response.json()["detail"]


def test_a_json_object_that_is_no_badge_is_a_failed_report(
    client: TestClient, world: TableFetcher
) -> None:
    # An object is read; what it lacks is reported check by check, not refused.
    report = _verify(client, credential={"name": "not a badge"})
    assert report["ok"] is False
    assert _checks(report)["document.context"] == "failed"


# --- by URL -----------------------------------------------------------------------------


def test_a_url_is_fetched_through_the_service_fetcher(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    url = "https://issuer.example.org/badges/1"
    world.documents[url] = maker.credential()
    report = _verify(client, url=url, recipient={"email": EMAIL})
    assert report["ok"] is True, report["checks"]
    assert world.asked == [url]


@pytest.mark.parametrize("kind", ["png", "jwt"])
def test_a_url_that_serves_a_baked_image_or_a_jwt_verifies_what_it_serves(
    client: TestClient, maker: BadgeMaker, world: TableFetcher, kind: str
) -> None:
    url = f"https://issuer.example.org/badges/3.{kind}"
    world.documents[url] = (
        maker.baked_png(maker.credential()) if kind == "png" else maker.jwt().encode()
    )
    report = _verify(client, url=url, recipient={"email": EMAIL})
    assert report["ok"] is True, report["checks"]
    assert report["format"] == ("ob3-jwt" if kind == "jwt" else "ob3-data-integrity")
    assert world.asked == [url]  # fetched once, then read as what it is


def test_a_url_that_cannot_be_fetched_is_could_not_check(
    client: TestClient, world: TableFetcher
) -> None:
    report = _verify(client, url="https://issuer.example.org/gone")
    assert report["ok"] is False
    assert report["format"] == "unknown"
    assert report["checks"] == [
        {
            "id": "document.parse",
            "status": "indeterminate",
            "message": "Could not fetch https://issuer.example.org/gone: "
            "https://issuer.example.org/gone returned 404 Not Found",
        }
    ]


def test_a_url_given_as_the_credential_text_is_fetched_too(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    url = "https://issuer.example.org/badges/2"
    world.documents[url] = maker.credential()
    assert _verify(client, credential=f"  {url}\n")["ok"] is True
    assert world.asked == [url]


# --- batches ----------------------------------------------------------------------------


def test_a_batch_answers_one_report_per_item_in_order(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    tampered = maker.credential()
    tampered["name"] = "changed"
    items = [
        {"credential": maker.credential(), "recipient": {"email": EMAIL}},
        {"credential": tampered},
        {"credential": "not a badge at all"},
        {"url": "https://issuer.example.org/missing"},
        {"credential": maker.jwt()},
    ]
    response = client.post(f"{API}/batch", json={"items": items})
    assert response.status_code == 200, response.text
    reports = response.json()["reports"]
    assert [r["ok"] for r in reports] == [True, False, False, False, True]
    assert [r["format"] for r in reports] == [
        "ob3-data-integrity",
        "ob3-data-integrity",
        "unknown",  # in a batch, one unreadable item does not sink the others
        "unknown",
        "ob3-jwt",
    ]
    assert reports[0]["summary"]["recipient"]["matched"] is True
    assert _checks(reports[1])["proof.signature"] == "failed"
    assert _checks(reports[2]) == {"document.parse": "failed"}
    assert _checks(reports[3]) == {"document.parse": "indeterminate"}
    # Each report echoes its item's place and the credential's id (or the URL it came from).
    assert [r["index"] for r in reports] == [0, 1, 2, 3, 4]
    assert reports[0]["credential_id"] == items[0]["credential"]["id"]  # type: ignore[index]
    assert reports[3]["credential_id"] == "https://issuer.example.org/missing"
    assert reports[2]["error"]["code"] == "not_a_badge"
    assert reports[0]["error"] is None


def test_a_batch_answers_a_spreadsheet_line_per_item_when_asked_for_csv(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    good = maker.credential()
    tampered = copy.deepcopy(good)
    tampered["name"] = "changed"
    items = [
        {"credential": good, "recipient": {"email": EMAIL}},
        {"credential": good, "recipient": {"email": "someone.else@example.org"}},
        {"credential": tampered},
        {"credential": '=HYPERLINK("https://evil.example")'},
    ]
    response = client.post(f"{API}/batch", json={"items": items}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == [
        "index",
        "credential_id",
        "issuer",
        "achievement",
        "recipient_match",
        "issued",
        "valid_until",
        "status",
        "ok",
        "error",
    ]
    json_reports = client.post(f"{API}/batch", json={"items": items}).json()["reports"]
    first = json_reports[0]["summary"]
    assert lines[1][:5] == [
        "0",
        good["id"],
        first["issuer"]["name"],
        first["achievement"]["name"],
        "yes",
    ]
    assert lines[1][5] == (first["issued"] or first["valid_from"])
    assert lines[1][8] == "true"
    assert lines[2][0] == "1" and lines[2][4] == "no" and lines[2][8] == "false"
    assert lines[3][0] == "2" and lines[3][8] == "false" and not lines[3][9]
    assert lines[4][0] == "3" and lines[4][8] == "false" and lines[4][9]  # not a badge
    # Nothing a spreadsheet would run as a formula comes back as one.
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_a_batch_answers_json_unless_csv_is_preferred(
    client: TestClient, maker: BadgeMaker
) -> None:
    items = [{"credential": maker.credential()}]
    for accept in ("application/json", "*/*", "application/json, text/csv", ""):
        response = client.post(f"{API}/batch", json={"items": items}, headers={"Accept": accept})
        assert response.headers["content-type"] == "application/json", accept


@pytest.mark.parametrize("count", [0, 101])
def test_a_batch_holds_one_to_a_hundred_items(client: TestClient, count: int) -> None:
    response = client.post(f"{API}/batch", json={"items": [{"credential": "x"}] * count})
    assert response.status_code == 422


def test_an_unreadable_item_gets_its_own_error_in_place(
    client: TestClient, maker: BadgeMaker
) -> None:
    credential = maker.credential()
    items = [{"credential": "x"}, {"url": 3}, 7, {"credential": credential}]
    response = client.post(f"{API}/batch", json={"items": items})
    assert response.status_code == 200, response.text
    reports = response.json()["reports"]
    assert [r["index"] for r in reports] == [0, 1, 2, 3]
    assert [(r["error"] or {}).get("code") for r in reports] == [
        "not_a_badge",
        "invalid_item",
        "invalid_item",
        None,
    ]
    assert reports[1]["error"]["detail"].startswith("url:")
    assert reports[1]["ok"] is False and reports[1]["checks"] == []
    assert reports[3]["ok"] is True
    assert reports[3]["credential_id"] == credential["id"]


def test_callers_with_an_api_key_may_send_bigger_batches(
    settings: Settings, maker: BadgeMaker
) -> None:
    small = settings.model_copy(
        update={"verify_batch_max_items": 2, "verify_batch_max_items_with_key": 4}
    )
    app = create_app(small)
    with TestClient(app) as client:
        from app.apikeys.service import create_api_key

        with app.state.resources.sessions() as session:
            key = create_api_key(session, issuer_id=None, is_admin=True)
        items = [{"credential": maker.credential()}] * 3
        anonymous = client.post(f"{API}/batch", json={"items": items})
        assert anonymous.status_code == 422
        assert "API key" in anonymous.json()["detail"]
        keyed = client.post(
            f"{API}/batch", json={"items": items}, headers={"Authorization": f"Bearer {key}"}
        )
        assert keyed.status_code == 200, keyed.text
        assert len(keyed.json()["reports"]) == 3
        too_many = client.post(
            f"{API}/batch", json={"items": items * 2}, headers={"Authorization": f"Bearer {key}"}
        )
        assert too_many.status_code == 422
        wrong_key = client.post(
            f"{API}/batch", json={"items": items}, headers={"Authorization": "Bearer shm_nope"}
        )
        assert wrong_key.status_code == 401


# --- rate limit -------------------------------------------------------------------------


@pytest.fixture
def limited_client(settings: Settings) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"verify_rate_per_minute": 3})
    with TestClient(create_app(limited)) as client:
        yield client


def test_too_many_verifications_from_one_address_are_429(
    limited_client: TestClient, maker: BadgeMaker
) -> None:
    credential = maker.credential()
    for _ in range(3):
        assert limited_client.post(API, json={"credential": credential}).status_code == 200
    refused = limited_client.post(API, json={"credential": credential})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    page = limited_client.post("/verify", data={"text": json.dumps(credential)})
    assert page.status_code == 429
    assert page.headers["content-type"].startswith("text/html")
    assert "retry-after" in page.headers
    assert limited_client.get("/verify").status_code == 200  # the page itself is not limited


def test_a_batch_costs_one_verification_per_item(
    limited_client: TestClient, maker: BadgeMaker
) -> None:
    items = [{"credential": maker.credential()}] * 3
    assert limited_client.post(f"{API}/batch", json={"items": items}).status_code == 200
    assert limited_client.post(f"{API}/batch", json={"items": items[:1]}).status_code == 429


# --- the service's own badges, answered locally ---------------------------------------


@pytest.mark.parametrize("credential_format", ["ob3", "ob3-jwt", "ob2"])
def test_a_credential_of_this_service_verifies_without_fetching(
    client: TestClient,
    app: FastAPI,
    admin_headers: dict[str, str],
    world: TableFetcher,
    credential_format: str,
) -> None:
    issued = issue_through_api(
        client, admin_headers, slug="ai-exam", credential_format=credential_format
    )
    png = client.get(f"/credentials/{issued['id']}.png")
    assert png.status_code == 200
    response = client.post(API, files={"file": ("b.png", png.content, "image/png")})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ok"] is True, report["checks"]
    assert report["summary"]["achievement"]["name"] == "生成AIパスポート"
    assert report["summary"]["issuer"]["name"] == "一般社団法人 生成AI検定協会"
    assert world.asked == []  # the DID document, keys, lists: all answered from the database
    if credential_format != "ob3-jwt":
        assert report["summary"]["status"] == "active"


def test_a_revoked_credential_of_this_service_is_reported_revoked_at_once(
    client: TestClient, admin_headers: dict[str, str], world: TableFetcher
) -> None:
    issued = issue_through_api(client, admin_headers, slug="ai-exam")
    revoked = client.post(
        f"/api/v1/credentials/{issued['id']}/revoke",
        json={"reason": "試験の不正が判明したため"},
        headers=admin_headers,
    )
    assert revoked.status_code == 200, revoked.text
    report = _verify(client, credential=issued["document"])
    assert report["ok"] is False
    assert _checks(report)["status.revocation"] == "failed"
    assert report["summary"]["status"] == "revoked"


def test_the_url_of_a_credential_of_this_service_verifies(
    client: TestClient, admin_headers: dict[str, str], world: TableFetcher
) -> None:
    for credential_format in ("ob3", "ob3-jwt"):
        issued = issue_through_api(
            client,
            admin_headers,
            slug=f"exam-{credential_format}",
            credential_format=credential_format,
        )
        report = _verify(client, url=issued["public_url"], recipient={"email": EMAIL})
        assert report["ok"] is True, report["checks"]
        assert report["summary"]["recipient"]["matched"] is True
    assert world.asked == []


def test_local_documents_answer_only_this_service(app: FastAPI, client: TestClient) -> None:
    resources = app.state.resources
    local = LocalDocuments(resources.sessions, resources.keyring, resources.urls)
    assert local("https://elsewhere.example/issuers/x/did.json") is None
    assert local("http://testserver/unknown/path") is None
    assert local("http://testserver/issuers/x/did.json?version=1") is None
    with pytest.raises(FetchError) as missing:
        local("http://testserver/issuers/nobody/did.json")
    assert missing.value.status == 404
    with pytest.raises(FetchError):
        local("http://testserver/ob2/badges/------------------------------------")


def test_local_documents_serve_the_did_document_over_either_scheme(
    app: FastAPI, client: TestClient, make_issuer: Callable[..., Any]
) -> None:
    make_issuer("ai-exam")
    resources = app.state.resources
    local = LocalDocuments(resources.sessions, resources.keyring, resources.urls)
    did = resources.urls.issuer_did("ai-exam")
    for scheme in ("http", "https"):
        document = local(f"{scheme}://testserver/issuers/ai-exam/did.json")
        assert document is not None and document["id"] == did
    jwks = local("http://testserver/issuers/ai-exam/jwks.json")
    assert jwks is not None and len(jwks["keys"]) == 2
    profile = local("http://testserver/issuers/ai-exam")
    assert profile is not None and profile["id"] == did


def test_local_documents_respect_a_base_path(settings: Settings) -> None:
    from app.urls import Urls

    local = LocalDocuments(None, None, Urls("https://example.jp/badges"))  # type: ignore[arg-type]
    assert local._own_path("https://example.jp/badges/issuers/a") == "/issuers/a"
    assert local._own_path("https://example.jp:443/badges/issuers/a") == "/issuers/a"
    assert local._own_path("https://example.jp/other/issuers/a") is None
    assert local._own_path("https://example.jp:8443/badges/issuers/a") is None


# --- the page ---------------------------------------------------------------------------


def test_the_page_speaks_japanese_by_default_and_english_on_request(client: TestClient) -> None:
    japanese = client.get("/verify")
    assert japanese.status_code == 200
    assert '<html lang="ja">' in japanese.text
    assert "デジタルバッジを検証する" in japanese.text
    english = client.get("/verify", headers={"Accept-Language": "en-GB,en;q=0.9,ja;q=0.5"})
    assert '<html lang="en">' in english.text
    assert "Verify a digital badge" in english.text


def test_the_language_switch_sticks_in_a_cookie(client: TestClient) -> None:
    switched = client.get("/verify?lang=en", headers={"Accept-Language": "ja"})
    assert "shomei_lang=en" in switched.headers["set-cookie"]
    later = client.get("/verify", headers={"Accept-Language": "ja"})
    assert '<html lang="en">' in later.text
    assert '<html lang="ja">' in client.get("/verify?lang=ja").text


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        (None, None, None, "ja"),
        (None, None, "en-US,en;q=0.9", "en"),
        (None, None, "fr, en;q=0.4, ja;q=0.8", "ja"),
        (None, None, "ja;q=0, en;q=0.1", "en"),
        (None, "en", "ja", "en"),
        ("ja", "en", "en", "ja"),
        ("xx", None, "en", "en"),
        (None, None, "en;q=abc", "ja"),
    ],
)
def test_the_page_language_is_chosen_from_query_cookie_then_header(
    query: str | None, cookie: str | None, header: str | None, expected: str
) -> None:
    assert choose_language(query, cookie, header) == expected


def test_the_page_has_a_strict_content_security_policy(client: TestClient) -> None:
    page = client.get("/verify?url=https://issuer.example.org/b/1")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts and all("src=" in s or 'type="application/json"' in s for s in scripts)
    assert "style=" not in page.text and "<style" not in page.text
    assert ">https://issuer.example.org/b/1</textarea>" in page.text
    for asset in re.findall(r'(?:src|href)="(/verify/assets/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200
    assert client.get("/verify/assets/secrets.txt").status_code == 404


def test_the_form_post_renders_the_result_without_javascript(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    credential = maker.credential()
    page = client.post(
        "/verify", data={"text": json.dumps(credential), "email": EMAIL, "lang": "en"}
    )
    assert page.status_code == 200
    assert "content-security-policy" in page.headers
    assert 'class="verdict verdict--valid"' in page.text
    assert ">Valid</h2>" in page.text
    assert "The signature is genuine" in page.text
    japanese = client.post(
        "/verify",
        files={"file": ("b.png", maker.baked_png(credential), "image/png")},
        data={"lang": "ja"},
    )
    assert ">有効</h2>" in japanese.text
    assert 'src="data:image/png;base64,' in japanese.text  # the uploaded image on the card


def test_the_form_post_names_the_failed_check(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    credential = maker.credential()
    credential["credentialSubject"]["achievement"]["name"] = "偽物"
    page = client.post("/verify", data={"text": json.dumps(credential), "lang": "ja"})
    assert ">無効</h2>" in page.text
    assert "問題が見つかった項目: 署名" in page.text
    assert 'class="check check--failed" data-check="proof.signature"' in page.text


def test_the_form_post_explains_what_it_cannot_read(client: TestClient) -> None:
    empty = client.post("/verify", data={"text": "  ", "lang": "en"})
    assert empty.status_code == 422
    assert "Choose a file, or paste" in empty.text
    junk = client.post("/verify", data={"text": "hello", "lang": "en"})
    assert junk.status_code == 422
    assert "This could not be read as a badge." in junk.text
    assert ">hello</textarea>" in junk.text  # kept, to correct
    unreadable = client.post(
        "/verify", content=b"x", headers={"Content-Type": "multipart/form-data; boundary=zz"}
    )
    assert unreadable.status_code == 400
    assert unreadable.headers["content-type"].startswith("text/html")


XSS = '<img src=x onerror=alert(1)><script>alert("x")</script></textarea>'


def test_badge_text_is_escaped_on_the_page(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    credential = maker.credential(name=XSS, description=XSS, email=EMAIL)
    credential["issuer"]["name"] = XSS  # breaks the signature; still shown, escaped
    page = client.post("/verify", data={"text": json.dumps(credential), "lang": "en"})
    assert page.status_code == 200
    assert "<img src=x" not in page.text
    assert '<script>alert("x")' not in page.text
    assert page.text.count("&lt;img src=x onerror=alert(1)&gt;") >= 3
    # The pasted text is echoed back inside the textarea, escaped as well.
    assert page.text.count("</textarea>") == 1


def test_the_script_and_the_server_share_one_table_of_words() -> None:
    page_js = __import__("app.verification.page", fromlist=["asset"]).asset("verify.js")[0].decode()
    for key in ("verdict_", "explain_", "status_", "matched_yes", "error_too_large"):
        assert key in page_js


@pytest.mark.parametrize("lang", LANGS)
def test_every_check_has_a_plain_label_and_sentence(lang: str) -> None:
    for check_id in CHECK_LABELS:
        assert check_label(check_id, lang) != check_id  # type: ignore[arg-type]
        for status in ("passed", "failed", "indeterminate", "warning", "skipped"):
            sentence = check_sentence(check_id, status, "detail", lang)  # type: ignore[arg-type]
            assert sentence and sentence != "detail"
    assert check_label("status.refresh", lang).endswith("(refresh)")  # type: ignore[arg-type]
    blocked = check_sentence("schema", "skipped", "needs document.jsonld", lang)  # type: ignore[arg-type]
    assert blocked != check_sentence("schema", "skipped", "no list", lang)  # type: ignore[arg-type]


def test_every_check_the_library_reports_has_a_label(
    client: TestClient, maker: BadgeMaker, world: TableFetcher
) -> None:
    tampered = copy.deepcopy(maker.credential(status_index=3))
    tampered["name"] = "x"
    reports = [
        _verify(client, credential=maker.jwt(), recipient={"email": EMAIL}),
        _verify(client, credential=tampered, recipient={"email": EMAIL}),
    ]
    seen = {c["id"] for r in reports for c in r["checks"]}
    assert seen - set(CHECK_LABELS) == set()


def test_the_api_is_described_in_the_openapi_document(app: FastAPI) -> None:
    document = app.openapi()
    verify = document["paths"]["/api/v1/verify"]["post"]
    content = verify["requestBody"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/VerifyRequest"}
    assert "file" in content["multipart/form-data"]["schema"]["properties"]
    assert "VerifyRequest" in document["components"]["schemas"]
    assert {"413", "422", "429"} <= set(verify["responses"])
    assert "/api/v1/verify/batch" in document["paths"]
    assert "get" in document["paths"]["/verify"]


def test_settings_decide_the_upload_limit(settings: Settings) -> None:
    small = settings.model_copy(
        update={
            "max_upload_bytes": 1000,
            "max_json_bytes": 50_000,
            "key_passphrase": SecretStr("k" * 20),
        }
    )
    with TestClient(create_app(small)) as client:
        response = client.post(API, files={"file": ("b.json", b"{" + b" " * 2000 + b"}")})
        assert response.status_code == 413
        assert client.post(API, json={"credential": "x" * 70_000}).status_code == 413
