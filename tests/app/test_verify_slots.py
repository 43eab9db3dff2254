"""Verification is capped per process: when every slot is taken the answer is 503 at once."""

from __future__ import annotations

import threading

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_a_full_house_answers_503_with_retry_after(client: TestClient, app: FastAPI) -> None:
    app.state.resources.verify_slots = threading.BoundedSemaphore(1)
    assert app.state.resources.verify_slots.acquire(blocking=False)  # someone else's
    response = client.post("/api/v1/verify", json={"credential": {"type": ["x"]}})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/healthz").status_code == 200  # the rest of the service is not held up


def test_slots_are_given_back(client: TestClient, app: FastAPI) -> None:
    app.state.resources.verify_slots = threading.BoundedSemaphore(1)
    for _ in range(3):  # each request takes the one slot and returns it
        response = client.post("/api/v1/verify", json={"url": "http://127.0.0.1:9/x"})
        assert response.status_code == 200, response.text
    batch = client.post("/api/v1/verify/batch", json={"items": [{"url": "http://127.0.0.1:9/y"}]})
    assert batch.status_code == 200, batch.text
