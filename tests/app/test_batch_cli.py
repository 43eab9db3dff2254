"""``shomei batch create`` and ``shomei batch status`` on the test database."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.audit.models import AuditEntry
from app.batches.models import Batch, BatchRow
from app.cli import main
from app.settings import Settings

ROWS = (
    "受験番号,メールアドレス,氏名,都道府県\r\n"
    "S-1,s1@example.jp,一 郎,東京都\r\n"
    "S-2,s2@example.jp,二 郎,13\r\n"
    "S-3,not-an-address,三 郎,Tokyo\r\n"
    "S-4,s4@example.jp,四 郎,Atlantis\r\n"
)


@pytest.fixture
def command_line(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOMEI_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("SHOMEI_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("SHOMEI_DEVELOPMENT", raising=False)


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "2026-6.csv"
    path.write_bytes(ROWS.encode("cp932"))
    return path


def _batches(app: FastAPI) -> int:
    with app.state.resources.sessions() as session:
        return session.scalar(select(func.count()).select_from(Batch)) or 0


def test_a_dry_run_prints_the_report_and_stores_nothing(
    client: TestClient,
    app: FastAPI,
    command_line: None,
    csv_file: Path,
    achievement_id: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["batch", "create", str(csv_file), "--achievement", achievement_id, "--dry-run"]
    assert main(argv) == 1  # rows with errors
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert lines[0].startswith("row      4  error    email: The e-mail address is not valid")
    assert lines[1].startswith("row      5  error    prefecture: prefecture must be")
    assert lines[-1] == "rows 4  ok 2  warnings 0  errors 2  (cp932)"
    assert "nothing was stored" in out.err
    assert _batches(app) == 0
    assert main([*argv, "--lang", "ja"]) == 1
    assert "都道府県はコード" in capsys.readouterr().out


def test_create_stores_a_preview_and_status_reports_it(
    client: TestClient,
    app: FastAPI,
    command_line: None,
    csv_file: Path,
    achievement_id: str,
    staff: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["batch", "create", str(csv_file), "--achievement", achievement_id]
    argv += ["--label", "2026#6", "--exam-date", "2026/11/29", "--on-duplicate", "reissue"]
    assert main([*argv, "--no-notify", "--format", "ob3-jwt"]) == 0
    out = capsys.readouterr().out.splitlines()
    batch_id = out[-1]
    assert out[-2] == "rows 4  ok 2  warnings 0  errors 2  (cp932)"
    got = client.get(f"/api/v1/batches/{batch_id}", headers=staff).json()
    assert got["state"] == "preview"
    assert got["label"] == "2026#6"
    assert got["exam_date"] == "2026-11-29"
    assert got["on_duplicate"] == "reissue"
    assert got["notify"] is False
    assert got["format"] == "ob3-jwt"
    assert got["source_filename"] == "2026-6.csv"
    assert got["created_by_key_id"] is None
    with app.state.resources.sessions() as session:
        actor = session.scalar(select(AuditEntry.actor).where(AuditEntry.subject_id == batch_id))
    assert actor == "command_line"

    # Not a terminal: one plain line.
    assert main(["batch", "status", batch_id]) == 0
    line = capsys.readouterr().out.strip()
    assert line == (
        f"{batch_id} preview total=4 ok=2 warning=0 error=2 issued=0 skipped=0 failed=0 pending=4"
    )
    # As the workers move the rows, the counts move; --watch stops once the batch is done.
    with app.state.resources.sessions() as session:
        session.execute(
            update(BatchRow)
            .where(BatchRow.batch_id == uuid.UUID(batch_id), BatchRow.check == "ok")
            .values(state="issued")
        )
        session.execute(update(Batch).where(Batch.id == uuid.UUID(batch_id)).values(state="done"))
        session.commit()
    assert main(["batch", "status", batch_id, "--watch", "--interval", "0.01"]) == 0
    assert "done total=4 ok=2 warning=0 error=2 issued=2" in capsys.readouterr().out


def test_status_draws_a_progress_bar_on_a_terminal(
    client: TestClient,
    app: FastAPI,
    command_line: None,
    csv_file: Path,
    achievement_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["batch", "create", str(csv_file), "--achievement", achievement_id]) == 0
    batch_id = uuid.UUID(capsys.readouterr().out.splitlines()[-1])
    with app.state.resources.sessions() as session:
        session.execute(
            update(BatchRow)
            .where(BatchRow.batch_id == batch_id, BatchRow.row_number == 2)
            .values(state="issued")
        )
        session.commit()
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["batch", "status", str(batch_id)]) == 0
    bar, counts = capsys.readouterr().out.splitlines()
    assert bar.startswith("[" + "#" * 15 + "-" * 15 + "]  50.0%  1/2  preview")
    assert "issued 1  skipped 0  failed 0  pending 3" in bar
    assert counts == "rows 4: ok 2, warnings 0, errors 2"


def test_files_and_ids_the_command_cannot_use_say_so_in_one_line(
    client: TestClient,
    command_line: None,
    tmp_path: Path,
    csv_file: Path,
    achievement_id: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text('external_id,email,name\r\nX-1,"x@example.jp,名前\r\n', encoding="utf-8")
    assert main(["batch", "create", str(broken), "--achievement", achievement_id]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main(["batch", "create", str(csv_file), "--achievement", str(uuid.uuid4())]) == 2
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setenv("SHOMEI_MAX_BATCH_BYTES", "10")
    assert main(["batch", "create", str(broken), "--achievement", achievement_id]) == 2
    assert "larger than 10 bytes" in capsys.readouterr().err
    assert main(["batch", "status", str(uuid.uuid4())]) == 2
    assert "does not exist" in capsys.readouterr().err
