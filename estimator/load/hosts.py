"""The base URL load goes to: an http(s) URL, on loopback unless asked otherwise."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from estimator.errors import ConfigError


def check_host(host: str, *, allow_remote: bool = False) -> str:
    """Validate the base URL of the server under load; refuse non-loopback hosts unless
    `allow_remote`. Returns the URL without a trailing slash."""
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"load host {host!r} is not an http(s) URL; use e.g. 'http://127.0.0.1:8000'"
        )
    if not allow_remote and not _is_loopback(parts.hostname):
        raise ConfigError(
            f"load host {host!r} is not loopback; estimator only loads 127.0.0.1/::1/localhost "
            "unless allow_remote=True is set"
        )
    return host.rstrip("/")


def _is_loopback(hostname: str) -> bool:
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False
