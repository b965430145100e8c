"""Requests to the app started for `estimator init` (on loopback, under the server a run
uses): GETs follow redirects to the same server, as locust's client does; other methods
are sent once and their answer taken as is."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import Field

from estimator._model import Model

TIMEOUT_S = 30.0
MAX_HOPS = 5
MAX_BODY = 1 << 20


class Answer(Model):
    """What one request (and the redirects it followed) got."""

    status: int | None = Field(None, description="None: no answer (error says why)")
    body: bytes = b""
    content_type: str = ""
    error: str | None = None
    hops: list[tuple[int, str]] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """2xx, or a redirect (what locust counts as a success)."""
        return self.status is not None and 200 <= self.status < 400

    def describe(self) -> str:
        hops = "".join(f"{status} → {to} → " for status, to in self.hops)
        if self.status is None:
            return hops + (self.error or "no answer")
        detail = ""
        if not self.ok and self.body:
            text = " ".join(self.body[:400].decode(errors="replace").split())
            detail = f" ({text[:160]})" if text else ""
        return f"{hops}{self.status}{detail}"

    def data(self) -> Any:
        """The body as JSON, or None."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class AppClient:
    """HTTP/1.1 to one server (a fresh connection per request: nothing to keep alive)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def _once(self, method: str, path: str, body: Any) -> tuple[Answer, str | None]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
        headers = {"Accept": "application/json, text/html;q=0.9, */*;q=0.5", "Connection": "close"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            content = resp.read(MAX_BODY)
            answer = Answer(
                status=resp.status, body=content, content_type=resp.getheader("Content-Type", "")
            )
            return answer, resp.getheader("Location")
        except (OSError, http.client.HTTPException) as exc:
            return Answer(error=f"{type(exc).__name__}: {exc}"), None
        finally:
            conn.close()

    def _next(self, current: str, location: str | None) -> str | None:
        if not location:
            return None
        url = urlsplit(urljoin(f"http://{self.host}:{self.port}{current}", location))
        if url.scheme != "http" or url.port != self.port:
            return None
        if url.hostname not in (self.host, "127.0.0.1", "localhost"):
            return None
        return (url.path or "/") + (f"?{url.query}" if url.query else "")

    def request(self, method: str, path: str, body: Any = None) -> Answer:
        answer, location = self._once(method, path, body)
        if method != "GET":
            return answer
        hops: list[tuple[int, str]] = []
        current = path
        while answer.status is not None and 300 <= answer.status < 400 and len(hops) < MAX_HOPS:
            nxt = self._next(current, location)
            if nxt is None:
                break
            hops.append((answer.status, nxt))
            answer, location = self._once("GET", nxt, None)
            current = nxt
        return answer.model_copy(update={"hops": hops})

    def get(self, path: str) -> Answer:
        return self.request("GET", path)
