"""The sample shop API on FastAPI + pydantic + SQLAlchemy 2 (contract: sample_apps/README.md).

`create_app()` is the application factory. ASGI entry point: `fastapi_app.main:app`; WSGI
(for gunicorn sync/gthread workers, through a2wsgi): `fastapi_app.wsgi:application`.
"""

from pathlib import Path
from typing import Optional, Union

from fastapi import FastAPI

from common.contract import REPORT_TITLE
from common.dbfile import database_path
from fastapi_app import errors, routes
from fastapi_app.db import make_sessionmaker
from fastapi_app.seed import ensure
from fastapi_app.settings import APP_DIR


def create_app(db_path: Optional[Union[str, Path]] = None) -> FastAPI:
    """Build the app; the database (`db_path`, else $SAMPLE_APP_DB, else
    instance/app.sqlite3) is created and seeded first if it does not exist yet."""
    path = Path(db_path).resolve() if db_path else database_path(APP_DIR)
    ensure(path)
    app = FastAPI(
        title="Sample shop (FastAPI)",
        description=f"Products, orders, '{REPORT_TITLE}', CPU and wait endpoints.",
        redirect_slashes=False,
    )
    app.state.sessionmaker = make_sessionmaker(path)
    app.state.database_path = path
    app.include_router(routes.router)
    errors.init_app(app)
    return app
