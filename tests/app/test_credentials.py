"""The credential API and a credential's public documents, checked with our own verifier.

Every issued credential is verified with ``badges.verify`` through a fetcher that asks the
app itself for each URL, so the public documents (DID document, status lists, OB 2.0
documents) are exercised as a verifier elsewhere would use them.
"""

from __future__ import annotations

import base64
import json
import struct
import uuid
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

import badges
from app.achievements.models import Achievement
from app.credentials.models import IssuedCredential
from app.status.models import StatusList
from badges import FetchError, JSONObject, Recipient, baking

MakeIssuer = Callable[..., tuple[dict[str, Any], dict[str, str]]]
BASE = "http://testserver"
VERIFIER = badges.VerifierConfig(
    resolver=badges.ResolverConfig(did_web_http_hosts=frozenset({"testserver"}))
)
SVG_IMAGE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
    b'<circle cx="32" cy="32" r="30" fill="#1d4ed8"/></svg>'
)


def png_image() -> bytes:
    """A valid 2x2 RGB PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x10\x20\x30" * 2 + b"\x00" + b"\x40\x50\x60" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class AppFetcher:
    """A ``badges`` fetcher that answers the app's own URLs through the test client."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.fetched: list[str] = []

    def get_json(self, url: str) -> JSONObject:
        if not url.startswith(BASE + "/"):
            raise FetchError(f"{url} is not one of the app's URLs")
        self.fetched.append(url)
        response = self.client.get(url, headers={"Accept": "application/ld+json"})
        if response.status_code != 200:
            raise FetchError(f"{url} answered {response.status_code}")
        document = response.json()
        if not isinstance(document, dict):
            raise FetchError(f"{url} is not a JSON object")
        return document

    def get_document(self, url: str) -> JSONObject | str:
        """JSON, or a status list secured as a VC-JWT (served as ``application/vc+jwt``)."""
        if url.startswith(BASE + "/"):
            response = self.client.get(url)
            if response.headers.get("content-type", "").startswith("application/vc+jwt"):
                self.fetched.append(url)
                return response.text
        return self.get_json(url)


def verify(
    client: TestClient, data: str | bytes | JSONObject, recipient: Recipient | None = None
) -> badges.VerificationReport:
    return badges.verify(
        data,
        fetcher=AppFetcher(client),
        now=datetime.now(UTC),
        recipient=recipient,
        config=VERIFIER,
    )


def statuses(report: badges.VerificationReport) -> dict[str, str]:
    return {check.id: check.status for check in report.checks}


def make_achievement(
    app: FastAPI,
    issuer_id: str,
    *,
    image: Literal["png", "svg", "none"] = "png",
    name: str = "生成AI活用検定 ジェネラリスト",
) -> str:
    """Store an achievement with a PNG image, an SVG one, or none; return its id."""
    data, media_type = {
        "png": (png_image(), "image/png"),
        "svg": (SVG_IMAGE, "image/svg+xml"),
        "none": (None, None),
    }[image]
    with app.state.resources.sessions() as session:
        achievement = Achievement(
            issuer_id=uuid.UUID(issuer_id),
            language="ja",
            name={"ja": name, "en": "Generative AI Literacy: Generalist"},
            description={
                "ja": "生成AIを安全に活用する知識を証明します。",
                "en": "Certifies the knowledge to use generative AI safely.",
            },
            criteria_narrative="2026年度の試験に合格すること。",
            achievement_type="Certificate",
            image=data,
            image_media_type=media_type,
        )
        session.add(achievement)
        session.commit()
        return str(achievement.id)


@pytest.fixture
def issuer_id(issuer: tuple[dict[str, Any], dict[str, str]]) -> str:
    value: str = issuer[0]["id"]
    return value


@pytest.fixture
def staff(issuer: tuple[dict[str, Any], dict[str, str]]) -> dict[str, str]:
    return issuer[1]


