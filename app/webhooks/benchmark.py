"""The webhook figure of ``shomei bench``: events delivered a second to a loopback receiver.

On a fresh SQLite database, credentials are watched by one HR system's watch and revoked
through the service function the API calls (each revocation records its event in its own
transaction); the events are then delivered by :func:`app.webhooks.delivery.deliver_due`, the
workers' own pass, through the guarded transport, signed, to an HTTP/1.1 keep-alive server on
loopback in this process, which checks every signature. The figure is events delivered (2xx
answered and recorded) per second of delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import insert, select

from app import demo
from app.apikeys.service import Principal, new_api_key
from app.credentials import service as credentials
from app.credentials.models import IssuedCredential
from app.db import make_engine, make_sessionmaker
from app.settings import Settings
from app.webhooks import service as watches
from app.webhooks.delivery import deliver_due


class _Receiver(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, secret: str) -> None:
        self.key = base64.b64decode(secret.removeprefix("whsec_"))
        self.good = 0
        self.bad = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        signed = f"{self.headers['webhook-id']}.{self.headers['webhook-timestamp']}.".encode()
        digest = hmac.new(self.server.key, signed + body, hashlib.sha256).digest()
        expected = "v1," + base64.b64encode(digest).decode()
        good = hmac.compare_digest(expected, self.headers.get("webhook-signature", ""))
        with self.server.lock:
            self.server.good += good
            self.server.bad += not good
        self.send_response(204 if good else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def run(*, quick: bool = False) -> dict[str, Any]:
    """Measure ``webhook_events_per_s``; ``quick`` uses fewer events (smoke tests)."""
    events = 100 if quick else 2000
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{Path(directory) / 'bench.db'}",
            base_url="https://badges.example.jp",
            key_passphrase=SecretStr("benchmark passphrase only"),
            fetch_allow="127.0.0.1",
        )
        demo.prepare(settings)  # migrate; an issuer with keys and achievements
        engine = make_engine(settings.database_url)
        sessions = make_sessionmaker(engine)
        try:
            return {"webhook_events_per_s": round(_deliver(settings, sessions, events), 1)}
        finally:
            engine.dispose()


def _deliver(settings: Settings, sessions: Any, count: int) -> float:
    from app.achievements.models import Achievement

    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(count)]
    with sessions() as session:
        achievement = session.scalars(select(Achievement)).first()
        rows = [
            {
                "id": ids[i],
                "issuer_id": achievement.issuer_id,
                "achievement_id": achievement.id,
                "format": "ob3",
                "status": "active",
                "recipient_email": f"passer{i}@example.com",
                "recipient_email_lower": f"passer{i}@example.com",
                "issued_at": now,
                "document": "{}",  # unsigned: only the events' cost is measured here
            }
            for i in range(count)
        ]
        session.execute(insert(IssuedCredential), rows)
        session.commit()
        key = new_api_key(session, issuer_id=None, is_admin=False, is_hr=True, now=now).row
        hr = Principal(key_id=key.id, is_admin=False, issuer_id=None, is_hr=True)
    with sessions() as session:
        made = watches.create_watch(
            session,
            hr,
            credential_ids=ids,
            callback_url="http://127.0.0.1:1/",  # replaced below, once the receiver listens
            description="benchmark",
            now=now,
        )
        secret, watch_id = made.secret, made.watch.id
    receiver = _Receiver(secret)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        with sessions() as session:
            watch = watches.get_watch_for(session, hr, watch_id)
            watch.callback_url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
            session.commit()
            for credential in session.scalars(select(IssuedCredential)).all():
                credentials.revoke(session, credential, "benchmark", now, actor=None)
        started, delivered = time.perf_counter(), 0
        while delivered < count:
            done = deliver_due(sessions, settings, datetime.now(UTC))
            if done == 0:
                raise RuntimeError("the benchmark's events were not all delivered")
            delivered += done
        elapsed = time.perf_counter() - started
    finally:
        receiver.shutdown()
        receiver.server_close()
    if receiver.good != count or receiver.bad:
        raise RuntimeError(f"{count} events sent, {receiver.good} arrived signed right")
    return count / elapsed
