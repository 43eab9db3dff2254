"""SQLite's write-ahead log is copied back by the server's checkpoint thread, not by commits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.checkpoints import THREAD_NAME, WalCheckpoints
from app.db import make_engine
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings

_ROWS, _ROW_BYTES = 1200, 4000  # some 1,200 pages: past the automatic checkpoint's 1,000


def _write(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE probe (data BLOB)"))
    for _ in range(4):
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO probe VALUES (randomblob(:size))"),
                [{"size": _ROW_BYTES}] * (_ROWS // 4),
            )


def _autocheckpoint(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_commits_leave_the_log_to_the_checkpoint_thread(tmp_path: Path) -> None:
    database = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{database}", background_checkpoints=True)
    try:
        assert _autocheckpoint(engine) == 0
        _write(engine)
        before = database.stat().st_size
        assert before < _ROWS * _ROW_BYTES // 2  # all of it still in the log
        checkpoints = WalCheckpoints.start_for(engine)
        assert checkpoints is not None
        try:
            deadline = time.monotonic() + 10
            while database.stat().st_size < _ROWS * _ROW_BYTES and time.monotonic() < deadline:
                time.sleep(0.05)
            assert database.stat().st_size >= _ROWS * _ROW_BYTES  # copied back
        finally:
            checkpoints.close()
        assert not any(t.name == THREAD_NAME for t in threading.enumerate())
    finally:
        engine.dispose()


def test_other_processes_keep_the_automatic_checkpoint(tmp_path: Path) -> None:
    database = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{database}")
    try:
        assert _autocheckpoint(engine) == 1000
        _write(engine)
        assert database.stat().st_size >= _ROWS * _ROW_BYTES // 2  # a commit copied it back
    finally:
        engine.dispose()
    assert WalCheckpoints.start_for(make_engine("sqlite://")) is None  # in memory: no log


def test_the_server_runs_the_checkpoint_thread_on_sqlite(
    tmp_path: Path, settings: Settings
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has no write-ahead log of the service's to checkpoint")
    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(url)
    app = create_app(settings.model_copy(update={"database_url": url}))
    with TestClient(app):
        assert _autocheckpoint(app.state.resources.sessions.kw["bind"]) == 0
        assert any(t.name == THREAD_NAME for t in threading.enumerate())
    assert not any(t.name == THREAD_NAME for t in threading.enumerate())
