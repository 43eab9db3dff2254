"""The service figures without HTTP: requests handed straight to the ASGI application.

``shomei bench`` measures the service through a real server too (:func:`app.bench.run_http`),
but there the load generator, the server's event loop and its thread pool share two cores;
these figures leave out the sockets, the HTTP parser and the load generator, and keep all
the rest: middleware, authentication, validation, the database (a fresh SQLite file) and the
answer's bytes. Each request is one ASGI call awaited to its end, one after another (issuing)
or a few at a time (verification), in this process.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr

from app.apikeys.service import create_api_key
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings

_HOST = "127.0.0.1:9"  # never connected to: the service answers its own URLs itself
_WARMUP = 20


async def _call(
    app: FastAPI, method: str, path: str, body: Any, headers: dict[str, str]
) -> tuple[int, bytes]:
    """One request through the ASGI application; its status and body."""
    payload = json.dumps(body, ensure_ascii=False).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", _HOST.encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 9),
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": payload, "more_body": False}
        await asyncio.Event().wait()  # the client never goes away mid-request
        raise AssertionError("unreachable")  # pragma: no cover

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def _rate(
    request: Callable[[int], Awaitable[int]], seconds: float, concurrency: int
) -> tuple[float, float, int]:
    """Requests per second, CPU milliseconds of this process per request, and failures."""
    counter = [0]
    errors = [0]

    async def caller(deadline: float) -> None:
        while time.perf_counter() < deadline:
            number = counter[0]
            counter[0] += 1
            if await request(number) not in (200, 201):
                errors[0] += 1

    for number in range(_WARMUP):
        await request(-1 - number)
    counter[0] = 0
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(caller(started + seconds) for _ in range(concurrency)))
    count = counter[0]
    cpu_ms = 1000 * (time.process_time() - cpu) / count
    return count / (time.perf_counter() - started), cpu_ms, errors[0]


async def _measure(app: FastAPI, seconds: float) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        with app.state.resources.sessions() as session:
            admin = {
                "authorization": "Bearer " + create_api_key(session, issuer_id=None, is_admin=True)
            }
        issuer = {
            "slug": "bench",
            "name": "一般社団法人 AIリテラシー検定協会",
            "url": "https://badges.example.jp/",
            "email": "badges@example.jp",
        }
        status, _ = await _call(app, "POST", "/api/v1/issuers", issuer, admin)
        achievement = {
            "issuer": "bench",
            "language": "ja",
            "name": {"ja": "生成AI活用検定 ジェネラリスト", "en": "Generative AI: Generalist"},
            "description": {"ja": "生成AIの基礎知識を証明します。", "en": "Generative AI basics."},
            "criteria": {"narrative": "試験に合格すること"},
            "achievement_type": "Certificate",
        }
        status, body = await _call(app, "POST", "/api/v1/achievements", achievement, admin)
        if status != 201:
            raise RuntimeError(f"the benchmark achievement was not made: {body!r}")
        achievement_id = json.loads(body)["id"]

        async def issue(number: int) -> int:
            credential = {
                "achievement_id": achievement_id,
                "format": "ob3",
                "recipient": {"email": f"passer{number}@example.com"},
                "notify": False,  # the mail's cost is measured on its own (issue_notify_*)
            }
            status, _ = await _call(app, "POST", "/api/v1/credentials", credential, admin)
            return status

        per_s, cpu_ms, issue_errors = await _rate(issue, seconds, concurrency=1)
        figures["api_issue_ob3_inprocess_per_s"] = round(per_s, 1)
        figures["api_issue_ob3_inprocess_cpu_ms"] = round(cpu_ms, 2)
        status, body = await _call(
            app,
            "POST",
            "/api/v1/credentials",
            {"achievement_id": achievement_id, "recipient": {"email": "passer@example.com"}},
            admin,
        )
        check = {"credential": json.loads(body)["document"]}

        async def verify(number: int) -> int:
            status, body = await _call(app, "POST", "/api/v1/verify", check, {})
            return status if json.loads(body).get("ok") else 0

        per_s, cpu_ms, verify_errors = await _rate(verify, seconds, concurrency=4)
        figures["api_verify_ob3_inprocess_per_s"] = round(per_s, 1)
        figures["api_verify_ob3_inprocess_cpu_ms"] = round(cpu_ms, 2)
        figures["inprocess_errors"] = issue_errors + verify_errors
    return figures


def run_asgi(*, quick: bool = False) -> dict[str, Any]:
    """Issue and verify through the ASGI application on a fresh database, in this process."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        settings = Settings(
            _env_file=None,
            database_url=url,
            base_url=f"http://{_HOST}",
            key_passphrase=SecretStr("benchmark passphrase only"),
            did_web_http_hosts=_HOST,
            verify_rate_per_minute=10_000_000,
            key_rate_per_minute=0,  # throughput, not the limits, is measured
            redis_url="",
        )
        return asyncio.run(_measure(create_app(settings), 1.0 if quick else 5.0))
