"""The apps under real servers on 127.0.0.1: every endpoint over HTTP, then every shipped
locustfile for a few seconds with zero failures, then nothing left running.

Each WSGI entry point runs under gunicorn with 2 workers (both build-or-wait for the
database at start); the ASGI entry points get the endpoint checks under uvicorn (Django with 2
worker processes, which import the app inside their event loop) and gunicorn's uvicorn
worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from estimator.scenario.builtin_apps import LOADTESTS
from tests.sample_apps.served import (
    Server,
    assert_group_gone,
    check_endpoints,
    free_port,
    gunicorn,
    run_locust,
    serve,
    uvicorn,
)

pytestmark = pytest.mark.integration

ServerArgs = Callable[[int], list[str]]

WSGI: dict[str, ServerArgs] = {
    "flask gunicorn sync": lambda port: gunicorn("flask_app.wsgi:app", port),
    "django gunicorn gthread": lambda port: gunicorn(
        "django_app.wsgi:application", port, worker="gthread"
    ),
    "fastapi gunicorn gthread (a2wsgi)": lambda port: gunicorn(
        "fastapi_app.wsgi:application", port, worker="gthread"
    ),
}
ASGI: dict[str, ServerArgs] = {
    "fastapi uvicorn": lambda port: uvicorn("fastapi_app.main:app", port),
    "django gunicorn uvicorn-worker": lambda port: gunicorn(
        "django_app.asgi:application", port, worker="uvicorn_worker.UvicornWorker"
    ),
    "django uvicorn": lambda port: uvicorn("django_app.asgi:application", port, workers=2),
}


def assert_gone(server: Server, tree: list[psutil.Process]) -> None:
    left = [p for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, f"left running: {left}"
    assert_group_gone(server.proc.pid)


@pytest.mark.parametrize("name", list(WSGI))
def test_wsgi_app_serves_and_takes_load(name: str, tmp_path: Path) -> None:
    port = free_port()
    with serve(WSGI[name](port), port, tmp_path / "app.sqlite3", tmp_path / "server.log") as srv:
        tree = srv.tree()
        assert len(tree) >= 3, f"expected a master and 2 workers: {tree}"
        check_endpoints(srv.url)
        results = run_locust(list(LOADTESTS.values()), srv.url)
        log = srv.log_tail()
    for result in results:
        label = f"{result.locustfile.name} on {name}"
        assert result.requests > 0, f"{label}: no requests\n{result.stderr}"
        assert result.failures == 0, f"{label}: {result.stats}\n{result.stderr}\n{log}"
        assert result.exit_code == 0, f"{label}: {result.stderr}"
    assert_gone(srv, tree)
    assert "Traceback" not in log, log


@pytest.mark.parametrize("name", list(ASGI))
def test_asgi_app_serves(name: str, tmp_path: Path) -> None:
    port = free_port()
    with serve(ASGI[name](port), port, tmp_path / "app.sqlite3", tmp_path / "server.log") as srv:
        tree = srv.tree()
        check_endpoints(srv.url)
        log = srv.log_tail()
    assert_gone(srv, tree)
    assert "Traceback" not in log, log
