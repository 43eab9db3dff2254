"""Concurrent requests through the real app: idempotent issuing, positions, status changes.

Eight threads share one test client, so the requests run at the same time in the app's
thread pool, each with its own database session, as under a real server.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.credentials.models import IssuedCredential
from tests.app.test_credentials import count_rows, issue, verify

THREADS = 8
T = TypeVar("T")


def all_at_once(work: Callable[[int], T], threads: int = THREADS) -> list[T]:
    """Run ``work(i)`` in ``threads`` threads released together."""
    start = threading.Barrier(threads)

    def run(number: int) -> T:
        start.wait(timeout=30)
        return work(number)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(run, range(threads)))


@pytest.mark.parametrize("credential_format", ["ob3", "ob2"])
def test_concurrent_issues_with_one_external_id_make_one_credential(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    credential_format: str,
) -> None:
    if credential_format == "ob2":
        issue(client, staff, achievement_id, format="ob2")  # the RSA key exists beforehand
    before = count_rows(app, IssuedCredential)
    body = {
        "achievement_id": achievement_id,
        "recipient": {"email": "taro@example.jp"},
        "format": credential_format,
        "external_id": "exam-2026-0042",
    }

    def post(_: int) -> httpx.Response:
        return client.post("/api/v1/credentials", json=body, headers=staff)

    responses = all_at_once(post)
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 200: THREADS - 1}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len({str(r.json()["document"]) for r in responses}) == 1
    assert count_rows(app, IssuedCredential) == before + 1
    assert verify(client, responses[0].json()["document"]).ok


def test_concurrent_issues_get_distinct_status_positions(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    def post_three(number: int) -> list[httpx.Response]:
        body = {
            "achievement_id": achievement_id,
            "recipient": {"email": f"passer{number}@example.jp"},
        }
        return [client.post("/api/v1/credentials", json=body, headers=staff) for _ in range(3)]

    responses = [r for batch in all_at_once(post_three) for r in batch]
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert count_rows(app, IssuedCredential) == 3 * THREADS
    with app.state.resources.sessions() as session:
        positions = session.execute(
            select(IssuedCredential.status_list_id, IssuedCredential.status_index)
        ).all()
    assert len(set(positions)) == 3 * THREADS


def test_concurrent_revocations_succeed_once(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    credential = issue(client, staff, achievement_id)

    def revoke(number: int) -> httpx.Response:
        return client.post(
            f"/api/v1/credentials/{credential['id']}/revoke",
            json={"reason": f"reason {number}"},
            headers=staff,
        )

    responses = all_at_once(revoke)
    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 1, 409: THREADS - 1}, [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    final = client.get(f"/api/v1/credentials/{credential['id']}", headers=staff).json()
    assert final["revocation_reason"] == winner["revocation_reason"]
    assert not verify(client, credential["document"]).ok
