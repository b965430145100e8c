"""The sample shop API on Flask + SQLAlchemy 2 + Jinja2 (contract: sample_apps/README.md).

`create_app()` is the application factory; `flask_app.wsgi:app` is the WSGI entry point."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from common.contract import MAX_BODY_BYTES
from common.dbfile import database_path
from flask_app import db, errors, views
from flask_app.seed import ensure

APP_DIR = Path(__file__).resolve().parent


def create_app(db_path: str | Path | None = None) -> Flask:
    """Build the app; the database (`db_path`, else $SAMPLE_APP_DB, else
    instance/app.sqlite3) is created and seeded first if it does not exist yet."""
    app = Flask(
        __name__,
        instance_path=str(APP_DIR / "instance"),
        template_folder=str(APP_DIR.parent / "common" / "templates"),  # shared with FastAPI
    )
    path = Path(db_path).resolve() if db_path else database_path(APP_DIR)
    ensure(path)
    app.config.update(DATABASE=str(path), MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    db.init_app(app, path)
    app.register_blueprint(views.bp)
    errors.init_app(app)
    return app