def issue(
    client: TestClient, headers: dict[str, str], achievement_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"achievement_id": achievement_id, "recipient": {"email": "taro@example.jp"}} | fields
    response = client.post("/api/v1/credentials", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def count_rows(app: FastAPI, model: type[Any]) -> int:
    with app.state.resources.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def stored_document(app: FastAPI, credential_id: str) -> str:
    with app.state.resources.sessions() as session:
        row = session.get(IssuedCredential, uuid.UUID(credential_id))
        assert row is not None
        return row.document


# -- issuing and verifying ------------------------------------------------------------------


def test_an_ob3_credential_is_issued_signed_and_verifies(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    credential = issue(
        client,
        staff,
        achievement_id,
        recipient={"email": "Taro.Yamada@Example.jp", "name": "山田 太郎"},
    )
    assert credential["format"] == "ob3"
    assert credential["status"] == "active"
    assert credential["issuer"] == "ai-exam"
    assert credential["recipient_email"] == "Taro.Yamada@example.jp"
    assert credential["public_url"] == f"{BASE}/credentials/{credential['id']}"
    assert credential["json_url"] == credential["public_url"] + ".json"
    assert credential["jwt_url"] is None
    document = credential["document"]
    assert document["id"] == credential["public_url"]
    assert document["issuer"]["id"] == "did:web:testserver:issuers:ai-exam"
    assert document["issuer"]["name"] == "一般社団法人 AIリテラシー検定協会"
    assert (
        document["credentialSubject"]["achievement"]["id"]
        == f"{BASE}/achievements/{achievement_id}"
    )
    assert document["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert "taro" not in json.dumps(document).lower()  # only a salted hash of the address

    report = verify(client, document, Recipient("email", "taro.yamada@example.jp"))
    assert report.ok, report.checks
    checks = statuses(report)
    assert checks["proof.signature"] == "passed"
    assert checks["status.revocation"] == "passed"
    assert checks["recipient.identity"] == "passed"


def test_the_credential_is_served_exactly_as_stored(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    credential = issue(client, staff, achievement_id)
    stored = stored_document(app, credential["id"]).encode()
    as_ld = client.get(credential["public_url"], headers={"Accept": "application/ld+json"})
    assert as_ld.content == stored
    assert as_ld.headers["content-type"].startswith("application/ld+json")
    default = client.get(credential["public_url"])
    assert default.headers["content-type"].startswith("application/vc+ld+json")
    assert default.content == stored
    plain = client.get(credential["json_url"], headers={"Accept": "application/json"})
    assert plain.headers["content-type"].startswith("application/json")
    assert plain.content == stored
    assert json.loads(stored) == credential["document"]
    fetched = client.get(f"/api/v1/credentials/{credential['id']}", headers=staff).json()
    assert fetched["document"] == credential["document"]


@pytest.mark.parametrize("algorithm", ["ES256", "RS256"])
def test_a_vc_jwt_credential_verifies(
    client: TestClient, staff: dict[str, str], achievement_id: str, algorithm: str
) -> None:
    body: dict[str, Any] = {"format": "ob3-jwt"}
    if algorithm == "RS256":
        body["jwt_algorithm"] = "RS256"
    credential = issue(client, staff, achievement_id, **body)
    token = credential["document"]
    assert isinstance(token, str) and token.count(".") == 2
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == algorithm
    assert credential["jwt_url"] == credential["public_url"] + ".jwt"
    served = client.get(credential["jwt_url"])
    assert served.headers["content-type"].startswith("text/plain")
    assert served.text == token
    assert client.get(credential["public_url"]).text == token
    payload = client.get(credential["json_url"]).json()
    assert payload["id"] == credential["public_url"]
    assert payload["credentialStatus"]["statusPurpose"] == "revocation"
    # A VC-JWT's status list is secured as a VC-JWT too.
    list_url = payload["credentialStatus"]["statusListCredential"]
    assert list_url.endswith(".jwt")
    listing = client.get(list_url)
    assert listing.headers["content-type"].startswith("application/vc+jwt")
    assert badges.vc_jwt.decode(listing.text).credential["id"] == list_url

    report = verify(client, token)
    assert report.ok, report.checks
    assert statuses(report)["status.revocation"] == "passed"


def test_evidence_and_results_are_written_into_the_credential(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    credential = issue(
        client,
        staff,
        achievement_id,
        evidence=[{"id": "https://exam.example.jp/results/42", "name": "試験結果"}],
        result=[{"value": "87"}, {"status": "Completed"}],
        valid_until=(datetime.now(UTC) + timedelta(days=365)).isoformat(),
    )
    document = credential["document"]
    assert document["evidence"] == [
        {"type": ["Evidence"], "id": "https://exam.example.jp/results/42", "name": "試験結果"}
    ]
    assert document["credentialSubject"]["result"] == [
        {"type": ["Result"], "value": "87"},
        {"type": ["Result"], "status": "Completed"},
    ]
    assert "validUntil" in document
    assert credential["valid_until"] is not None
    assert verify(client, document).ok


def test_rotated_keys_keep_old_credentials_verifying(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    old = issue(client, staff, achievement_id)
    old_jwt = issue(client, staff, achievement_id, format="ob3-jwt")
    for algorithm in ("EdDSA", "ES256"):
        rotated = client.post(
            "/api/v1/issuers/ai-exam/keys/rotate", json={"algorithm": algorithm}, headers=staff
        )
        assert rotated.status_code == 201
    new = issue(client, staff, achievement_id)
    new_jwt = issue(client, staff, achievement_id, format="ob3-jwt")
    old_method = old["document"]["proof"][0]["verificationMethod"]
    assert new["document"]["proof"][0]["verificationMethod"] != old_method
    kid = json.loads(base64.urlsafe_b64decode(new_jwt["document"].split(".")[0] + "=="))["kid"]
    old_kid = json.loads(base64.urlsafe_b64decode(old_jwt["document"].split(".")[0] + "=="))
    assert kid != old_kid["kid"]
    for credential in (old, new, old_jwt, new_jwt):
        report = verify(client, credential["document"])
        assert report.ok, report.checks


def test_the_same_external_id_returns_the_existing_credential(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str, issuer_id: str
) -> None:
    first = issue(client, staff, achievement_id, external_id="exam-2026-0001")
    again = client.post(
        "/api/v1/credentials",
        json={
            "achievement_id": achievement_id,
            "recipient": {"email": "someone-else@example.jp"},
            "external_id": "exam-2026-0001",
        },
        headers=staff,
    )
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["document"] == first["document"]
    other_achievement = make_achievement(app, issuer_id)
    third = issue(client, staff, other_achievement, external_id="exam-2026-0001")
    assert third["id"] != first["id"]
    issue(client, staff, achievement_id)  # no external id: always a new credential
    issue(client, staff, achievement_id)
    assert count_rows(app, IssuedCredential) == 4


# -- bad input ----------------------------------------------------------------------------


def _bad_bodies(achievement_id: str, foreign_achievement: str) -> Iterator[tuple[str, Any, int]]:
    recipient = {"email": "taro@example.jp"}
    yield "unknown achievement", {"achievement_id": str(uuid.uuid4()), "recipient": recipient}, 422
    yield (
        "another issuer's achievement",
        {
            "achievement_id": foreign_achievement,
            "recipient": recipient,
        },
        422,
    )
    yield "invalid email", {"achievement_id": achievement_id, "recipient": {"email": "taro"}}, 422
    yield (
        "past valid_until",
        {
            "achievement_id": achievement_id,
            "recipient": recipient,
            "valid_until": "2020-01-01T00:00:00Z",
        },
        422,
    )
    yield (
        "valid_until without a zone",
        {
            "achievement_id": achievement_id,
            "recipient": recipient,
            "valid_until": "2099-01-01T00:00:00",
        },
        422,
    )
    yield (
        "wrong format",
        {"achievement_id": achievement_id, "recipient": recipient, "format": "ob1"},
        422,
    )
    yield "no recipient", {"achievement_id": achievement_id}, 422
    yield "wrong types", {"achievement_id": 42, "recipient": "taro@example.jp"}, 422
    yield "unknown field", {"achievement_id": achievement_id, "recipient": recipient, "x": 1}, 422
    yield (
        "empty evidence",
        {
            "achievement_id": achievement_id,
            "recipient": recipient,
            "evidence": [{}],
        },
        422,
    )
    yield (
        "unknown result status",
        {
            "achievement_id": achievement_id,
            "recipient": recipient,
            "result": [{"status": "Passed"}],
        },
        422,
    )
    yield (
        "control character in evidence",
        {
            "achievement_id": achievement_id,
            "recipient": recipient,
            "evidence": [{"narrative": "bell \u0007"}],
        },
        422,
    )
    yield (
        "results in an OB 2.0 assertion",
        {
            "achievement_id": achievement_id,
            "recipient": recipient,
            "format": "ob2",
            "result": [{"value": "87"}],
        },
        422,
    )
    yield "not JSON", "{", 422


def test_bad_requests_are_problems_and_write_nothing(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    make_issuer: MakeIssuer,
) -> None:
    other, _ = make_issuer("other-body")
    foreign = make_achievement(app, other["id"])
    for label, body, status in _bad_bodies(achievement_id, foreign):
        if isinstance(body, str):
            response = client.post(
                "/api/v1/credentials",
                content=body,
                headers={**staff, "Content-Type": "application/json"},
            )
        else:
            response = client.post("/api/v1/credentials", json=body, headers=staff)
        assert response.status_code == status, (label, response.text)
        assert response.headers["content-type"] == "application/problem+json", label
        assert response.json()["status"] == status
    assert count_rows(app, IssuedCredential) == 0
    assert count_rows(app, StatusList) == 0
    assert client.post("/api/v1/credentials", json={}).status_code == 401


def test_a_failure_after_signing_leaves_nothing_behind(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.credentials import issuing

    def broken_signer(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("signing hardware on fire")

    monkeypatch.setattr(issuing.data_integrity, "sign", broken_signer)
    response = client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "a@example.jp"}},
        headers=staff,
    )
    assert response.status_code == 500
    assert count_rows(app, IssuedCredential) == 0
    assert count_rows(app, StatusList) == 0


# -- listing and changing status ------------------------------------------------------------


def test_credentials_are_listed_with_filters_and_pages(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str, issuer_id: str
) -> None:
    second_achievement = make_achievement(app, issuer_id)
    a = issue(client, staff, achievement_id, recipient={"email": "Hanako@example.jp"})
    b = issue(client, staff, achievement_id, format="ob3-jwt", external_id="row-2")
    c = issue(client, staff, second_achievement)
    revoked = client.post(
        f"/api/v1/credentials/{c['id']}/revoke", json={"reason": "誤発行"}, headers=staff
    )
    assert revoked.status_code == 200

    def ids(**params: Any) -> list[str]:
        response = client.get("/api/v1/credentials", params=params, headers=staff)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert set(ids()) == {a["id"], b["id"], c["id"]}
    assert set(ids(achievement_id=achievement_id)) == {a["id"], b["id"]}
    assert ids(status="revoked") == [c["id"]]
    assert ids(format="ob3-jwt") == [b["id"]]
    assert ids(external_id="row-2") == [b["id"]]
    assert ids(recipient_email="hanako@EXAMPLE.jp") == [a["id"]]
    issued_at = datetime.fromisoformat(b["issued_at"])
    assert b["id"] in ids(issued_after=(issued_at - timedelta(seconds=1)).isoformat())
    assert ids(issued_before=(issued_at - timedelta(days=1)).isoformat()) == []
    page = client.get("/api/v1/credentials", params={"limit": 2}, headers=staff).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = client.get("/api/v1/credentials", params={"limit": 2, "offset": 2}, headers=staff)
    assert len(rest.json()["items"]) == 1
    assert {i["id"] for i in page["items"] + rest.json()["items"]} == {a["id"], b["id"], c["id"]}
    bad = client.get("/api/v1/credentials", params={"status": "lost"}, headers=staff)
    assert bad.status_code == 422


def test_revoke_suspend_and_unsuspend_follow_the_rules(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    credential = issue(client, staff, achievement_id)
    path = f"/api/v1/credentials/{credential['id']}"
    assert client.post(f"{path}/unsuspend", headers=staff).status_code == 409
    suspended = client.post(f"{path}/suspend", headers=staff)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert client.post(f"{path}/suspend", headers=staff).status_code == 409
    active = client.post(f"{path}/unsuspend", headers=staff)
    assert active.status_code == 200 and active.json()["status"] == "active"
    assert client.post(f"{path}/revoke", json={}, headers=staff).status_code == 422
    too_long = client.post(f"{path}/revoke", json={"reason": "x" * 501}, headers=staff)
    assert too_long.status_code == 422
    revoked = client.post(f"{path}/revoke", json={"reason": "不正受験"}, headers=staff)
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revocation_reason"] == "不正受験"
    again = client.post(f"{path}/revoke", json={"reason": "twice"}, headers=staff)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert client.post(f"{path}/suspend", headers=staff).status_code == 409
    assert client.post(f"{path}/unsuspend", headers=staff).status_code == 409
    final = client.get(path, headers=staff).json()
    assert final["status"] == "revoked" and final["revocation_reason"] == "不正受験"


def test_staff_of_one_issuer_cannot_touch_another_issuers_credentials(
    client: TestClient, staff: dict[str, str], achievement_id: str, make_issuer: MakeIssuer
) -> None:
    credential = issue(client, staff, achievement_id)
    _, other_staff = make_issuer("other-body")
    path = f"/api/v1/credentials/{credential['id']}"
    assert client.get(path, headers=other_staff).status_code == 404
    for action, body in (("revoke", {"reason": "x"}), ("suspend", None), ("unsuspend", None)):
        response = client.post(f"{path}/{action}", json=body, headers=other_staff)
        assert response.status_code == 404, action
        assert response.headers["content-type"] == "application/problem+json"
    listed = client.get("/api/v1/credentials", headers=other_staff).json()
    assert listed == {"items": [], "total": 0}
    issued = client.post(
        "/api/v1/credentials",
        json={"achievement_id": achievement_id, "recipient": {"email": "a@example.jp"}},
        headers=other_staff,
    )
    assert issued.status_code == 422
    assert client.get(path, headers=staff).json()["status"] == "active"


def test_an_administrator_sees_every_issuers_credentials(
    client: TestClient, staff: dict[str, str], achievement_id: str, admin_headers: dict[str, str]
) -> None:
    credential = issue(client, staff, achievement_id)
    by_admin = issue(client, admin_headers, achievement_id)
    assert (
        client.get(f"/api/v1/credentials/{credential['id']}", headers=admin_headers).json()["id"]
        == credential["id"]
    )
    listed = client.get("/api/v1/credentials", headers=admin_headers).json()
    assert {item["id"] for item in listed["items"]} == {credential["id"], by_admin["id"]}


# -- public documents -----------------------------------------------------------------------


def test_browsers_get_a_page_that_never_shows_the_email(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    credential = issue(
        client,
        staff,
        achievement_id,
        recipient={"email": "taro@example.jp", "name": "山田 <太郎>"},
    )
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = client.get(credential["public_url"], headers=browser)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "生成AI活用検定 ジェネラリスト" in page.text
    assert "AIリテラシー検定協会" in page.text
    assert "山田 &lt;太郎&gt;" in page.text
    assert "taro@example.jp" not in page.text
    assert "/verify?url=http%3A%2F%2Ftestserver%2Fcredentials%2F" in page.text
    assert f'src="{credential["public_url"]}.png"' in page.text
    assert "有効" in page.text
    client.post(
        f"/api/v1/credentials/{credential['id']}/revoke",
        json={"reason": "誤発行", "reason_public": True},
        headers=staff,
    )
    revoked = client.get(credential["public_url"], headers=browser)
    assert "取り消し済み" in revoked.text and "誤発行" in revoked.text
    still_json = client.get(credential["public_url"], headers={"Accept": "application/json"})
    assert still_json.json() == credential["document"]


def test_baked_images_carry_the_credential(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str, issuer_id: str
) -> None:
    credential = issue(client, staff, achievement_id)
    png = client.get(credential["png_url"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    baked = baking.unbake(png.content)
    assert baked is not None
    assert baked.text == stored_document(app, credential["id"])
    assert verify(client, png.content).ok
    svg_missing = client.get(credential["svg_url"])
    assert svg_missing.status_code == 404
    assert svg_missing.headers["content-type"] == "application/problem+json"

    svg_achievement = make_achievement(app, issuer_id, image="svg")
    jwt = issue(client, staff, svg_achievement, format="ob3-jwt")
    svg = client.get(jwt["svg_url"])
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    unbaked = baking.unbake(svg.content)
    assert unbaked is not None and unbaked.text == jwt["document"]
    assert verify(client, svg.content).ok
    assert client.get(jwt["png_url"]).status_code == 404


def test_an_achievement_without_an_image_has_no_baked_image(
    client: TestClient, app: FastAPI, staff: dict[str, str], issuer_id: str
) -> None:
    bare = make_achievement(app, issuer_id, image="none")
    credential = issue(client, staff, bare)
    for url in (credential["png_url"], credential["svg_url"]):
        assert client.get(url).status_code == 404
    assert verify(client, credential["document"]).ok


def test_unknown_credentials_are_404_problems(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    ob3 = issue(client, staff, achievement_id)
    unknown = str(uuid.uuid4())
    paths = [
        f"/credentials/{unknown}",
        f"/credentials/{unknown}.json",
        f"/credentials/{unknown}.jwt",
        f"/credentials/{unknown}.png",
        f"/credentials/{unknown}.svg",
        "/credentials/not-a-uuid",
        "/credentials/not-a-uuid.json",
        f"/credentials/{ob3['id']}.jwt",  # not a VC-JWT
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json", path
    api = client.get(f"/api/v1/credentials/{unknown}", headers=staff)
    assert api.status_code == 404


def test_stored_rows_hold_lower_cased_addresses_for_lookup(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    credential = issue(client, staff, achievement_id, recipient={"email": "MiXeD@Example.JP"})
    with app.state.resources.sessions() as session:
        row = session.execute(
            text("SELECT recipient_email, recipient_email_lower FROM issued_credential")
        ).one()
    assert tuple(row) == ("MiXeD@example.jp", "mixed@example.jp")
    identity = credential["document"]["credentialSubject"]["identifier"][0]
    assert badges.identity_matches(
        identity["identityHash"], "mixed@example.jp", hashed=True, salt=identity["salt"]
    )
