"""A real SMTP server on loopback that keeps what it receives (``aiosmtpd``).

``shomei bench`` sends to it to measure the sender; the tests read what arrives. Replies can
be scripted (``451 …`` then ``250``), and a message can be held until released, to stop a
sender mid-send.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    replies: deque[str] = field(default_factory=deque)
    hold: threading.Event | None = None
    holding: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        hold, self.hold = self.hold, None
        if hold is not None:
            # This message stops here until released, and is then refused, unkept (its
            # sender is gone by then); the next ones flow meanwhile.
            self.holding.set()
            while not hold.is_set():
                await asyncio.sleep(0.02)
            return "451 4.4.2 Held message dropped"
        reply = self.replies.popleft() if self.replies else "250 2.0.0 Ok: queued"
        if reply.startswith("250"):
            content = envelope.original_content or b""
            self.received.append(
                Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), bytes(content))
            )
        return reply


class Inbox:
    """An SMTP server on ``127.0.0.1:port`` while in a ``with`` block."""

    def __init__(self, *, login: tuple[str, str] | None = None) -> None:
        """``login``: the user name and password a client must log in with (AUTH PLAIN,
        without TLS: loopback only)."""
        self._handler = _Handler()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        options: dict[str, Any] = {}
        if login is not None:

            def authenticate(
                server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
            ) -> AuthResult:
                given = (data.login.decode(), data.password.decode())
                ok = isinstance(data, LoginPassword) and given == login
                return AuthResult(success=ok, handled=False)  # handled=False: a 535 reply

            options = {
                "authenticator": authenticate,
                "auth_required": True,
                "auth_require_tls": False,
                "auth_exclude_mechanism": ["LOGIN"],
            }
        self._controller = Controller(
            self._handler,
            hostname="127.0.0.1",
            port=self.port,
            data_size_limit=10_000_000,
            **options,
        )

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self._handler.received

    def reply_next(self, *replies: str) -> None:
        """Answer the next messages' DATA with ``replies`` (then ``250`` again)."""
        self._handler.replies.extend(replies)

    def hold(self) -> tuple[threading.Event, threading.Event]:
        """Hold the next message before answering: (set once it is held, set to release)."""
        self._handler.hold = threading.Event()
        return self._handler.holding, self._handler.hold

    def __enter__(self) -> Inbox:
        self._controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._controller.stop()
