"""Create and seed the database: `python -m flask_app.seed [--db PATH] [--force]`, run from
sample_apps/. The app does the same at start when the file is missing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from common import seed_data
from common.dbfile import DatabaseError, database_path, ensure_database
from flask_app.db import make_engine
from flask_app.models import Base, Customer, Order, OrderItem, Product

APP = "flask_app"


def build(path: Path) -> None:
    """Schema and seed rows into the new file at `path`."""
    data = seed_data.generate()
    engine = make_engine(path)
    try:
        Base.metadata.create_all(engine)
        with Session(engine) as db, db.begin():
            db.execute(insert(Product), [row._asdict() for row in data.products])
            db.execute(insert(Customer), [row._asdict() for row in data.customers])
            db.execute(
                insert(Order),
                [
                    {**row._asdict(), "created_at": row.created_at.replace(tzinfo=None)}
                    for row in data.orders
                ],
            )
            db.execute(insert(OrderItem), [row._asdict() for row in data.order_items])
    finally:
        engine.dispose()


def ensure(path: Path, *, force: bool = False) -> bool:
    return ensure_database(path, build, app=APP, version=seed_data.SEED_VERSION, force=force)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {APP}.seed", description=__doc__)
    parser.add_argument("--db", type=Path, help="database file (default: $SAMPLE_APP_DB or "
                        "flask_app/instance/app.sqlite3)")  # fmt: skip
    parser.add_argument("--force", action="store_true", help="rebuild it if it exists")
    args = parser.parse_args(argv)
    path = args.db.resolve() if args.db else database_path(Path(__file__).resolve().parent)
    try:
        built = ensure(path, force=args.force)
    except DatabaseError as exc:
        print(f"{APP}.seed: error: {exc}", file=sys.stderr)
        return 1
    print(f"{path}: {'built and seeded' if built else 'already exists, left as is'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
