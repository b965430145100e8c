"""Connections each process holds on a port: the socket table parsed, and real loopback
sockets of this process counted (no server, fast)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from estimator.sample.connections import established_inodes, held_by, socket_inodes
from tests.promised import skip_unpromised

TABLE = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0  0 111 1
   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  0  0 222 1
   2: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  0  0 333 1
   3: 0100007F:1F90 0100007F:D432 06 00000000:00000000 00:00000000 00000000  0  0 0 1
   4: 0100007F:1F91 0100007F:D433 01 00000000:00000000 00:00000000 00000000  0  0 444 1
"""


def test_only_established_server_ends_on_the_port_count(tmp_path: Path) -> None:
    table = tmp_path / "tcp"
    table.write_text(TABLE)
    # 0x1F90 = 8080: the listening socket (0A), the client's end (local port 0xD431), a
    # TIME_WAIT (06) and another port's connection are left out
    assert established_inodes(8080, [str(table)]) == {222}
    assert established_inodes(8080, [str(tmp_path / "missing")]) is None


def test_a_process_holding_accepted_connections_is_counted(listener: socket.socket) -> None:
    if not Path("/proc/net/tcp").exists():
        skip_unpromised("the socket tables of Linux /proc")
    port = listener.getsockname()[1]
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    accepted = [listener.accept()[0] for _ in range(2)]  # one still in the backlog
    try:
        held = held_by([os.getpid()], port)
        # the two accepted server ends; the client ends have their own (ephemeral) port, and
        # the one not yet accepted is held by no process
        assert held == {os.getpid(): 2}
        mine = socket_inodes(os.getpid())
        assert mine is not None
        assert len(mine) >= 6
    finally:
        for c in [*clients, *accepted]:
            c.close()
    assert held_by([os.getpid()], port) == {os.getpid(): 0}
    assert held_by([2**22 + 12345], port) == {}  # no such process: left out
