"""Schema and seed rows for the two SQLAlchemy apps (Flask, FastAPI), which share their
models (`common.sqla_models`): one implementation of `python -m <app>.seed`. Unlike the rest
of `common`, this imports SQLAlchemy; only those two apps import it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from common import seed_data
from common import sqla_models as m
from common.dbfile import DatabaseError, database_path, ensure_database


class SqlaSeed:
    """`app`: the package name; `make_engine(path)`: its engine factory."""

    def __init__(self, app: str, package_dir: Path, make_engine: Callable[[Path], Any]) -> None:
        self.app = app
        self.package_dir = package_dir
        self.make_engine = make_engine

    def build(self, path: Path) -> None:
        """Schema and seed rows into the new file at `path`."""
        data = seed_data.generate()
        engine = self.make_engine(path)
        try:
            m.Base.metadata.create_all(engine)
            with Session(engine) as db, db.begin():
                db.execute(insert(m.Product), [row._asdict() for row in data.products])
                db.execute(insert(m.Customer), [row._asdict() for row in data.customers])
                db.execute(
                    insert(m.Order),
                    [
                        {**row._asdict(), "created_at": row.created_at.replace(tzinfo=None)}
                        for row in data.orders
                    ],
                )
                db.execute(insert(m.OrderItem), [row._asdict() for row in data.order_items])
        finally:
            engine.dispose()

    def ensure(self, path: Path, *, force: bool = False) -> bool:
        return ensure_database(
            path, self.build, app=self.app, version=seed_data.SEED_VERSION, force=force
        )

    def main(self, argv: Sequence[str] | None = None) -> int:
        parser = argparse.ArgumentParser(
            prog=f"python -m {self.app}.seed",
            description=f"Create and seed {self.app}'s database (the app does the same at "
            "start when the file is missing). Run from sample_apps/.",
        )
        parser.add_argument(
            "--db",
            type=Path,
            help=f"database file (default: $SAMPLE_APP_DB or {self.app}/instance/app.sqlite3)",
        )
        parser.add_argument("--force", action="store_true", help="rebuild it if it exists")
        args = parser.parse_args(argv)
        path = args.db.resolve() if args.db else database_path(self.package_dir)
        try:
            built = self.ensure(path, force=args.force)
        except DatabaseError as exc:
            print(f"{self.app}.seed: error: {exc}", file=sys.stderr)
            return 1
        print(f"{path}: {'built and seeded' if built else 'already exists, left as is'}")
        return 0
