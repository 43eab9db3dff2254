"""Kicks coalesced per process (app.jobs.kicks): no request waits for the queue, and many
kicks while one is enqueued become one more enqueueing, never none."""

from __future__ import annotations

import threading
import time

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from app.jobs.kicks import CoalescedKicks
from app.mail import tasks as mail_tasks
from app.settings import Settings
from tests.app.conftest import TEST_PASSPHRASE


def _until(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.005)
    assert condition()  # type: ignore[operator]


def test_kicks_made_while_one_is_enqueued_become_one_more_enqueueing_after_them() -> None:
    started: list[float] = []
    release = threading.Event()

    def enqueue(task: str) -> None:
        started.append(time.monotonic())
        release.wait(5)

    kicks = CoalescedKicks(enqueue)
    kicks.kick("mail.send_due")
    _until(lambda: len(started) == 1)
    before = time.monotonic()
    for _ in range(50):  # requests kicking while the first round trip is under way
        kicks.kick("mail.send_due")
    release.set()
    _until(lambda: kicks.enqueued == 2)
    time.sleep(0.05)
    assert kicks.enqueued == 2  # the 50 became one
    assert started[1] > before  # and it began after them: their commits are visible to it
    kicks.close()


def test_a_kick_returns_without_waiting_for_the_queue() -> None:
    release = threading.Event()
    kicks = CoalescedKicks(lambda task: release.wait(5))
    started = time.monotonic()
    kicks.kick("mail.send_due")
    kicks.kick("mail.send_due")
    assert time.monotonic() - started < 0.5
    release.set()
    kicks.close()


def test_a_failed_enqueueing_is_logged_and_later_kicks_still_go(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    def enqueue(task: str) -> None:
        calls.append(task)
        if len(calls) == 1:
            raise ConnectionError("the database went away")

    kicks = CoalescedKicks(enqueue)
    kicks.kick("mail.send_due")
    _until(lambda: len(calls) == 1)
    _until(lambda: "could not enqueue mail.send_due" in caplog.text)
    kicks.kick("mail.send_due")
    _until(lambda: kicks.enqueued == 1)
    assert calls == ["mail.send_due", "mail.send_due"]
    kicks.close()


def test_closing_enqueues_what_was_kicked_and_later_kicks_are_dropped() -> None:
    calls: list[str] = []
    kicks = CoalescedKicks(calls.append)
    kicks.kick("a")
    kicks.kick("b")
    kicks.close()
    assert calls == ["a", "b"]
    kicks.kick("c")
    assert "c" not in calls


def test_on_postgresql_the_mail_kick_queues_one_sending_job(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: set SHOMEI_TEST_DATABASE_URL")
    from app.jobs.postgres import PostgresJobs

    settings = Settings(
        _env_file=None,
        database_url=database_url,
        base_url="http://testserver",
        key_passphrase=SecretStr(TEST_PASSPHRASE),
        jobs_run_in="workers",
    )
    engine = create_engine(database_url)
    waiting = text(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task AND status = 'todo'"
    )
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": mail_tasks.SEND_DUE},
        )
    jobs = PostgresJobs(settings)
    try:
        for _ in range(200):  # 200 issuances' kicks in one process
            mail_tasks.kick(jobs, settings)
        _until(lambda: jobs.kicks.enqueued >= 1)
        jobs.close()  # what was kicked is enqueued before it closes
        assert 1 <= jobs.kicks.enqueued < 200
        with engine.connect() as connection:
            assert connection.scalar(waiting, {"task": mail_tasks.SEND_DUE}) == 1
    finally:
        jobs.close()
        with engine.begin() as connection:
            connection.execute(
                text("DELETE FROM procrastinate_jobs WHERE task_name = :task"),
                {"task": mail_tasks.SEND_DUE},
            )
        engine.dispose()
