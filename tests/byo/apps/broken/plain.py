# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
"""A stdlib WSGI app for the preflight failure tests: /healthz and / answer 200, /boom 500,
/old redirects to /healthz."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    if path in ("/", "/healthz"):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    if path == "/old":
        start_response("301 Moved Permanently", [("Location", "/healthz")])
        return [b""]
    if path == "/boom":
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"boom"]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]
