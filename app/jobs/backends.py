"""Choosing the back end: the server's own thread, or procrastinate for `shomei worker`."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from app.jobs.base import Jobs
from app.keyring import Keyring
from app.settings import Settings
from app.urls import Urls


def open_jobs(
    settings: Settings, sessions: sessionmaker[Session], keyring: Keyring, urls: Urls
) -> Jobs:
    """The server's jobs: run here (SQLite, or ``SHOMEI_JOBS_RUN_IN=server``), or enqueued
    for ``shomei worker`` (PostgreSQL). Close it when the server stops."""
    if settings.jobs_in_server:
        from app.jobs.inprocess import InProcessJobs

        jobs = InProcessJobs(settings, sessions, keyring, urls)
        jobs.start()
        return jobs
    from app.jobs.postgres import PostgresJobs

    return PostgresJobs(settings)
