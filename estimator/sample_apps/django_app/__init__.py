"""The sample shop API on Django: ORM, templates, WSGI and ASGI entry points (contract:
sample_apps/README.md). `python -m django_app <command>` is its manage.py."""
