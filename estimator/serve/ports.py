"""Where a server listens: loopback unless asked otherwise, a free port unless one is given."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket

from estimator.errors import ConfigError, ServerError


def check_host(host: str, *, allow_remote: bool = False) -> None:
    """Refuse a non-loopback address unless `allow_remote` (load stays on this machine)."""
    if host == "localhost":
        return
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        raise ConfigError(
            f"host {host!r} is not an IP address; use 127.0.0.1 or ::1 "
            "(or an address of this machine with allow_remote)"
        ) from None
    if not addr.is_loopback and not allow_remote:
        raise ConfigError(
            f"host {host!r} is not a loopback address: servers listen on 127.0.0.1 or ::1 "
            "by default so load never leaves this machine; pass allow_remote=True to serve "
            "on it"
        )


def _family(host: str) -> socket.AddressFamily:
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).version == 6:
            return socket.AF_INET6
    return socket.AF_INET


def free_port(host: str) -> int:
    """A port nobody listens on now (the kernel's choice)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def check_port_free(host: str, port: int) -> None:
    """Fail early, with a clear message, if something listens on host:port already.

    Binds the way the servers do (SO_REUSEADDR), so a port held only by TIME_WAIT
    connections counts as free, as it is for them."""
    if not 0 < port < 65536:
        raise ConfigError(f"port {port} is out of range; use 1-65535 or leave it unset")
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServerError(
                    f"port {port} on {host} is already in use; stop what listens there or "
                    "leave the port unset to pick a free one"
                ) from None
            raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
