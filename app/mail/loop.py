"""The sender's loop inside ``shomei serve``: one thread that runs :func:`deliver_due`.

It runs in the serving command's own process (with ``--workers N``, the supervisor), so one
``shomei serve`` sends with one connection to the mail server however many workers it has;
several servers may each run one, since rows are claimed in the database. It wakes every
``SHOMEI_MAIL_POLL_S`` seconds, or at once when :meth:`MailLoop.kick` is called, and goes
on without waiting while a pass fills its batch.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from app.db import make_engine, make_sessionmaker
from app.mail.sender import BATCH, deliver_due, describe_transport
from app.mail.signing import DkimKeyError
from app.settings import Settings

log = logging.getLogger("shomei.mail")


class MailLoop:
    def __init__(self, settings: Settings):
        self._settings = settings
        self._engine = make_engine(settings.database_url, pool_size=1, max_overflow=1)
        self._sessions = make_sessionmaker(self._engine)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shomei-mail", daemon=True)

    def start(self) -> None:
        log.info("mail: %s", describe_transport(self._settings))
        self._thread.start()

    def kick(self) -> None:
        """Look for due mail now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=self._settings.smtp_timeout_s + 5)
        self._engine.dispose()

    def _run(self) -> None:
        while not self._stopping.is_set():
            sent = 0
            try:
                sent = deliver_due(self._sessions, self._settings, datetime.now(UTC))
            except (SQLAlchemyError, DkimKeyError, OSError):
                # The database or the key file is away for a moment: the next pass retries.
                log.exception("mail: a sending pass failed")
            if sent >= BATCH:
                continue  # more may be due at once
            self._wake.wait(self._settings.mail_poll_s)
            self._wake.clear()
