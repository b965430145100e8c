"""ASGI entry point: `uvicorn django_app.asgi:application` (or gunicorn with uvicorn
workers), run from sample_apps/."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
application = get_asgi_application()

from django_app.bootstrap import ensure_database_ready  # noqa: E402 - needs django.setup()

ensure_database_ready()
