"""Django settings for the sample shop. Only what the app uses: no sessions, auth or admin
(a JSON API and one HTML report). The database path comes from $SAMPLE_APP_DB."""

import os
from pathlib import Path

from common.contract import MAX_BODY_BYTES
from common.dbfile import BUSY_TIMEOUT_MS, database_path

APP_DIR = Path(__file__).resolve().parent
DATABASE_PATH = database_path(APP_DIR)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "sample-app-has-no-sessions-or-signed-data")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get(
    "DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver"
).split(",")

INSTALLED_APPS = ["django_app.shop"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "django_app.urls"
WSGI_APPLICATION = "django_app.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]

_SQLITE_OPTIONS = {"timeout": BUSY_TIMEOUT_MS / 1000}
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATABASE_PATH),
        "OPTIONS": _SQLITE_OPTIONS,
    },
    # The scratch file the first-start build migrates and seeds, then renames to "default"
    # (see django_app.bootstrap). Nothing else uses it.
    "build": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": f"{DATABASE_PATH}.building",
        "OPTIONS": _SQLITE_OPTIONS,
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # errors (500s) with their traceback; not a warning line per 404 under load
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
