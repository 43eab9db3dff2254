"""Several workers share the connections: each has a listening socket of its own.

Workers sharing one listening socket race for each connection, and asyncio accepts every
connection waiting at once: the clients of a burst, a pool of keep-alive connections above
all, all landed on one worker while the other stood idle. With one SO_REUSEPORT socket per
worker the kernel spreads new connections across them
(https://man7.org/linux/man-pages/man7/socket.7.html, SO_REUSEPORT).
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from app.settings import Settings
from tests.app.conftest import TEST_PASSPHRASE
from tests.app.processes import Server, serve, shomei

CONNECTIONS = 16


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _sockets(port: int, state: str) -> set[str]:
    """The inodes of the sockets on local ``port`` in ``state`` (01 established, 0A listen)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == state and int(fields[1].split(":")[1], 16) == port:
            inodes.add(f"socket:[{fields[9]}]")
    return inodes


def _workers(server: Server) -> list[int]:
    """The server's worker processes, once each listens (the first may answer before the
    second has started)."""
    deadline = time.monotonic() + 60
    while True:
        listening = _sockets(server.port, "0A")
        workers = [pid for pid in _children(server.process.pid) if _connections_of(pid, listening)]
        if len(workers) == 2 or time.monotonic() > deadline:
            return workers
        time.sleep(0.1)


def _connections_of(pid: int, inodes: set[str]) -> int:
    """How many of ``inodes`` process ``pid`` holds."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += os.readlink(fd) in inodes
        except OSError:
            continue
    return count


def _env(settings: Settings) -> dict[str, str]:
    return {
        "SHOMEI_DATABASE_URL": settings.database_url,
        "SHOMEI_KEY_PASSPHRASE": TEST_PASSPHRASE,
        "SHOMEI_REDIS_URL": "",
    }


@pytest.mark.slow
def test_a_burst_of_keep_alive_connections_reaches_every_worker(
    settings: Settings, tmp_path: Path
) -> None:
    env = _env(settings)
    with serve(env, tmp_path, "--workers", "2") as server:
        workers = _workers(server)
        clients = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(CONNECTIONS)]
        try:
            request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()
            for client in clients:
                client.sendall(request)
            for client in clients:
                assert client.recv(4096).startswith(b"HTTP/1.1 200")
            inodes = _sockets(server.port, "01")
            counts = sorted(_connections_of(pid, inodes) for pid in workers)
        finally:
            for client in clients:
                client.close()
    assert sum(counts) == CONNECTIONS, counts
    # Spread by a hash of each connection's addresses: both workers hold some (all sixteen
    # on one worker has a chance of 2 in 65,536).
    assert len(counts) == 2 and counts[0] >= 1, counts


@pytest.mark.slow
def test_a_second_server_on_the_same_port_is_refused(settings: Settings, tmp_path: Path) -> None:
    # Sockets that all set SO_REUSEPORT would share the port with the first server.
    env = _env(settings)
    with serve(env, tmp_path, "--workers", "2") as server:
        second = shomei("serve", "--port", str(server.port), "--workers", "2", env=env)
        assert server.process.poll() is None
    assert second.returncode == 2
    assert "Address already in use" in second.stderr
