"""A tiny WSGI app for the load tests: '/' answers at once, '/fail' with a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/fail":
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"boom"]
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
