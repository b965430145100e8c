"""Create and seed the database: `python -m django_app.seed [--db PATH] [--force]`, run from
sample_apps/ (the same as `python -m django_app seed`). The app does it at start when the
file is missing."""

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Optional


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args):  # --db must be known before the settings are imported
        if arg == "--db" and i + 1 < len(args):
            os.environ["SAMPLE_APP_DB"] = str(Path(args[i + 1]).resolve())
        elif arg.startswith("--db="):
            os.environ["SAMPLE_APP_DB"] = str(Path(arg[len("--db=") :]).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    try:
        call_command("seed", *args)
    except CommandError as exc:
        print(f"django_app.seed: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
