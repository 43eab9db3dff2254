"""Load through a real server on loopback, for ``shomei bench``.

The server runs in its own processes (``shomei serve --workers N``) on a fresh SQLite database;
the load comes from a small asyncio HTTP/1.1 client with keep-alive connections, light enough
not to steal the server's cores on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx


@dataclass(frozen=True)
class Served:
    base_url: str
    admin_key: str
    database_url: str  # the server's own database, for setting up what no API makes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve(workers: int) -> Iterator[Served]:
    """Run the service with ``workers`` processes on a fresh database; yield its URL and a key."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{Path(directory) / 'bench.db'}"
        env = {
            **os.environ,
            "SHOMEI_DATABASE_URL": database_url,
            "SHOMEI_BASE_URL": base_url,
            "SHOMEI_KEY_PASSPHRASE": "benchmark passphrase only",
            "SHOMEI_DID_WEB_HTTP_HOSTS": f"127.0.0.1:{port}",
            "SHOMEI_VERIFY_RATE_PER_MINUTE": "10000000",
            "SHOMEI_KEY_RATE_PER_MINUTE": "0",  # throughput, not the limits, is measured
            # The passers' mails (queued with each credential) go to files beside it.
            "SHOMEI_MAIL_OUTBOX_DIR": str(Path(directory) / "outbox"),
            "SHOMEI_SMTP_URL": "",
        }
        command = [sys.executable, "-m", "app.cli"]
        subprocess.run([*command, "migrate"], env=env, check=True, capture_output=True)  # noqa: S603
        created = subprocess.run(  # noqa: S603
            [*command, "apikey", "create", "--admin"], env=env, check=True, capture_output=True
        )
        admin_key = created.stdout.decode().strip()
        server = subprocess.Popen(  # noqa: S603
            [*command, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("the benchmark server did not start")
            yield Served(base_url, admin_key, database_url)
        finally:
            server.terminate()
            server.wait(timeout=10)


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def _client(
    host: str,
    port: int,
    make_request: Callable[[int], bytes],
    deadline: float,
    latencies: list[float],
    counter: list[int],
) -> int:
    errors = 0
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            number = counter[0]
            counter[0] += 1
            started = time.perf_counter()
            try:
                writer.write(make_request(number))
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
            except (ConnectionError, asyncio.IncompleteReadError):
                # Counted, then a new connection: the figure must not hide failures.
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            if not head.startswith((b"HTTP/1.1 200", b"HTTP/1.1 201")):
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        writer.close()
    return errors


def request_bytes(
    base_url: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> bytes:
    """One raw HTTP/1.1 keep-alive request."""
    host = urlsplit(base_url).netloc
    payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def load(
    base_url: str,
    make_request: Callable[[int], bytes],
    *,
    concurrency: int,
    seconds: float,
    warmup: float = 0.0,
) -> LoadResult:
    """Drive ``concurrency`` keep-alive connections for ``seconds``, after ``warmup`` seconds
    of the same load that are not counted (as the library's figures warm up first: the first
    requests open keys and fill the server's caches)."""
    parts = urlsplit(base_url)
    latencies: list[float] = []
    counter = [0]
    warm_errors = 0
    if warmup > 0:
        warm = load(base_url, make_request, concurrency=concurrency, seconds=warmup)
        warm_errors = warm.errors  # not timed, but a failure still shows in the figures
        counter[0] = 1_000_000  # the measured requests' numbers follow the warm-up's

    async def run() -> int:
        deadline = time.perf_counter() + seconds
        tasks = [
            _client(
                parts.hostname or "", parts.port or 80, make_request, deadline, latencies, counter
            )
            for _ in range(concurrency)
        ]
        return sum(await asyncio.gather(*tasks))

    started = time.perf_counter()
    errors = asyncio.run(run())
    return LoadResult(
        len(latencies), time.perf_counter() - started, latencies, errors + warm_errors
    )
