"""WSGI entry point: the same ASGI app wrapped by a2wsgi, so that it also runs under
gunicorn's sync and gthread workers: `gunicorn fastapi_app.wsgi:application`."""

from a2wsgi import ASGIMiddleware

from fastapi_app.main import app

application = ASGIMiddleware(app)  # type: ignore[arg-type]
