"""Running the service under uvicorn, with one process or several.

With several workers uvicorn binds the listening socket itself, without naming the TCP
protocol, and asyncio then leaves Nagle's algorithm on for every connection: each response
waits ~40 ms for the client's delayed ACK. We bind the socket as TCP, so asyncio turns on
TCP_NODELAY as it does for a single worker.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "app.main:create_app"


class _Config(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.set_inheritable(True)
        return sock


def run(*, host: str, port: int, workers: int, log_config: dict[str, Any] | None = None) -> None:
    """Serve the app on ``host:port`` with ``workers`` processes.

    ``log_config`` (:func:`app.logs.logging_config`) is applied in every worker; the access
    log is the service's own (``shomei.access``), so uvicorn's is off.
    """
    config = _Config(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config,
        access_log=log_config is None,
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
