"""Create and seed the database: `python -m fastapi_app.seed [--db PATH] [--force]`, run from
sample_apps/. The app does the same at start when the file is missing."""

from __future__ import annotations

import sys
from pathlib import Path

from common.sqla_seed import SqlaSeed
from fastapi_app.db import make_engine

SEED = SqlaSeed("fastapi_app", Path(__file__).resolve().parent, make_engine)
build = SEED.build
ensure = SEED.ensure
main = SEED.main

if __name__ == "__main__":
    sys.exit(main())
