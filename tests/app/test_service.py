"""The service's first routes: health, home page, problem documents."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_page_says_what_shomei_serves_in_japanese_and_english(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Open Badges 3.0" in response.text
    assert "eddsa-rdfc-2022" in response.text
    assert "バッジ" in response.text


def test_unknown_paths_are_problem_documents(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
