"""Issuing a batch in the server's own job thread: start, progress, cancel, retry, results.csv.

(On PostgreSQL these run the same way, with ``SHOMEI_JOBS_RUN_IN=server``; real `shomei worker`
processes are tested in test_batch_workers.py.)
"""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select, update

from app.batches import worker
from app.batches.models import Batch, BatchRow
from app.claims.models import Claim
from app.credentials import issuing
from app.credentials.models import IssuedCredential
from app.jobs.base import Argument, WorkContext
from app.mail.models import OutboxMessage
from app.settings import Settings
from tests.app.batch_support import make_batch
from tests.app.conftest import TEST_PASSPHRASE


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        base_url="http://testserver",
        key_passphrase=SecretStr(TEST_PASSPHRASE),
        jobs_run_in="server",
        batch_chunk_rows=7,  # several chunks out of a few rows
    )


Issuer = tuple[dict[str, Any], dict[str, str]]


def _wait(client: TestClient, batch_id: uuid.UUID, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        body: dict[str, Any] = client.get(f"/api/v1/batches/{batch_id}", headers=headers).json()
        if body["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def _batch(app: FastAPI, issuer: Issuer, achievement_id: str, **kwargs: Any) -> uuid.UUID:
    with app.state.resources.sessions() as session:
        return make_batch(
            session, issuer_id=issuer[0]["id"], achievement_id=achievement_id, **kwargs
        )


def test_a_batch_is_issued_row_by_row_exactly_once(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str
) -> None:
    batch_id = _batch(app, issuer, achievement_id, rows=30, error_rows=(4, 17))
    started = client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    assert started.status_code == 202, started.text
    assert started.json()["state"] in ("queued", "running")

    done = _wait(client, batch_id, issuer[1])

    assert done["state"] == "done"
    assert (
        done["counts"]["total"],
        done["counts"]["issued"],
        done["counts"]["skipped"],
        done["counts"]["failed"],
    ) == (30, 28, 2, 0)
    assert done["counts"]["pending"] == 0 and done["rows_per_second"] > 0
    with app.state.resources.sessions() as session:
        credentials = session.scalars(
            select(IssuedCredential).where(IssuedCredential.batch_id == batch_id)
        ).all()
        linked = session.scalars(
            select(BatchRow.credential_id).where(
                BatchRow.batch_id == batch_id, BatchRow.state == "issued"
            )
        ).all()
    assert len(credentials) == 28
    assert {c.id for c in credentials} == set(linked)
    positions = {(c.status_list_id, c.status_index) for c in credentials}
    assert len(positions) == 28
    # The prefecture is kept for statistics, never signed into the credential.
    assert all(c.prefecture is not None for c in credentials)
    assert all("prefecture" not in c.document for c in credentials)
    # What a batch issues is what the API serves and verifies.
    one = credentials[0]
    document = client.get(f"/credentials/{one.id}.json").json()
    assert document["id"] == f"http://testserver/credentials/{one.id}"
    report = client.post("/api/v1/verify", json={"credential": document}).json()
    assert report["ok"] is True, json.dumps(report, ensure_ascii=False)


@pytest.mark.parametrize("notify", [True, False])
def test_a_batch_queues_each_passers_mail_with_the_credential_unless_told_not_to(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str, notify: bool
) -> None:
    batch_id = _batch(
        app, issuer, achievement_id, rows=10, error_rows=(5,), notify=notify, languages={2: "en"}
    )
    client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    assert _wait(client, batch_id, issuer[1])["counts"]["issued"] == 9
    with app.state.resources.sessions() as session:
        mails = session.execute(
            select(OutboxMessage.credential_id, OutboxMessage.language, BatchRow.row_number)
            .join(BatchRow, BatchRow.credential_id == OutboxMessage.credential_id)
            .where(BatchRow.batch_id == batch_id)
        ).all()
        claims = session.scalar(
            select(func.count())
            .select_from(Claim)
            .join(IssuedCredential, IssuedCredential.id == Claim.credential_id)
            .where(IssuedCredential.batch_id == batch_id)
        )
    if not notify:
        assert mails == [] and claims == 0
        return
    # One mail and one claim link per issued row, none for the row in error.
    assert sorted(row for _, _, row in mails) == [1, 2, 3, 4, 6, 7, 8, 9, 10]
    assert claims == 9
    assert {row: lang for _, lang, row in mails}[2] == "en"


def test_start_is_refused_unless_a_preview_with_valid_rows(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str
) -> None:
    invalid = _batch(app, issuer, achievement_id, rows=2, error_rows=(1, 2))
    assert client.post(f"/api/v1/batches/{invalid}/start", headers=issuer[1]).status_code == 409
    batch_id = _batch(app, issuer, achievement_id, rows=3)
    assert client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1]).status_code == 202
    again = client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert (
        client.post(f"/api/v1/batches/{uuid.uuid4()}/start", headers=issuer[1]).status_code == 404
    )


