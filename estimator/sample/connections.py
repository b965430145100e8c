"""Connections each server process holds on the server's port, read from /proc (Linux).

The kernel's socket tables (/proc/net/tcp and /proc/net/tcp6: local address, state, inode)
give the established connections whose local port is the server's (the server's ends; the
load generator's ends have an ephemeral local port); each process's open file descriptors
(/proc/PID/fd → 'socket:[inode]') say which process holds which. One read of the tables per
call, however many processes.

Read right after a window drained, a worker's count is the kept-alive connections it holds
(its clients are paused, the server has not yet closed them for idleness); with a new
connection per request, or a server that closes every connection (gunicorn's sync workers),
it is 0.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

TABLES = ("/proc/net/tcp", "/proc/net/tcp6")
ESTABLISHED = "01"


def established_inodes(port: int, tables: Iterable[str] = TABLES) -> set[int] | None:
    """Inodes of the established sockets whose local port is `port`; None when no table can
    be read (not Linux)."""
    found: set[int] = set()
    read_any = False
    for table in tables:
        try:
            with open(table, encoding="ascii") as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        read_any = True
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != ESTABLISHED:
                continue
            _, _, local_port = fields[1].rpartition(":")
            try:
                if int(local_port, 16) == port:
                    found.add(int(fields[9]))
            except ValueError:
                continue
    return found if read_any else None


def socket_inodes(pid: int) -> set[int] | None:
    """The inodes of the sockets `pid` holds open; None if its descriptors can't be read."""
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return None
    out: set[int] = set()
    for fd in fds:
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:[") and target.endswith("]"):
            out.add(int(target[8:-1]))
    return out


def held_by(pids: Iterable[int], port: int) -> dict[int, int] | None:
    """Established connections on `port` each process holds (a process that can't be read is
    left out); None when the socket tables can't be read."""
    inodes = established_inodes(port)
    if inodes is None:
        return None
    out: dict[int, int] = {}
    for pid in pids:
        held = socket_inodes(pid)
        if held is not None:
            out[pid] = len(held & inodes)
    return out
