"""WSGI entry point: `gunicorn flask_app.wsgi:app`, run from sample_apps/."""

from flask_app import create_app

app = create_app()
