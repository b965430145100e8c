"""First start: migrate and seed the database if its file does not exist yet.

Called by the WSGI/ASGI entry points (each worker process; they queue on a file lock and
only the first builds) and by `python -m django_app.seed`. The build runs the migrations
on the "build" database (a scratch file), seeds it, and renames it into place."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from common import seed_data
from common.dbfile import ensure_database

APP = "django_app"
BUILD_ALIAS = "build"


def build(path: Path) -> None:
    from django_app.shop import seed

    if Path(settings.DATABASES[BUILD_ALIAS]["NAME"]) != path:
        raise RuntimeError(f"the 'build' database is not {path}; check django_app.settings")
    try:
        call_command("migrate", database=BUILD_ALIAS, verbosity=0, interactive=False)
        seed.insert_rows(BUILD_ALIAS, seed_data.generate())
    finally:
        connections[BUILD_ALIAS].close()


def ensure_database_ready(*, force: bool = False) -> bool:
    """Build the database unless it exists; True if this call built it.

    Some ASGI servers import the app inside their running event loop (uvicorn with
    --workers), where Django refuses database work: then the build runs in a thread, and
    the loop waits for it (nothing is served before the app is imported anyway)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _ensure(force)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="shop-db-build") as pool:
        return pool.submit(_ensure, force).result()


def _ensure(force: bool) -> bool:
    path = Path(settings.DATABASES["default"]["NAME"])
    if force:
        connections["default"].close()
    return ensure_database(path, build, app=APP, version=seed_data.SEED_VERSION, force=force)
