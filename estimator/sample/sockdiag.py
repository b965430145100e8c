"""TCP sockets on a port, asked of the kernel through netlink sock_diag (what `ss` uses).

One dump per address family lists the sockets in the asked states: their local port and
inode. Cheaper than /proc/net/tcp, which lists every socket (thousands of TIME_WAIT ones
under a connection per request) as text: a dump of the established sockets costs about a
millisecond on this machine's kernel, whatever else is open, and one of the listening ones
about 10 µs. Linux only; `None` where netlink is not available.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
ESTABLISHED = 1
CLOSE_WAIT = 8
LISTEN = 10
CONNECTED = (ESTABLISHED, CLOSE_WAIT)
"""A server's end of a connection it may still be serving: open, or the client done sending."""

_HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, seq, pid
_REQUEST = struct.Struct("=BBBBI48x")  # inet_diag_req_v2: family, protocol, ext, pad, states, id
_SPORT = struct.Struct("!H")  # inet_diag_msg.id.idiag_sport (after family/state/timer/retrans)
_INODE = struct.Struct("=I")  # inet_diag_msg.idiag_inode
_INODE_AT = 4 + 48 + 16  # after the 4 bytes, the 48-byte socket id and 4 × u32


def _request(family: int, states: Iterable[int]) -> bytes:
    mask = 0
    for s in states:
        mask |= 1 << s
    body = _REQUEST.pack(family, socket.IPPROTO_TCP, 0, 0, mask)
    flags = NLM_F_REQUEST | NLM_F_DUMP
    head = _HEADER.pack(_HEADER.size + len(body), SOCK_DIAG_BY_FAMILY, flags, 1, 0)
    return head + body


def _dump(sock: socket.socket, family: int, states: Iterable[int], port: int) -> set[int]:
    sock.send(_request(family, states))
    found: set[int] = set()
    while True:
        data = sock.recv(1 << 16)
        off = 0
        while off + _HEADER.size <= len(data):
            length, kind, _, _, _ = _HEADER.unpack_from(data, off)
            if kind == NLMSG_DONE:
                return found
            if kind == NLMSG_ERROR:
                raise OSError("sock_diag refused the dump")
            body = off + _HEADER.size
            if _SPORT.unpack_from(data, body + 4)[0] == port:
                found.add(_INODE.unpack_from(data, body + _INODE_AT)[0])
            if length < _HEADER.size:
                raise OSError("sock_diag: a malformed reply")
            off += (length + 3) & ~3


class SockDiag:
    """A netlink socket kept open for repeated dumps; `close()` it (or use `with`)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)

    def inodes(self, port: int, states: Iterable[int], families: Iterable[int]) -> set[int]:
        """Inodes of the TCP sockets in `states` whose local port is `port`."""
        out: set[int] = set()
        states = tuple(states)
        for family in families:
            out |= _dump(self.sock, family, states, port)
        return out

    def listening_families(self, port: int) -> list[int]:
        """The address families with a listening socket on `port`."""
        return [
            f for f in (socket.AF_INET, socket.AF_INET6) if _dump(self.sock, f, (LISTEN,), port)
        ]

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> SockDiag:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_diag() -> SockDiag | None:
    """A `SockDiag`, or None where netlink sock_diag can't be used (not Linux, refused)."""
    if not hasattr(socket, "AF_NETLINK"):
        return None
    try:
        diag = SockDiag()
    except OSError:
        return None
    try:
        diag.listening_families(0)
    except OSError:
        diag.close()
        return None
    return diag
