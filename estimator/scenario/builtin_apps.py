"""The three sample apps shipped in `sample_apps/` and the locustfiles in `loadtests/`, as
ready-made `AppSpec`s: the same shop API on Flask, Django and FastAPI.

Each run gets a fresh database: `SAMPLE_APP_DB` points into the run's directory (the serve
stage expands `{run_dir}`), and the app creates and seeds it at start (several workers
starting at once queue on a file lock; one builds)."""

from __future__ import annotations

from pathlib import Path

from estimator.paths import LOADTESTS_DIR, SAMPLE_APPS_DIR
from estimator.scenario.models import AppSpec

DB_ENV = {"SAMPLE_APP_DB": "{run_dir}/app.sqlite3"}
HEALTH_PATH = "/healthz"

LOADTESTS: dict[str, Path] = {
    "mix": LOADTESTS_DIR / "mix.py",
    "compute": LOADTESTS_DIR / "compute.py",
    "upstream": LOADTESTS_DIR / "upstream.py",
    "products": LOADTESTS_DIR / "products.py",
    "report": LOADTESTS_DIR / "report.py",
}
"""The shipped locustfiles: a realistic mix of every endpoint, and single-endpoint ones."""


def _app(name: str, package: str, *, wsgi: str, asgi: str | None = None) -> AppSpec:
    return AppSpec(
        name=name,
        directory=SAMPLE_APPS_DIR,
        wsgi=wsgi,
        asgi=asgi,
        requirements=[Path(package) / "requirements.txt"],
        env=dict(DB_ENV),
        public_env=sorted(DB_ENV),  # a path in the run directory, no secret
        health_path=HEALTH_PATH,
        locustfile=LOADTESTS["mix"],
    )


SAMPLE_APPS: dict[str, AppSpec] = {
    "flask": _app("flask", "flask_app", wsgi="flask_app.wsgi:app"),
    "django": _app(
        "django",
        "django_app",
        wsgi="django_app.wsgi:application",
        asgi="django_app.asgi:application",
    ),
    "fastapi": _app(
        "fastapi",
        "fastapi_app",
        wsgi="fastapi_app.wsgi:application",
        asgi="fastapi_app.main:app",
    ),
}
"""Keyed by app name. FastAPI's WSGI entry is the ASGI app wrapped by a2wsgi, so that it
runs under gunicorn's sync and gthread workers too."""
