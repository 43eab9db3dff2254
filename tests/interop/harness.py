"""Run the JavaScript oracles (tests/interop/js/) from Python tests.

The oracles are independent implementations (Digital Bazaar's ``vc`` stack for Data Integrity,
``jose`` for JWTs) that tell us whether someone else's verifier accepts what we issue. They take
documents and URLs as inputs, so the same calls work for credentials built in memory and for
ones fetched from a running service (``fetch=True`` with loopback ``allow`` origins).

    node_available()            is a recent enough Node.js on PATH?
    ensure_node_modules()       ``npm ci`` once per session when node_modules is missing or stale
    verify_di(credential, documents, now=...)     -> {"verified", "errors", "proofs", "status"}
    verify_jwt(token, jwks=... | jwks_url=...)    -> {"verified", "payload", "header", "error"}

The ``*_many`` variants verify a batch in one Node.js process: starting Node and loading the
JSON-LD stack costs about a third of a second, a verification a few milliseconds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).resolve().parent / "js"
MIN_NODE_MAJOR = 20
NPM_CI_TIMEOUT_S = 600.0
ORACLE_TIMEOUT_S = 120.0

JSONObject = dict[str, Any]


class OracleUnavailableError(RuntimeError):
    """Node.js or the oracle's npm packages cannot be used on this machine."""


@dataclass
class OracleTimings:
    """Wall-clock seconds of every oracle call, for reporting how long the oracles take."""

    calls: list[tuple[str, int, float]] = field(default_factory=list)

    def record(self, script: str, items: int, seconds: float) -> None:
        self.calls.append((script, items, seconds))

    def summary(self) -> str:
        if not self.calls:
            return "no oracle calls"
        total = sum(seconds for _, _, seconds in self.calls)
        items = sum(count for _, count, _ in self.calls)
        lines = [f"{len(self.calls)} oracle calls, {items} items, {total:.2f} s in total"]
        lines += [f"  {s}: {n} item(s) in {t:.2f} s" for s, n, t in self.calls]
        return "\n".join(lines)


TIMINGS = OracleTimings()
_install_lock = threading.Lock()
_installed = False


