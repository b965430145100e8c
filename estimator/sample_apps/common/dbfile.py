"""The app's SQLite file: where it is, how every connection is set up, and building it once.

`ensure_database` is safe when several worker processes start at the same time: they queue
on an exclusive `flock` on `<db>.lock`; the first builds the database under a temporary
name and renames it into place (atomic), the others then find it. A crash mid-build leaves
no half-seeded file behind, only a temporary one that the next build removes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

ENV_VAR = "SAMPLE_APP_DB"
BUSY_TIMEOUT_MS = 10_000
APP_IDS = {"flask_app": 1, "django_app": 2, "fastapi_app": 3}


class DatabaseError(RuntimeError):
    """The database file is unusable as is; the message says what to do."""


def database_path(app_dir: Path | str) -> Path:
    """`$SAMPLE_APP_DB` if set, else `<app dir>/instance/app.sqlite3`."""
    value = os.environ.get(ENV_VAR)
    path = Path(value) if value else Path(app_dir) / "instance" / "app.sqlite3"
    return path.resolve()


def pragma(conn: sqlite3.Connection, statement: str) -> list[tuple[object, ...]]:
    """Run a PRAGMA and finish its statement at once: on PyPy an unread cursor stays
    active until garbage collection, and a later COMMIT fails with "cannot commit
    transaction - SQL statements in progress"."""
    cursor = conn.execute(statement)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def configure_connection(conn: sqlite3.Connection) -> None:
    """Run on every new connection: wait for locks instead of failing at once, WAL (also
    stored in the file), relaxed fsync that WAL makes safe, foreign keys enforced."""
    pragma(conn, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    pragma(conn, "PRAGMA journal_mode = WAL")
    pragma(conn, "PRAGMA synchronous = NORMAL")
    pragma(conn, "PRAGMA foreign_keys = ON")


def marker(app: str, version: int) -> int:
    """The `PRAGMA user_version` a finished build stamps: which app, which seed version."""
    return APP_IDS[app] * 1_000 + version


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path.with_name(path.name + ".lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _finish(tmp: Path, stamp: int) -> None:
    conn = sqlite3.connect(tmp)
    try:
        pragma(conn, f"PRAGMA user_version = {stamp}")
        pragma(conn, "PRAGMA journal_mode = WAL")
        conn.commit()
        pragma(conn, "PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()  # the last connection: SQLite folds and deletes the -wal file
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())


def _check(path: Path, app: str, stamp: int, seed_command: str) -> None:
    conn = sqlite3.connect(path)
    try:
        ((found,),) = pragma(conn, "PRAGMA user_version")
    except sqlite3.DatabaseError as exc:
        found = f"unreadable: {exc}"
    finally:
        conn.close()
    if found != stamp:
        raise DatabaseError(
            f"{path} was not built by this version of {app} (user_version {found}, "
            f"expected {stamp}); delete it or rebuild it with `{seed_command} --force`"
        )


def ensure_database(
    path: Path,
    build: Callable[[Path], None],
    *,
    app: str,
    version: int,
    force: bool = False,
) -> bool:
    """Build the database at `path` with `build(tmp_path)` unless a finished one is there.

    `build` creates the schema and inserts the seed rows into the (new, empty) file it is
    given and closes every connection to it. Returns True if this call built it."""
    stamp = marker(app, version)
    seed_command = f"python -m {app}.seed --db {path}"
    if path.exists() and not force:
        _check(path, app, stamp, seed_command)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        if path.exists() and not force:  # another process built it while we waited
            _check(path, app, stamp, seed_command)
            return False
        tmp = path.with_name(path.name + ".building")
        _remove(tmp)
        try:
            build(tmp)
            _finish(tmp, stamp)
            if force:
                _remove(path)
            os.replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return True
