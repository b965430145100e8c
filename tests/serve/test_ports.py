from __future__ import annotations

import socket

import pytest

from estimator.errors import ConfigError, ServerError
from estimator.serve.ports import check_host, check_port_free, free_port


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_is_fine(host: str) -> None:
    check_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::"])
def test_non_loopback_needs_allow_remote(host: str) -> None:
    with pytest.raises(
        ConfigError, match=rf"host '{host}' is not a loopback address.*allow_remote"
    ):
        check_host(host)
    check_host(host, allow_remote=True)


def test_host_names_other_than_localhost_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"'example.com' is not an IP address"):
        check_host("example.com", allow_remote=True)


def test_port_taken_and_free() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ServerError, match=rf"port {port} on 127.0.0.1 is already in use"):
            check_port_free("127.0.0.1", port)
    port = free_port("127.0.0.1")
    check_port_free("127.0.0.1", port)
    with pytest.raises(ConfigError, match="out of range"):
        check_port_free("127.0.0.1", 70000)