def test_another_issuers_batch_is_not_found(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str, make_issuer: Any
) -> None:
    batch_id = _batch(app, issuer, achievement_id, rows=1)
    _, other = make_issuer("other-exam")
    assert client.post(f"/api/v1/batches/{batch_id}/start", headers=other).status_code == 404
    assert client.get(f"/api/v1/batches/{batch_id}/results.csv", headers=other).status_code == 404


class _Held:
    """Jobs that wait to be run by hand: the test decides when a job runs."""

    def __init__(self) -> None:
        self.jobs: list[dict[str, Argument]] = []

    def defer(
        self,
        task: str,
        arguments: dict[str, Argument],
        *,
        lock: str | None = None,
        queueing_lock: str | None = None,
    ) -> bool:
        if task == worker.ISSUE_CHUNK:  # not the mail sender's kick
            self.jobs.append(arguments)
        return True

    def kick(self, task: str) -> None:
        pass  # the mail sender's: not run here

    def close(self) -> None:
        pass


def _context(app: FastAPI, jobs: _Held) -> WorkContext:
    resources = app.state.resources
    return WorkContext(
        resources.settings, resources.sessions, resources.keyring, resources.urls, jobs
    )


def _run(context: WorkContext, jobs: _Held) -> None:
    for arguments in jobs.jobs:
        worker.issue_chunk(context, **arguments)  # type: ignore[arg-type]


def test_a_cancelled_batch_issues_no_more_rows(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str
) -> None:
    held = _Held()
    app.state.resources.jobs = held
    batch_id = _batch(app, issuer, achievement_id, rows=10)
    client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    first, *rest = held.jobs
    worker.issue_chunk(_context(app, held), **first)  # type: ignore[arg-type]

    cancelled = client.post(f"/api/v1/batches/{batch_id}/cancel", headers=issuer[1])
    assert cancelled.status_code == 200
    for arguments in rest:  # jobs already queued find the batch cancelled
        worker.issue_chunk(_context(app, held), **arguments)  # type: ignore[arg-type]

    body = client.get(f"/api/v1/batches/{batch_id}", headers=issuer[1]).json()
    assert (body["state"], body["counts"]["issued"], body["counts"]["pending"]) == (
        "cancelled",
        7,
        3,
    )
    assert client.post(f"/api/v1/batches/{batch_id}/cancel", headers=issuer[1]).status_code == 409
    states = [
        line["state"]
        for line in csv.DictReader(
            io.StringIO(
                client.get(f"/api/v1/batches/{batch_id}/results.csv", headers=issuer[1]).text
            )
        )
    ]
    assert states == ["issued"] * 7 + ["cancelled"] * 3


def test_failed_rows_are_retried(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str
) -> None:
    held = _Held()
    app.state.resources.jobs = held
    batch_id = _batch(app, issuer, achievement_id, rows=5, expired_rows=(2, 5))
    client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    _run(_context(app, held), held)
    body = client.get(f"/api/v1/batches/{batch_id}", headers=issuer[1]).json()
    assert (body["state"], body["counts"]["issued"], body["counts"]["failed"]) == ("done", 3, 2)

    with app.state.resources.sessions() as session:  # the cause is mended
        session.execute(
            update(BatchRow).where(BatchRow.batch_id == batch_id).values(valid_until=None)
        )
        session.commit()
    held.jobs.clear()
    retried = client.post(f"/api/v1/batches/{batch_id}/retry", headers=issuer[1])
    assert retried.status_code == 202, retried.text
    _run(_context(app, held), held)
    body = client.get(f"/api/v1/batches/{batch_id}", headers=issuer[1]).json()
    assert (body["state"], body["counts"]["issued"], body["counts"]["failed"]) == ("done", 5, 0)
    assert client.post(f"/api/v1/batches/{batch_id}/retry", headers=issuer[1]).status_code == 409


def test_a_job_run_twice_issues_each_row_once(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str
) -> None:
    held = _Held()
    app.state.resources.jobs = held
    batch_id = _batch(app, issuer, achievement_id, rows=9)
    client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    _run(_context(app, held), held)
    _run(_context(app, held), held)  # as after a worker died before the queue heard of it
    with app.state.resources.sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(IssuedCredential)
            .where(IssuedCredential.batch_id == batch_id)
        )
    assert count == 9


def test_results_csv_neutralises_formulas(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str
) -> None:
    held = _Held()
    app.state.resources.jobs = held
    formula = '=HYPERLINK("http://evil.example","x")'
    batch_id = _batch(
        app, issuer, achievement_id, rows=3, error_rows=(2,), external_ids={2: formula}
    )
    client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    _run(_context(app, held), held)
    response = client.get(f"/api/v1/batches/{batch_id}/results.csv", headers=issuer[1])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert [line["row_number"] for line in lines] == ["1", "2", "3"]
    assert lines[1]["external_id"] == "'" + formula
    assert lines[1]["state"] == "skipped" and lines[1]["error"]
    assert (
        lines[0]["credential_url"] == f"http://testserver/credentials/{lines[0]['credential_id']}"
    )


