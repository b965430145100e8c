#!/usr/bin/env python
# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalogsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
