"""1EdTech's Open Badges 2.0 validator as a test oracle: its virtualenv, a loopback server, a run.

The validator (PyPI ``openbadges`` 1.1.2, openbadges-validator-core) pins dependency releases
from 2017, so it cannot share our environment. :func:`ensure_validator` builds a virtualenv
for it under ``.oracle/ob2-validator-venv`` (git-ignored) from
``requirements-ob2-validator.txt`` (every package pinned, installed with ``--no-deps``) and
reuses it while that file, the interpreter and this module's build recipe are unchanged.
Building takes a lock, so two test sessions never build it at once.

:func:`run_validator` runs it in a subprocess (``_validator_main.py``) on a URL, JSON, a JWS
or a baked image. Its network is confined to one :class:`LoopbackServer` on 127.0.0.1 that
serves the documents under test over real HTTP; the one web document it always wants, the
OB 2.0 JSON-LD context at w3id.org, is rewritten to our pinned copy on that server.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REQUIREMENTS = HERE / "requirements-ob2-validator.txt"
ENTRY = HERE / "_validator_main.py"
VENV = ROOT / ".oracle" / "ob2-validator-venv"
CONTEXTS = ROOT / "badges" / "contexts"

OB2_CONTEXT_URL = "https://w3id.org/openbadges/v2"
CONTEXT_PATH = "/_contexts/openbadges-v2"
INSTALL_TIMEOUT_S = 900
RUN_TIMEOUT_S = 180
_RECIPE = "1"  # bump when the build steps below change, to rebuild cached venvs


class OracleUnavailableError(Exception):
    """The validator's virtualenv could not be built or the validator does not start."""


@dataclass(frozen=True)
class ValidatorSetup:
    """A ready validator: its interpreter, and how long getting it ready took."""

    python: Path
    seconds: float
    built: bool


