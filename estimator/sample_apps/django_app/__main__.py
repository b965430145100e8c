"""manage.py: `python -m django_app migrate|seed|check|runserver ...`, run from sample_apps/."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([f"{sys.executable} -m django_app", *sys.argv[1:]])


if __name__ == "__main__":
    main()
