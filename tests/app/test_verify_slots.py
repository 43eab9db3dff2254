"""Verification slots are shared fairly: no client, and no slow host, can starve the others."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from app.verification.fairness import FairSlots
from badges.errors import FetchError
from tests.browser.support import BadgeMaker, LiveServer, serve

API = "/api/v1/verify"


class _Stalling:
    """A loopback server that accepts every request and answers none until it is closed."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.accepted = 0
        self._closing = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _run(self) -> None:
        while not self._closing.is_set():
            try:
                connection, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            self._held.append(connection)  # read nothing, answer nothing

    def close(self) -> None:
        self._closing.set()
        self._thread.join()
        for connection in self._held:
            connection.close()
        self.sock.close()


@pytest.fixture
def stalling() -> Iterator[_Stalling]:
    server = _Stalling()
    yield server
    server.close()


@pytest.fixture
def maker() -> BadgeMaker:
    return BadgeMaker()


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    # Clients are told apart by the address a trusted proxy (here: loopback) forwards.
    fair = settings.model_copy(
        update={"trusted_proxies": ("127.0.0.1",), "verify_rate_per_minute": 10_000}
    )
    with serve(lambda base: create_app(fair.model_copy(update={"base_url": base}))) as server:
        yield server


def test_a_slow_host_client_cannot_starve_a_legitimate_one(
    live: LiveServer, stalling: _Stalling, maker: BadgeMaker
) -> None:
    slow_headers = {"X-Forwarded-For": "203.0.113.7"}
    legit_headers = {"X-Forwarded-For": "198.51.100.9"}
    credential = maker.credential()

    def slow(n: int) -> int:
        with httpx.Client(base_url=live.url, timeout=30) as client:
            body = {"url": f"{stalling.url}/badge-{n}.json"}
            return client.post(API, json=body, headers=slow_headers).status_code

    with ThreadPoolExecutor(24) as pool:
        slow_answers = [pool.submit(slow, n) for n in range(24)]  # more than every slot
        while stalling.accepted < 2:  # its share of slots is now stuck on the slow host
            threading.Event().wait(0.02)
        with httpx.Client(base_url=live.url, timeout=30) as client:
            legit = [
                client.post(API, json={"credential": credential}, headers=legit_headers)
                for _ in range(10)
            ]
        stalled_meanwhile = stalling.accepted
        statuses = [answer.result() for answer in slow_answers]
    assert [r.status_code for r in legit] == [200] * 10, [r.text for r in legit]
    assert all(r.json()["ok"] for r in legit)
    # The slow client held its share (2 slots) and no more; its other fetches were refused.
    assert stalled_meanwhile <= 2
    assert statuses == [200] * 24


def test_a_client_holds_at_most_its_share_of_foreign_slots() -> None:
    slots = FairSlots(4, per_client=2, fetch_seconds_per_minute=0, foreign_wait=0)
    leases = [slots.enter("a:slow") for _ in range(3)]
    leases[0]._before_fetch("https://slow.example/1")
    leases[1]._before_fetch("https://slow.example/2")
    with pytest.raises(FetchError, match="share of fetches"):
        leases[2]._before_fetch("https://slow.example/3")
    other = slots.enter("a:other")
    other._before_fetch("https://fast.example/")  # another client still gets a foreign slot
    assert slots.held() == (1, 3)  # the refused one stays in the local lane
    for lease in (*leases, other):
        lease.close()
    assert slots.held() == (0, 0)


def test_own_documents_never_wait_behind_foreign_fetches() -> None:
    slots = FairSlots(2, per_client=1, fetch_seconds_per_minute=0, foreign_wait=0)
    for client in ("a:1", "a:2"):  # many clients keep the foreign lane full
        slots.enter(client)._before_fetch("https://slow.example/")
    with slots.enter("a:3") as lease, pytest.raises(FetchError, match="busy fetching"):
        lease._before_fetch("https://slow.example/")
    with slots.enter("a:4"), slots.enter("a:5"):  # a badge of ours needs no fetch at all
        pass


def test_network_time_is_charged_to_the_client_batch_or_not() -> None:
    clock = [0.0]
    slots = FairSlots(
        4, per_client=2, fetch_seconds_per_minute=10, foreign_wait=0, clock=lambda: clock[0]
    )

    class Slow:
        def get_json(self, url: str) -> dict[str, Any]:
            clock[0] += 6.0  # each fetch takes six seconds
            return {}

        def get(self, url: str, *, accept: str) -> Any:
            raise AssertionError("not used")

    with slots.enter("k:batch") as lease:
        fetcher = lease.fetcher(Slow())
        fetcher.get_json("https://slow.example/1")
        fetcher.get_json("https://slow.example/2")  # 12 s spent of 10
        with pytest.raises(FetchError, match=r"share of network time; retry in \d+ s"):
            fetcher.get_json("https://slow.example/3")
    with slots.enter("k:other") as lease:
        lease.fetcher(Slow()).get_json("https://slow.example/4")  # others are not charged
    clock[0] += 13.0  # refilled by 10/60 s a second: 12 s of debt + a little is paid off
    with slots.enter("k:batch") as lease:
        lease.fetcher(Slow()).get_json("https://slow.example/5")


def test_a_full_local_lane_answers_503_with_retry_after(client: TestClient, app: FastAPI) -> None:
    client.post(API, json={"credential": {"type": ["x"]}})  # the slots are made on first use
    slots: FairSlots = app.state.verify_slots
    held = [slots.enter(f"a:{n}") for n in range(slots.slots)]
    response = client.post(API, json={"credential": {"type": ["x"]}})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/healthz").status_code == 200  # the rest of the service is not held up
    for lease in held:
        lease.close()
    assert client.post(API, json={"credential": {"type": ["x"]}}).status_code == 200


def test_slots_are_given_back(client: TestClient, app: FastAPI) -> None:
    for _ in range(3):
        response = client.post(API, json={"url": "http://127.0.0.1:9/x"})
        assert response.status_code == 200, response.text
    batch = client.post(f"{API}/batch", json={"items": [{"url": "http://127.0.0.1:9/y"}]})
    assert batch.status_code == 200, batch.text
    assert app.state.verify_slots.held() == (0, 0)