def _python_in(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(REQUIREMENTS.read_bytes())
    digest.update(sys.version.encode())
    digest.update(_RECIPE.encode())
    return digest.hexdigest()


def _step(args: list[str], what: str, timeout: float) -> None:
    try:
        done = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
            args, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OracleUnavailableError(f"{what} did not complete: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
        raise OracleUnavailableError(f"{what} failed (exit {done.returncode}):\n{tail}")


def _build(venv: Path) -> None:
    if venv.exists():
        shutil.rmtree(venv)
    _step([sys.executable, "-m", "venv", str(venv)], "creating the validator's virtualenv", 300)
    python = str(_python_in(venv))
    install = [python, "-m", "pip", "install", "--no-deps", "--no-input", "--quiet"]
    _step(
        [*install, "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
        f"installing {REQUIREMENTS.name}",
        INSTALL_TIMEOUT_S,
    )
    _step([python, "-c", "import openbadges.verifier"], "importing the validator", 120)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl  # POSIX only, like the rest of the test tooling

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_validator(venv: Path = VENV) -> ValidatorSetup:
    """Build the validator's virtualenv unless an up-to-date one is cached; return it.

    Raises:
        OracleUnavailableError: the virtualenv cannot be built (no package index, a pin
            that no longer installs) or the validator does not import.
    """
    started = time.perf_counter()
    stamp = venv / ".shomei-fingerprint"
    wanted = _fingerprint()
    with _locked(venv.with_name(venv.name + ".lock")):
        built = False
        current = stamp.read_text().strip() if stamp.exists() else None
        if current != wanted or not _python_in(venv).exists():
            _build(venv)
            stamp.write_text(wanted + "\n")
            built = True
    return ValidatorSetup(_python_in(venv), time.perf_counter() - started, built)


# --- the loopback server ------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """One response of the loopback server."""

    body: bytes
    content_type: str
    status: int = 200


@dataclass
class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 serving fixed resources by path.

    Use it as a context manager; add resources once it runs (their URLs need its port).
    """

    resources: dict[str, Resource] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def __enter__(self) -> LoopbackServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        context = (CONTEXTS / "openbadges-v2.json").read_bytes()
        self.put(CONTEXT_PATH, Resource(context, "application/ld+json"))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def netloc(self) -> str:
        assert self._server is not None, "the server is not running"
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    @property
    def base(self) -> str:
        return f"http://{self.netloc}"

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, resource: Resource) -> str:
        self.resources[path] = resource
        return self.url(path)

    def put_json(self, path: str, document: Mapping[str, Any], status: int = 200) -> str:
        body = json.dumps(document).encode("utf-8")
        return self.put(path, Resource(body, "application/ld+json", status))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                owner.requested.append(path)
                resource = owner.resources.get(path)
                if resource is None:
                    resource = Resource(b'{"error": "not found"}', "application/json", 404)
                self.send_response(resource.status)
                self.send_header("Content-Type", resource.content_type)
                self.send_header("Content-Length", str(len(resource.body)))
                self.end_headers()
                self.wfile.write(resource.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet; `requested` records every path

        return Handler


# --- one validator run --------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatorResult:
    """The validator's JSON output (``graph``, ``input``, ``report``) and its requests."""

    output: dict[str, Any]
    requests: tuple[dict[str, Any], ...]

    @property
    def report(self) -> dict[str, Any]:
        report: dict[str, Any] = self.output["report"]
        return report

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])

    @property
    def error_count(self) -> int:
        return int(self.report["errorCount"])

    @property
    def warning_count(self) -> int:
        return int(self.report["warningCount"])

    def messages(self, level: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.report["messages"]
        return [m for m in found if level is None or m.get("messageLevel") == level]

    @property
    def blocked(self) -> list[str]:
        """URLs the validator asked for that are not on the loopback server."""
        return [r["url"] for r in self.requests if r["sent"] is None]

    def summary(self) -> str:
        lines = [
            f"valid={self.valid} errorCount={self.error_count} warningCount={self.warning_count}"
        ]
        lines += [
            f"  {m.get('messageLevel')} {m.get('name')}: {m.get('result')}" for m in self.messages()
        ]
        if self.blocked:
            lines.append(f"  blocked requests: {', '.join(self.blocked)}")
        return "\n".join(lines)


def run_validator(
    python: Path,
    server: LoopbackServer,
    *,
    data: str | None = None,
    image: bytes | None = None,
    aliases: Mapping[str, str] | None = None,
) -> ValidatorResult:
    """Run the validator on ``data`` (a URL, JSON or a JWS) or a baked ``image``.

    ``aliases`` maps further web URLs (those of published test vectors, say) to URLs on
    ``server``; the validator asks for the web URL and gets the loopback copy.

    Raises:
        OracleUnavailableError: the validator crashed or printed no result.
    """
    if (data is None) == (image is None):
        raise ValueError("give exactly one of data and image")
    with tempfile.TemporaryDirectory(prefix="ob2-validator-") as scratch:
        output = Path(scratch) / "result.json"
        job: dict[str, Any] = {
            "input": data,
            "file": None,
            "loopback": server.netloc,
            "aliases": {**(aliases or {}), OB2_CONTEXT_URL: server.url(CONTEXT_PATH)},
            "output": str(output),
        }
        if image is not None:
            path = Path(scratch) / ("badge.svg" if image.lstrip().startswith(b"<") else "badge.png")
            path.write_bytes(image)
            job["file"] = str(path)
        # -I: no user site-packages or PYTHON* variables; a bare environment carries no
        # proxy settings, so loopback requests go straight to the server.
        env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "HOME": scratch}
        try:
            done = subprocess.run(  # noqa: S603 - fixed argument list, no shell
                [str(python), "-I", str(ENTRY)],
                input=json.dumps(job),
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT_S,
                env=env,
                cwd=scratch,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise OracleUnavailableError(f"the validator ran over {RUN_TIMEOUT_S} s") from exc
        if done.returncode != 0 or not output.exists():
            tail = "\n".join(done.stderr.strip().splitlines()[-25:])
            raise OracleUnavailableError(f"the validator failed (exit {done.returncode}):\n{tail}")
        produced = json.loads(output.read_text(encoding="utf-8"))
    return ValidatorResult(produced["result"], tuple(produced["requests"]))
