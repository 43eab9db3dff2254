"""Running the service under uvicorn, with one process or several, after start-up checks.

Before any worker starts, :func:`check_startup` makes sure the key passphrase is one the
service may use and opens every stored issuer key: a wrong one would otherwise be found only
when signing fails, after new keys had been written under it.

With several workers uvicorn binds one listening socket for all, without naming the TCP
protocol, and asyncio then leaves Nagle's algorithm on for every connection: each response
waits ~40 ms for the client's delayed ACK. We bind the sockets as TCP, so asyncio turns on
TCP_NODELAY as it does for a single worker.

And one socket for all let one worker take every connection of a burst (whichever woke first
accepts all that wait), so a client's pool of keep-alive connections kept one worker busy and
the others idle. Each worker has a listening socket of its own instead, all bound to the port
with SO_REUSEPORT, and the kernel spreads new connections across them by a hash of their
addresses (https://man7.org/linux/man-pages/man7/socket.7.html). A worker that is replaced
listens on every socket, so none is left without one.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess, Process

from app.db import make_engine, make_sessionmaker
from app.keyring import check_passphrase
from app.settings import Settings

APP = "app.main:create_app"
DEVELOPMENT_PASSPHRASE_FILE = Path("var") / "dev-passphrase"


class StartupError(Exception):
    """The service must not start; the message says why in one line."""


def check_startup(settings: Settings) -> None:
    """Refuse the development passphrase outside development, and a passphrase that does not
    open the stored keys.

    Raises:
        StartupError: with one line an operator can act on.
    """
    from app.mail.sender import make_signer
    from app.mail.signing import DkimKeyError

    try:
        make_signer(settings)  # a DKIM key that cannot sign is found now, not at the first mail
    except DkimKeyError as error:
        raise StartupError(str(error)) from None
    passphrase = settings.key_passphrase.get_secret_value()
    if not passphrase:
        raise StartupError(
            "SHOMEI_KEY_PASSPHRASE is not set: set one (at least 12 characters), or run "
            "`shomei serve --demo` for a development setup"
        )
    development_file = DEVELOPMENT_PASSPHRASE_FILE
    if (
        not settings.development
        and development_file.is_file()
        and passphrase == development_file.read_text().strip()
    ):
        raise StartupError(
            f"SHOMEI_KEY_PASSPHRASE is the development passphrase of ./{development_file}, "
            "which is for SHOMEI_DEVELOPMENT=true only: choose a new passphrase and run "
            f"`shomei keys rewrap --previous-passphrase-file {development_file}`"
        )
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            found = check_passphrase(session, passphrase)
    finally:
        engine.dispose()
    if found.ok:
        return
    if found.opened == 0:
        raise StartupError(
            f"SHOMEI_KEY_PASSPHRASE does not open the {found.total} stored issuer keys: "
            "start with the passphrase they were written under"
        )
    raise StartupError(
        f"SHOMEI_KEY_PASSPHRASE opens {found.opened} of {found.total} stored issuer keys but "
        f"not {found.first_failure}: re-wrap the others with `shomei keys rewrap "
        "--previous-passphrase-file FILE` (FILE holding the passphrase they were written under)"
    )


class _Config(uvicorn.Config):
    def bind_sockets(self, count: int) -> list[socket.socket]:
        """``count`` listening sockets on the port, one per worker."""
        # A port another server holds is refused here, as a plain bind would be: sockets
        # that all set SO_REUSEPORT would share it with that server instead.
        self._socket(reuse_port=False).close()
        return [self._socket(reuse_port=True) for _ in range(count)]

    def _socket(self, *, reuse_port: bool) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        sock.set_inheritable(True)
        return sock


class _Workers(Multiprocess):
    """uvicorn's supervisor, starting each worker on a socket of its own."""

    def init_processes(self) -> None:
        for sock in self.sockets:
            process = Process(self.config, [sock])
            process.start()
            self.processes.append(process)


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
        # The service reads X-Forwarded-For itself, from SHOMEI_TRUSTED_PROXIES only
        # (app.middleware.clients). uvicorn's own reading, on by default for loopback peers,
        # would put the header's address in the request first: any local client could name
        # a new address on every request and escape its rate limit.
        proxy_headers=False,
    )
    if workers > 1:
        _Workers(config, sockets=config.bind_sockets(workers)).run()
    else:
        uvicorn.Server(config).run()
