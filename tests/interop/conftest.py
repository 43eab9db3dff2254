"""Fixtures for the interop tests: the JavaScript oracles, and a loopback web server.

Without Node.js 20+ (or when ``npm ci`` fails) the oracle tests are skipped on a workstation
and fail in CI (``CI`` set), where a silently skipped oracle would hide an interop break.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NoReturn

import pytest

from tests.interop import harness


def oracle_unavailable(reason: str) -> NoReturn:
    """Fail under CI, skip elsewhere, because the oracles cannot run."""
    if os.environ.get("CI"):
        pytest.fail(f"the interop oracles must run in CI: {reason}", pytrace=False)
    pytest.skip(f"interop oracles unavailable: {reason}")


@pytest.fixture(scope="session")
def oracle() -> None:
    """Make sure the oracle scripts can run: Node.js present, npm packages installed."""
    problem: str | None = None
    try:
        harness.ensure_node_modules()
    except harness.OracleUnavailableError as error:
        problem = str(error)
    if problem is not None:
        oracle_unavailable(problem)


class LoopbackServer:
    """Serves JSON documents by path on 127.0.0.1, as an issuer's web server would."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.requests: list[str] = []
        documents, requests = self.documents, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                document = documents.get(self.path)
                body = json.dumps(document).encode() if document is not None else b"{}"
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.origin + path

    def publish(self, path: str, document: Any) -> str:
        """Serve ``document`` at ``path``; return its URL."""
        self.documents[path] = document
        return self.url(path)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report how long the oracle calls took, when there were any."""
    if harness.TIMINGS.calls:
        terminalreporter.write_sep("-", "interop oracle timings")
        terminalreporter.write_line(harness.TIMINGS.summary())