def _node_major() -> int | None:
    node = shutil.which("node")
    if node is None:
        return None
    try:
        version = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [node, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    try:
        return int(version.lstrip("v").split(".")[0])
    except ValueError:
        return None


def node_available() -> bool:
    """Whether Node.js (version 20 or later) is on PATH."""
    major = _node_major()
    return major is not None and major >= MIN_NODE_MAJOR


def _installed_matches_lock() -> bool:
    """Whether node_modules holds exactly the versions package-lock.json pins."""
    hidden = JS_DIR / "node_modules" / ".package-lock.json"
    if not hidden.is_file():
        return False
    try:
        wanted = json.loads((JS_DIR / "package-lock.json").read_text(encoding="utf-8"))["packages"]
        have = json.loads(hidden.read_text(encoding="utf-8"))["packages"]
    except (OSError, ValueError, KeyError):
        return False
    return all(
        have.get(path, {}).get("version") == entry.get("version")
        for path, entry in wanted.items()
        if path  # "" is the project itself
    )


def ensure_node_modules() -> None:
    """Install the pinned oracle packages with ``npm ci`` unless they are already there.

    Runs at most once per process. ``--prefer-offline`` lets the npm cache satisfy the install
    without the registry when it can.

    Raises:
        OracleUnavailableError: no suitable Node.js, no npm, or the install failed.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        if not node_available():
            raise OracleUnavailableError(
                f"Node.js {MIN_NODE_MAJOR} or later is needed on PATH for the interop oracles"
            )
        if not _installed_matches_lock():
            npm = shutil.which("npm")
            if npm is None:
                raise OracleUnavailableError("npm is needed on PATH to install the oracles")
            command = [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund"]
            try:
                done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                    [*command, "--loglevel=error"],
                    cwd=JS_DIR,
                    capture_output=True,
                    text=True,
                    timeout=NPM_CI_TIMEOUT_S,
                    check=False,
                )
            except (OSError, subprocess.SubprocessError) as error:
                raise OracleUnavailableError(f"`npm ci` in {JS_DIR.name} failed: {error}") from None
            if done.returncode != 0 or not _installed_matches_lock():
                tail = (done.stderr or done.stdout).strip()[-2000:]
                raise OracleUnavailableError(f"`npm ci` for the interop oracles failed:\n{tail}")
        _installed = True


def _iso(moment: datetime | str | None) -> str | None:
    if moment is None or isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        raise ValueError("the oracle's clock needs a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_script(script: str, request: Any) -> Any:
    """Send ``request`` as JSON to ``js/<script>`` and return the JSON it prints.

    Raises:
        OracleUnavailableError: the packages could not be installed.
        RuntimeError: the script printed something other than one JSON value.
    """
    ensure_node_modules()
    node = shutil.which("node")
    assert node is not None  # ensure_node_modules checked it
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - fixed script path, no shell
        [node, str(JS_DIR / script)],
        input=json.dumps(request, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=ORACLE_TIMEOUT_S,
        check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    TIMINGS.record(
        script, len(request) if isinstance(request, list) else 1, time.perf_counter() - started
    )
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise RuntimeError(
            f"{script} exited {done.returncode} without a JSON result:\n"
            f"{done.stdout[-1000:]}\n{done.stderr[-2000:]}"
        ) from None


def sign_foreign(directory: Path) -> None:
    """Run sign-foreign.mjs, writing a fresh set of foreign fixtures into ``directory``.

    Raises:
        OracleUnavailableError: the packages could not be installed.
        RuntimeError: the generator failed.
    """
    ensure_node_modules()
    node = shutil.which("node")
    assert node is not None  # ensure_node_modules checked it
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - fixed script path, no shell
        [node, str(JS_DIR / "sign-foreign.mjs"), str(directory)],
        capture_output=True,
        text=True,
        timeout=ORACLE_TIMEOUT_S,
        check=False,
    )
    TIMINGS.record("sign-foreign.mjs", 1, time.perf_counter() - started)
    if done.returncode != 0:
        raise RuntimeError(f"sign-foreign.mjs failed:\n{done.stderr[-2000:]}")


def di_request(
    credential: JSONObject,
    documents: Mapping[str, JSONObject] | None = None,
    *,
    now: datetime | str | None = None,
    status: str = "check",
    fetch: bool = False,
    allow: Sequence[str] = (),
) -> JSONObject:
    """One verify-di.mjs request (see that script for the fields)."""
    request: JSONObject = {"credential": credential, "documents": dict(documents or {})}
    if now is not None:
        request["now"] = _iso(now)
    if status != "check":
        request["status"] = status
    if fetch:
        request["fetch"] = True
        request["allow"] = list(allow)
    return request


def verify_di(
    credential: JSONObject,
    documents: Mapping[str, JSONObject] | None = None,
    **opts: Any,
) -> JSONObject:
    """Verify a Data Integrity credential with Digital Bazaar's ``vc`` (see ``di_request``)."""
    result: JSONObject = run_script("verify-di.mjs", di_request(credential, documents, **opts))
    return result


def verify_di_many(requests: Sequence[JSONObject]) -> list[JSONObject]:
    """Verify several ``di_request``s in one Node.js process; results in the same order."""
    results: list[JSONObject] = run_script("verify-di.mjs", list(requests))
    return results


def jwt_request(
    token: str,
    *,
    jwks: Mapping[str, Any] | None = None,
    jwks_url: str | None = None,
    now: datetime | str | None = None,
) -> JSONObject:
    """One verify-jwt.mjs request: a local JWK Set or a loopback JWK Set URL."""
    if (jwks is None) == (jwks_url is None):
        raise ValueError("give exactly one of jwks and jwks_url")
    request: JSONObject = {"token": token}
    if jwks is not None:
        request["jwks"] = dict(jwks)
    else:
        request["jwksUrl"] = jwks_url
    if now is not None:
        request["now"] = _iso(now)
    return request


def verify_jwt(
    token: str,
    *,
    jwks: Mapping[str, Any] | None = None,
    jwks_url: str | None = None,
    now: datetime | str | None = None,
) -> JSONObject:
    """Verify a VC-JWT with ``jose`` against a JWK Set (RS256, ES256, EdDSA only)."""
    request = jwt_request(token, jwks=jwks, jwks_url=jwks_url, now=now)
    result: JSONObject = run_script("verify-jwt.mjs", request)
    return result


def verify_jwt_many(requests: Sequence[JSONObject]) -> list[JSONObject]:
    """Verify several ``jwt_request``s in one Node.js process; results in the same order."""
    results: list[JSONObject] = run_script("verify-jwt.mjs", list(requests))
    return results
