"""Batch issuing on PostgreSQL by real `shomei worker` processes, killed mid-batch.

The crash test starts two workers, kills them with SIGKILL at random moments while they
issue (several times), starts new ones, and checks that the batch ends with every valid row
issued exactly once: no row lost, none twice, no status index or credential twice. Single
credentials are issued through the API meanwhile.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select, text

from app.achievements.models import Achievement
from app.batches.models import BatchRow
from app.credentials.models import IssuedCredential
from app.settings import Settings
from tests.app.batch_support import make_batch
from tests.app.conftest import TEST_PASSPHRASE
from tests.app.processes import ROOT, shomei

ROWS = 4000  # enough that signing, fast as it is, outlasts six kills
ERROR_ROWS = (5, 600, 3111)


@pytest.fixture
def settings(database_url: str) -> Settings:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: set SHOMEI_TEST_DATABASE_URL")
    return Settings(
        _env_file=None,
        database_url=database_url,
        base_url="http://testserver",
        key_passphrase=SecretStr(TEST_PASSPHRASE),
        jobs_run_in="workers",
        batch_chunk_rows=40,
    )


def _env(settings: Settings, tmp: Path) -> dict[str, str]:
    return {
        "SHOMEI_DATABASE_URL": settings.database_url,
        "SHOMEI_KEY_PASSPHRASE": TEST_PASSPHRASE,
        "SHOMEI_BASE_URL": settings.base_url,
        "SHOMEI_REDIS_URL": "",
        "SHOMEI_MAIL_OUTBOX_DIR": str(tmp / "outbox"),  # the passers' mails, as .eml files
    }


class Workers:
    """`shomei worker --concurrency 1` processes (one process each, so SIGKILL hits the worker)."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.running: list[subprocess.Popen[bytes]] = []
        self.started = 0

    def start(self) -> None:
        self.started += 1
        with (self.logs / f"worker-{self.started}.log").open("wb") as out:
            self.running.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app.cli", "worker", "--concurrency", "1"],
                    cwd=ROOT,
                    env={**os.environ, **self.env},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.running.remove(process)

    def stop(self) -> None:
        for process in self.running:
            process.send_signal(signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()


@pytest.fixture
def workers(settings: Settings, app: FastAPI, tmp_path: Path) -> Iterator[Workers]:
    engine = app.state.resources.sessions.kw["bind"]
    with engine.begin() as connection:  # no jobs of earlier tests
        connection.execute(
            text(
                "TRUNCATE procrastinate_jobs, procrastinate_workers, "
                "procrastinate_periodic_defers, procrastinate_events CASCADE"
            )
        )
    pool = Workers(_env(settings, tmp_path), tmp_path)
    yield pool
    pool.stop()


def test_worker_on_sqlite_says_the_server_runs_jobs(tmp_path: Path) -> None:
    done = shomei(
        "worker",
        env={
            "SHOMEI_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "SHOMEI_KEY_PASSPHRASE": TEST_PASSPHRASE,
        },
    )
    assert done.returncode == 0
    assert "inside `shomei serve`" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def _progress(client: TestClient, batch_id: uuid.UUID, headers: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/api/v1/batches/{batch_id}", headers=headers).json()
    return body


@pytest.mark.slow
def test_killed_workers_never_issue_a_row_twice(
    client: TestClient,
    app: FastAPI,
    issuer: tuple[dict[str, Any], dict[str, str]],
    achievement_id: str,
    workers: Workers,
) -> None:
    headers = issuer[1]
    with app.state.resources.sessions() as session:
        batch_id = make_batch(
            session,
            issuer_id=issuer[0]["id"],
            achievement_id=achievement_id,
            rows=ROWS,
            error_rows=ERROR_ROWS,
        )
    workers.start()
    workers.start()
    assert client.post(f"/api/v1/batches/{batch_id}/start", headers=headers).status_code == 202

    chance = random.Random(11)
    kills = 0
    singles = 0
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        body = _progress(client, batch_id, headers)
        if body["state"] == "done":
            break
        # Single credentials through the API while the batch runs.
        response = client.post(
            "/api/v1/credentials",
            json={
                "achievement_id": achievement_id,
                "recipient": {"email": f"single{singles}@example.jp"},
            },
            headers=headers,
        )
        assert response.status_code == 201
        singles += 1
        if kills < 6 and body["counts"]["issued"] > kills * ROWS // 16:
            time.sleep(chance.uniform(0.2, 1.5))
            victims = list(workers.running) if kills % 3 == 2 else [chance.choice(workers.running)]
            for victim in victims:  # every third time, both at once
                workers.kill(victim)
                kills += 1
                workers.start()
        time.sleep(0.3)
    body = _progress(client, batch_id, headers)
    logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in workers.logs.glob("*.log"))
    assert body["state"] == "done", logs
    assert kills >= 6

    valid = ROWS - len(ERROR_ROWS)
    with app.state.resources.sessions() as session:
        issued_rows = session.scalars(
            select(BatchRow.credential_id).where(
                BatchRow.batch_id == batch_id, BatchRow.state == "issued"
            )
        ).all()
        credentials = session.execute(
            select(IssuedCredential.id, IssuedCredential.external_id).where(
                IssuedCredential.batch_id == batch_id
            )
        ).all()
        positions = session.execute(
            select(IssuedCredential.status_list_id, IssuedCredential.status_index)
        ).all()
        every = session.scalar(select(func.count()).select_from(IssuedCredential))
    assert (
        body["counts"]["issued"],
        body["counts"]["skipped"],
        body["counts"]["failed"],
        body["counts"]["pending"],
    ) == (
        valid,
        len(ERROR_ROWS),
        0,
        0,
    )
    assert len(issued_rows) == valid == len(set(issued_rows))
    assert len(credentials) == valid
    assert {c.id for c in credentials} == set(issued_rows)
    assert len({c.external_id for c in credentials}) == valid
    assert every == valid + singles
    assert len(positions) == len(set(positions)) == every
    print(  # the figures for the record (pytest -s)
        f"crash test: {kills} workers killed, {workers.started} started, {valid} rows issued "
        f"once each, {singles} single issues alongside, 0 duplicates"
    )


# Four chunks: with signing from a template the rows after the first chunk's could otherwise
# all be committed between two polls, and the server killed after the batch is done.
_KILLED_BATCH_ROWS = 1000


@pytest.mark.slow
def test_a_server_killed_mid_batch_finishes_it_after_a_restart(tmp_path: Path) -> None:
    """SQLite: the jobs run in the server; SIGKILL it mid-batch, start it again."""
    from app.apikeys.service import create_api_key
    from app.bench import _http_setup
    from app.db import make_engine, make_sessionmaker
    from app.main import create_app
    from app.migrate import upgrade
    from tests.app.processes import serve

    url = f"sqlite:///{tmp_path / 'shomei.db'}"
    upgrade(url)
    settings = Settings(_env_file=None, database_url=url, key_passphrase=SecretStr(TEST_PASSPHRASE))
    with TestClient(create_app(settings)) as seeding:
        sessions = seeding.app.state.resources.sessions  # type: ignore[attr-defined]
        with sessions() as session:
            key = create_api_key(session, issuer_id=None, is_admin=True)
        seeding.headers["Authorization"] = f"Bearer {key}"
        achievement_id = _http_setup(seeding)
        with sessions() as session:
            issuer_id = session.scalar(select(Achievement.issuer_id))
            batch_id = make_batch(
                session, issuer_id=issuer_id, achievement_id=achievement_id, rows=_KILLED_BATCH_ROWS
            )
    env = {"SHOMEI_DATABASE_URL": url, "SHOMEI_KEY_PASSPHRASE": TEST_PASSPHRASE}
    headers = {"Authorization": f"Bearer {key}"}
    with serve(env, tmp_path) as server:
        started = httpx.post(f"{server.url}/api/v1/batches/{batch_id}/start", headers=headers)
        assert started.status_code == 202
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            counts = httpx.get(f"{server.url}/api/v1/batches/{batch_id}", headers=headers)
            if counts.json()["counts"]["issued"] >= 60:
                break
            time.sleep(0.1)
        server.process.kill()
        server.process.wait()
    assert 60 <= counts.json()["counts"]["issued"] < _KILLED_BATCH_ROWS  # killed mid-batch
    with serve(env, tmp_path) as server:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            body = httpx.get(f"{server.url}/api/v1/batches/{batch_id}", headers=headers).json()
            if body["state"] == "done":
                break
            time.sleep(0.2)
    assert body["state"] == "done"
    assert body["counts"]["issued"] == _KILLED_BATCH_ROWS
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        credentials = session.execute(
            select(
                IssuedCredential.id, IssuedCredential.status_list_id, IssuedCredential.status_index
            )
        ).all()
        linked = session.scalars(select(BatchRow.credential_id)).all()
    engine.dispose()
    assert len(credentials) == _KILLED_BATCH_ROWS == len({(c[1], c[2]) for c in credentials})
    assert {c[0] for c in credentials} == set(linked)
