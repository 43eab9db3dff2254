"""``shomei bench``'s batch figures: a whole exam session issued end to end.

``batch_issue_per_s``: a 7,000-row ``ob3`` batch on PostgreSQL (127.0.0.1:5432, in a database
made for the run and dropped after it) by two ``shomei worker`` processes, from the start
request to the last row committed. ``batch_issue_sqlite_per_s``: the same on SQLite, issued
by the server's own job thread. Without a reachable PostgreSQL the first figure is ``None``
and ``batch_issue_note`` says why.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import insert, select, text
from sqlalchemy.exc import OperationalError

from app.db import make_engine

POSTGRES_SERVER: Final = "postgresql+psycopg://postgres@127.0.0.1:5432"
SESSION_ROWS: Final = 7000


def run(*, quick: bool = False) -> dict[str, Any]:
    rows = 700 if quick else SESSION_ROWS
    figures: dict[str, Any] = {"batch_rows": rows}
    with tempfile.TemporaryDirectory() as directory:
        (
            figures["batch_issue_sqlite_per_s"],
            figures["batch_issue_sqlite_rows_per_cpu_s"],
        ) = _measure(f"sqlite:///{Path(directory) / 'bench.db'}", rows, workers=0)
    try:
        with _scratch_database() as url:
            figures["batch_issue_per_s"], figures["batch_issue_rows_per_cpu_s"] = _measure(
                url, rows, workers=2
            )
    except OperationalError as error:
        figures["batch_issue_per_s"] = figures["batch_issue_rows_per_cpu_s"] = None
        figures["batch_issue_note"] = f"PostgreSQL at 127.0.0.1:5432 not reachable: {error.orig}"
    return figures


@contextmanager
def _scratch_database() -> Iterator[str]:
    name = f"shomei_bench_{secrets.token_hex(4)}"
    server = make_engine(f"{POSTGRES_SERVER}/postgres").execution_options(
        isolation_level="AUTOCOMMIT"
    )
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield f"{POSTGRES_SERVER}/{name}"
        finally:
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


def _measure(url: str, rows: int, *, workers: int) -> tuple[float, float | None]:
    """Rows a second from the start request to the batch done (``workers``: 0 = the server),
    and rows per CPU second of the processes that issued them (steady on a busy machine,
    where the first figure is not)."""
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from app.apikeys.service import create_api_key
    from app.bench import _http_setup
    from app.main import create_app
    from app.migrate import upgrade
    from app.settings import Settings

    upgrade(url)
    passphrase = secrets.token_urlsafe(24)
    settings = Settings(
        _env_file=None,
        database_url=url,
        key_passphrase=SecretStr(passphrase),
        jobs_run_in="workers" if workers else "server",
        key_rate_per_minute=0,
    )
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with TestClient(create_app(settings)) as client:
            resources = client.app.state.resources  # type: ignore[attr-defined]
            with resources.sessions() as session:
                key = create_api_key(session, issuer_id=None, is_admin=True)
            client.headers["Authorization"] = f"Bearer {key}"
            achievement_id = _http_setup(client)
            batch_id = _batch(resources.sessions, achievement_id, rows)
            env = {
                **os.environ,
                "SHOMEI_DATABASE_URL": url,
                "SHOMEI_KEY_PASSPHRASE": passphrase,
                "SHOMEI_BASE_URL": settings.base_url,
                "SHOMEI_LOG_LEVEL": "WARNING",
            }
            for _ in range(workers):
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "app.cli", "worker", "--concurrency", "1"],
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            _wait_for_workers(resources.sessions, workers)
            cpu = _cpu_seconds(processes)
            started = time.perf_counter()
            client.post(f"/api/v1/batches/{batch_id}/start").raise_for_status()
            rate = _until_done(resources.sessions, batch_id, rows, started)
            used = _cpu_seconds(processes)
            spent = None if used is None or cpu is None else used - cpu
            return rate, round(rows / spent, 1) if spent else None
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)


def _cpu_seconds(processes: list[subprocess.Popen[bytes]]) -> float | None:
    """CPU time of the worker processes (Linux), or of this one when there are none."""
    if not processes:
        return time.process_time()
    total = 0.0
    for process in processes:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _batch(sessions: Any, achievement_id: str, rows: int) -> uuid.UUID:
    from app.achievements.models import Achievement
    from app.batches.models import Batch, BatchRow

    with sessions() as session:
        achievement = session.get_one(Achievement, uuid.UUID(achievement_id))
        batch = Batch(
            issuer_id=achievement.issuer_id,
            achievement_id=achievement.id,
            format="ob3",
            label="bench",
            on_duplicate="skip",
            notify=False,
            state="preview",
            total_rows=rows,
            ok_rows=rows,
        )
        session.add(batch)
        session.flush()
        now = datetime.now(UTC)
        session.execute(
            insert(BatchRow),
            [
                {
                    "batch_id": batch.id,
                    "row_number": number,
                    "external_id": f"B{number:06d}",
                    "email": f"passer{number}@example.jp",
                    "name": f"合格者 {number}",
                    "prefecture": number % 47 + 1,
                    "result": "87",
                    "check": "ok",
                    "problems": [],
                    "state": "pending",
                    "attempts": 0,
                    "updated_at": now,
                }
                for number in range(1, rows + 1)
            ],
        )
        session.commit()
        return batch.id


def _wait_for_workers(sessions: Any, count: int) -> None:
    if not count:
        return
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with sessions() as session:
            alive = session.scalar(text("SELECT count(*) FROM procrastinate_workers"))
        if alive is not None and alive >= count:
            return
        time.sleep(0.2)
    raise RuntimeError("the bench's workers did not start")


def _until_done(sessions: Any, batch_id: uuid.UUID, rows: int, started: float) -> float:
    from app.batches.models import Batch

    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        with sessions() as session:
            state = session.scalar(select(Batch.state).where(Batch.id == batch_id))
        if state == "done":
            return round(rows / (time.perf_counter() - started), 1)
        time.sleep(0.05)
    raise RuntimeError("the bench's batch did not finish")
