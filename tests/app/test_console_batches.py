"""The console's batch pages: upload, preview (errors first), discard, isolation, CSRF."""

from __future__ import annotations

import re
import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.app.test_console import bearer, sign_in, token_of
from tests.app.test_credentials import make_achievement

CSV = (
    "受験番号,メールアドレス,氏名,都道府県\r\n"
    "A-001,hanako@example.jp,山田 花子,東京都\r\n"
    "A-002,not-an-address,佐藤 一郎,13\r\n"
    "A-003,taro@example.jp,鈴木 太郎,Atlantis\r\n"
    "A-004,jiro@example.jp,田中 次郎,27\r\n"
).encode("cp932")


def upload(client: TestClient, achievement_id: str, data: bytes = CSV, **fields: str) -> Any:
    form = client.get("/console/batches/new", params={"achievement_id": achievement_id})
    assert form.status_code == 200, form.text
    values = {
        "csrf": token_of(form.text),
        "achievement_id": achievement_id,
        "label": "2026#6",
        "format": "ob3",
        "on_duplicate": "skip",
    } | fields
    return client.post(
        "/console/batches",
        data=values,
        files={"file": ("passers.csv", data, "text/csv")},
        follow_redirects=False,
    )


def test_an_upload_becomes_a_preview_with_errors_first(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    sign_in(client, bearer(staff))
    response = upload(client, achievement_id)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/console/batches/[0-9a-f-]{36}", location)
    preview = client.get(location).text
    assert "2026#6" in preview
    rows = re.findall(r'<tr class="row-(\w+)">\s*<th scope="row" class="num"[^>]*>(\d+)', preview)
    assert [check for check, _ in rows] == ["error", "error"]
    assert sorted(int(number) for _, number in rows) == [3, 4]
    # The same batch through the API: one service.
    batch_id = location.rsplit("/", 1)[1]
    api = client.get(f"/api/v1/batches/{batch_id}", headers=staff).json()
    assert api["state"] == "preview" and api["counts"]["error"] == 2
    report = client.get(f"{location}/report.csv")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")


def test_upload_needs_the_session_token(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    sign_in(client, bearer(staff))
    response = upload(client, achievement_id, csrf="wrong")
    assert response.status_code == 403
    listed = client.get("/api/v1/batches", headers=staff).json()
    assert listed["total"] == 0


def test_a_file_that_cannot_be_read_is_a_clear_error_page(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    sign_in(client, bearer(staff))
    response = upload(client, achievement_id, data=b"\x00\xff\xfe garbage")
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]


def test_discarding_a_preview(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    sign_in(client, bearer(staff))
    location = upload(client, achievement_id).headers["location"]
    token = token_of(client.get(location).text)
    done = client.post(f"{location}/discard", data={"csrf": token})
    assert done.status_code == 200
    assert "破棄" in done.text
    again = client.post(f"{location}/discard", data={"csrf": token})
    assert again.status_code == 409


def test_another_issuers_batch_is_not_found(
    client: TestClient, make_issuer: Any, staff: dict[str, str], achievement_id: str
) -> None:
    sign_in(client, bearer(staff))
    location = upload(client, achievement_id).headers["location"]
    _, other = make_issuer("other-exam")
    client.cookies.clear()
    sign_in(client, bearer(other))
    assert client.get(location).status_code == 404
    assert client.get(f"{location}/progress.json").status_code == 404
    assert client.get(f"{location}/report.csv").status_code == 404
    # Nor may it upload for an achievement of another issuer.
    assert (
        client.get("/console/batches/new", params={"achievement_id": achievement_id}).status_code
        == 404
    )


def _wait(client: TestClient, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        body: dict[str, Any] = client.get(f"{location}/progress.json").json()
        if body["finished"] or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_start_watch_and_download_the_results_then_count_them(
    settings: Settings, admin_headers: dict[str, str], make_issuer: Any, app: FastAPI
) -> None:
    # Jobs run in the server on either database, so the test needs no worker process.
    server = create_app(settings.model_copy(update={"jobs_run_in": "server"}))
    issuer, staff = make_issuer("ai-exam")
    achievement_id = make_achievement(app, issuer["id"])
    with TestClient(server) as client:
        sign_in(client, bearer(staff))
        location = upload(client, achievement_id).headers["location"]
        token = token_of(client.get(location).text)
        started = client.post(f"{location}/start", data={"csrf": token})
        assert started.status_code == 200
        done = _wait(client, location)
        assert done["state"] == "done", done
        assert done["figures"]["issued"] == 2 and done["done"] == done["total"] == 2
        page_text = client.get(location).text
        assert "<progress" in page_text and 'http-equiv="refresh"' not in page_text
        results = client.get(f"{location}/results.csv")
        assert results.status_code == 200
        lines = results.text.removeprefix("\ufeff").strip().splitlines()
        assert len(lines) == 5
        assert sum("/credentials/" in line for line in lines) == 2
        # Started twice: the service says no.
        assert client.post(f"{location}/start", data={"csrf": token}).status_code == 409
        stats = client.get("/api/v1/statistics", headers=staff).json()
        by_batch = {g["label"]["en"]: g["counts"]["issued"] for g in stats["groups"]["batch"]}
        assert by_batch == {"2026#6": 2}
        by_prefecture = {
            g["key"]: g["counts"]["issued"]
            for g in stats["groups"]["prefecture"]
            if g["counts"]["issued"]
        }
        assert by_prefecture == {"13": 1, "27": 1}
