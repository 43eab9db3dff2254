"""Run 1EdTech's Open Badges 2.0 validator once; started by validator.py in the oracle's venv.

This file runs under the validator's own interpreter, with only the packages pinned in
requirements-ob2-validator.txt, so it imports nothing from this repository. It reads a job
(JSON) on stdin::

    {"input": "<URL, JSON or JWS>" | null, "file": "<baked image path>" | null,
     "loopback": "127.0.0.1:PORT", "aliases": {"<web URL>": "<loopback URL>"},
     "output": "<path for the result>"}

and writes ``{"result": <the validator's JSON output>, "requests": [...]}`` to ``output``.

Network: the validator fetches through ``requests`` (plain sessions and requests-cache
sessions alike), and every request ends in ``HTTPAdapter.send``. That is wrapped here so a
request reaches the network only when it is for the loopback server; URLs listed in
``aliases`` (the JSON-LD context the validator always loads from w3id.org) are first
rewritten to copies on that server. Anything else fails as a connection error, which the
validator reports like any unreachable document, and is listed in ``requests``. Below
that, sockets may connect to the loopback server's address only, so no other route out
(urllib in a dependency, say) reaches the network either.
"""

from __future__ import annotations

import json
import socket
import sys
from typing import Any
from urllib.parse import urlsplit


def _confine_sockets(loopback: str) -> None:
    host, port = loopback.rsplit(":", 1)
    allowed = (host, int(port))
    connect = socket.socket.connect

    def loopback_only(self: socket.socket, address: Any) -> None:
        is_ip = self.family in (socket.AF_INET, socket.AF_INET6)
        if is_ip and tuple(address[:2]) != allowed:
            raise ConnectionRefusedError(f"{address!r} is not the loopback server")
        connect(self, address)

    socket.socket.connect = loopback_only  # type: ignore[method-assign]


def _confine_requests(loopback: str, aliases: dict[str, str], log: list[dict[str, Any]]) -> None:
    import requests
    from requests.adapters import HTTPAdapter

    send = HTTPAdapter.send

    def loopback_only(self: HTTPAdapter, request: Any, **kwargs: Any) -> Any:
        asked = request.url
        request.url = aliases.get(asked, asked)
        parts = urlsplit(request.url)
        allowed = parts.scheme == "http" and parts.netloc == loopback
        log.append({"url": asked, "sent": request.url if allowed else None})
        if not allowed:
            raise requests.ConnectionError(
                f"{asked} is not on the loopback server", request=request
            )
        return send(self, request, **kwargs)

    HTTPAdapter.send = loopback_only  # type: ignore[method-assign]


def main() -> int:
    job = json.load(sys.stdin)
    log: list[dict[str, Any]] = []
    _confine_sockets(job["loopback"])
    _confine_requests(job["loopback"], job["aliases"], log)

    from openbadges.verifier import verify

    if job.get("file"):
        with open(job["file"], "rb") as image:
            result = verify(image)
    else:
        result = verify(job["input"])
    with open(job["output"], "w", encoding="utf-8") as out:
        json.dump({"result": result, "requests": log}, out, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
