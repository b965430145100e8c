"""WSGI entry point: `gunicorn django_app.wsgi:application`, run from sample_apps/."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
application = get_wsgi_application()

from django_app.bootstrap import ensure_database_ready  # noqa: E402 - needs django.setup()

ensure_database_ready()
