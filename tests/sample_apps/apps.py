"""The three sample apps in-process, behind one small client interface.

The apps live in sample_apps/ (their own sys.path root, outside the estimator package), so
they are imported by name at run time; mypy does not follow them.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from estimator.paths import SAMPLE_APPS_DIR

APP_NAMES = ("flask", "django", "fastapi")


def sample_module(name: str) -> Any:
    """Import a module of sample_apps/ (e.g. 'common.contract')."""
    if str(SAMPLE_APPS_DIR) not in sys.path:
        sys.path.insert(0, str(SAMPLE_APPS_DIR))
    return importlib.import_module(name)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    location: str | None

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


Send = Callable[[str, str, "bytes | None", "str | None"], Reply]
"""(method, path with query, body, Content-Type or None) -> Reply"""


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip()


def flask_sender(db: Path) -> Send:
    """A bug in the app gives its 500 response (and a logged traceback), as in production."""
    app = sample_module("flask_app").create_app(db)
    client = app.test_client()

    def send(method: str, path: str, body: bytes | None, content_type: str | None) -> Reply:
        headers = {"Content-Type": content_type} if content_type else {}
        r = client.open(path, method=method, data=body, headers=headers)
        return Reply(r.status_code, _media(r.content_type), r.get_data(), r.headers.get("Location"))

    return send


def fastapi_sender(db: Path, *, raise_errors: bool = True) -> Send:
    """`raise_errors`: a bug in the app raises in the test (else: its 500 response)."""
    app = sample_module("fastapi_app").create_app(db)
    client = sample_module("fastapi.testclient").TestClient(
        app, raise_server_exceptions=raise_errors
    )

    def send(method: str, path: str, body: bytes | None, content_type: str | None) -> Reply:
        headers = {"Content-Type": content_type} if content_type else {}
        r = client.request(method, path, content=body, headers=headers)
        return Reply(
            r.status_code,
            _media(r.headers.get("content-type")),
            r.content,
            r.headers.get("location"),
        )

    return send


def django_client(*, raise_errors: bool = True) -> Send:
    """A test client of the Django app set up by `django_sender`."""
    client = sample_module("django.test").Client(raise_request_exception=raise_errors)

    def send(method: str, path: str, body: bytes | None, content_type: str | None) -> Reply:
        # Django's client drops Content-Type from a request without a body; an HTTP client
        # sends it: set it in the WSGI environ as a server would.
        environ = {"CONTENT_TYPE": content_type} if content_type else {}
        data = body or b""
        r = client.generic(method, path, data=data, content_type=content_type or "", **environ)
        return Reply(
            r.status_code, _media(r.headers.get("Content-Type")), r.content, r.get("Location")
        )

    return send


@contextmanager
def django_sender(db: Path) -> Iterator[Send]:
    """Django reads its settings (and so the database path) once per process: this sets
    them up for `db`, and refuses to run if another database was configured before."""
    saved = {k: os.environ.get(k) for k in ("SAMPLE_APP_DB", "DJANGO_SETTINGS_MODULE")}
    os.environ["SAMPLE_APP_DB"] = str(db)
    os.environ["DJANGO_SETTINGS_MODULE"] = "django_app.settings"
    try:
        sample_module("django_app.wsgi")  # django.setup() + first-start database build
        configured = Path(sample_module("django.conf").settings.DATABASES["default"]["NAME"])
        if configured != db.resolve():
            raise RuntimeError(f"Django was already set up in this process for {configured}")
        yield django_client()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
