"""`python -m django_app seed [--db PATH] [--force]`: migrate and seed the database."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.dbfile import DatabaseError


class Command(BaseCommand):
    help = "Create, migrate and seed the shop database unless it exists (--force: rebuild)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--db",
            help="database file; must match $SAMPLE_APP_DB, which the settings read "
            "(python -m django_app.seed --db PATH sets it for you)",
        )
        parser.add_argument("--force", action="store_true", help="rebuild it if it exists")

    def handle(self, *args: Any, **options: Any) -> None:
        from pathlib import Path

        from django_app.bootstrap import ensure_database_ready

        path = Path(settings.DATABASES["default"]["NAME"])
        if options["db"] and Path(options["db"]).resolve() != path:
            raise CommandError(
                f"--db {options['db']} differs from the settings' database {path}; "
                "use python -m django_app.seed --db PATH, or set SAMPLE_APP_DB"
            )
        try:
            built = ensure_database_ready(force=options["force"])
        except DatabaseError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{path}: {'built and seeded' if built else 'already exists, left as is'}"
        )
