# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalogsite.settings")

application = get_wsgi_application()