@pytest.mark.parametrize("on_duplicate", ["skip", "reissue"])
def test_examinees_issued_before_are_skipped_or_reissued(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str, on_duplicate: str
) -> None:
    before = client.post(
        "/api/v1/credentials",
        json={
            "achievement_id": achievement_id,
            "recipient": {"email": "passer1@example.jp"},
            "external_id": "E000001",
        },
        headers=issuer[1],
    ).json()
    held = _Held()
    app.state.resources.jobs = held
    batch_id = _batch(app, issuer, achievement_id, rows=2, on_duplicate=on_duplicate)
    client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    _run(_context(app, held), held)

    with app.state.resources.sessions() as session:
        row = session.get_one(BatchRow, (batch_id, 1))
        credential = session.get_one(IssuedCredential, uuid.UUID(before["id"]))
        batch = session.get_one(Batch, batch_id)
    assert row.credential_id == credential.id  # the same credential, its links unchanged
    assert batch.state == "done"
    if on_duplicate == "skip":
        assert row.state == "skipped"
        assert credential.document == json.dumps(
            before["document"], ensure_ascii=False, separators=(",", ":")
        )
    else:
        assert row.state == "issued"
        document = json.loads(credential.document)
        assert (
            document["validFrom"] != before["document"]["validFrom"]
            or document["proof"] != before["document"]["proof"]
        )
        assert document["credentialStatus"] == before["document"]["credentialStatus"]
        assert credential.batch_id == batch_id


def test_single_issues_during_a_batch_never_share_a_status_position(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str
) -> None:
    batch_id = _batch(app, issuer, achievement_id, rows=40)
    client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    for number in range(10):
        response = client.post(
            "/api/v1/credentials",
            json={
                "achievement_id": achievement_id,
                "recipient": {"email": f"single{number}@example.jp"},
            },
            headers=issuer[1],
        )
        assert response.status_code == 201
    assert _wait(client, batch_id, issuer[1])["counts"]["issued"] == 40
    with app.state.resources.sessions() as session:
        positions = session.execute(
            select(IssuedCredential.status_list_id, IssuedCredential.status_index)
        ).all()
    assert len(positions) == 50 == len(set(positions))


def test_batch_status_prints_the_rate(
    client: TestClient,
    app: FastAPI,
    issuer: Issuer,
    achievement_id: str,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.cli import main

    batch_id = _batch(app, issuer, achievement_id, rows=5)
    client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    assert _wait(client, batch_id, issuer[1])["state"] == "done"
    monkeypatch.setenv("SHOMEI_DATABASE_URL", settings.database_url)
    capsys.readouterr()
    assert main(["batch", "status", str(batch_id)]) == 0
    line = capsys.readouterr().out
    assert f"{batch_id} done" in line and "issued=5" in line and " rows_per_s=" in line


def test_an_external_id_twice_in_a_chunk_fails_its_second_row_only(
    client: TestClient, app: FastAPI, issuer: Issuer, achievement_id: str
) -> None:
    held = _Held()
    app.state.resources.jobs = held
    batch_id = _batch(app, issuer, achievement_id, rows=3, external_ids={3: "E000001"})
    client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1])
    _run(_context(app, held), held)
    body = client.get(f"/api/v1/batches/{batch_id}", headers=issuer[1]).json()
    assert (body["state"], body["counts"]["issued"], body["counts"]["failed"]) == ("done", 2, 1)


def test_a_batchs_rows_are_signed_from_the_template_of_their_shape(
    client: TestClient,
    app: FastAPI,
    issuer: Issuer,
    achievement_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Rows with a name and a score: the chunk's context makes their template once.
    found: list[object] = []
    template_for = issuing.template_for

    def spy(*args: Any) -> Any:
        found.append(template_for(*args))
        return found[-1]

    monkeypatch.setattr(issuing, "template_for", spy)
    batch_id = _batch(app, issuer, achievement_id, rows=10)
    assert client.post(f"/api/v1/batches/{batch_id}/start", headers=issuer[1]).status_code == 202
    assert _wait(client, batch_id, issuer[1])["counts"]["issued"] == 10
    assert len(found) == 10 and all(template is not None for template in found)
    with app.state.resources.sessions() as session:
        one = session.scalars(
            select(IssuedCredential.id).where(IssuedCredential.batch_id == batch_id)
        ).first()
    document = client.get(f"/credentials/{one}.json").json()
    assert document["credentialSubject"]["result"][0]["value"] == "87"
    report = client.post("/api/v1/verify", json={"credential": document}).json()
    assert report["ok"] is True, json.dumps(report, ensure_ascii=False)
