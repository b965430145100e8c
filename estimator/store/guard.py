"""The one layer every SQLite call of the results store goes through.

- `open_connection(path, write=…)`: a write connection (WAL, busy timeout) for `run`, a
  read-only one for everything else (a shared or read-only store can still be read, and
  reading never writes: an empty file is refused, not given a schema).
- Every `sqlite3.Error` raised by the connection or its cursors becomes a `StoreError`: one
  line naming the file, what went wrong and what to do (`describe`).
- `transaction(conn)`: BEGIN IMMEDIATE … COMMIT; on any failure the transaction is rolled
  back if SQLite has not already done it (disk full, I/O error), so the store is left exactly
  as it was and the original error is the one reported.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from estimator.errors import StoreError

BUSY_TIMEOUT_S = 30.0
"""How long a statement waits for another process's write lock before giving up."""


def describe(exc: sqlite3.Error, path: Path) -> str:
    """One line for a SQLite error on the store at `path`: what happened and what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    where = f"results store '{path}'"
    if name.startswith("SQLITE_BUSY") or "locked" in text:
        return (
            f"{where} stayed locked by another process for more than {BUSY_TIMEOUT_S:g} s "
            f"({text}); wait for it to finish (an `sqlite3` shell, a copy tool, another "
            "estimator) and run the command again"
        )
    if name.startswith("SQLITE_FULL") or "disk is full" in text or "disk or" in text:
        return (
            f"the disk holding {where} is full ({text}); nothing was half-written: free some "
            "space and run the command again"
        )
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return f"{where} is not a readable SQLite database ({text}); pass another --results PATH"
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return (
            f"{where} is damaged ({text}); restore it from a copy, or recover what is left "
            f"with `sqlite3 {path} .recover | sqlite3 recovered.sqlite`, or pass another "
            "--results PATH"
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return (
            f"{where} is read-only for this user ({text}); measure into a store you can "
            "write (--results PATH) or ask its owner for write access"
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return (
            f"cannot open {where} ({text}); check that its folder exists and is readable "
            "(and writable, to measure into it), or pass another --results PATH"
        )
    if name.startswith("SQLITE_IOERR") or "disk I/O" in text:
        return f"{where}: I/O error ({text}); check the disk or network share it is on"
    return f"{where}: {text}; check the file or pass another --results PATH"


class GuardedCursor(sqlite3.Cursor):
    """A cursor whose errors (also those found while stepping through rows) are
    `StoreError`s naming the store."""

    store_path: Path = Path("?")

    def execute(self, sql: str, parameters: Any = (), /) -> GuardedCursor:
        with guarded(self.store_path):
            super().execute(sql, parameters)
        return self

    def executemany(self, sql: str, seq: Iterable[Any], /) -> GuardedCursor:
        with guarded(self.store_path):
            super().executemany(sql, seq)
        return self

    def fetchone(self) -> Any:
        with guarded(self.store_path):
            return super().fetchone()

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        with guarded(self.store_path):
            return super().fetchmany(size)

    def fetchall(self) -> list[Any]:
        with guarded(self.store_path):
            return super().fetchall()

    def __next__(self) -> Any:
        with guarded(self.store_path):
            return super().__next__()


class GuardedConnection(sqlite3.Connection):
    """`sqlite3.Connection` whose `execute`/`executemany` use `GuardedCursor`."""

    store_path: Path = Path("?")

    def cursor(self, factory: Any = None) -> GuardedCursor:  # type: ignore[override]
        cur = super().cursor(GuardedCursor)
        cur.store_path = self.store_path
        return cur

    def execute(self, sql: str, parameters: Any = (), /) -> GuardedCursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq: Iterable[Any], /) -> GuardedCursor:
        return self.cursor().executemany(sql, seq)


@contextlib.contextmanager
def guarded(path: Path) -> Iterator[None]:
    """Turn a `sqlite3.Error` inside the block into a `StoreError` about `path`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(describe(exc, path)) from exc


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """All or nothing: BEGIN IMMEDIATE (waits up to the busy timeout for other writers),
    COMMIT at the end; any exception (Ctrl-C included) rolls back what SQLite has not already
    rolled back, and is re-raised as it was."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error, StoreError):
                conn.execute("ROLLBACK")
        raise


def _raw_connect(target: str, path: Path, *, uri: bool) -> GuardedConnection:
    with guarded(path):
        conn = sqlite3.connect(
            target,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,
            uri=uri,
            factory=GuardedConnection,
        )
    conn.store_path = path
    conn.row_factory = sqlite3.Row
    return conn


def _quoted(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()), safe="/")


def open_connection(path: Path, *, write: bool) -> GuardedConnection:
    """A connection to the store. `write`: creates the file (and folders), busy timeout
    (the caller switches to WAL once it knows the file is a store). Otherwise read-only
    (`mode=ro`; `immutable=1` when the file's folder can't be written, e.g. a shared
    read-only copy), and an empty file is refused."""
    if path.is_dir():
        raise StoreError(
            f"results store '{path}' is a folder; give a file, e.g. --results {path}/results.sqlite"
        )
    if write:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder of results store '{path}' ({exc.strerror}); "
                "pass another --results PATH"
            ) from None
        conn = _raw_connect(str(path), path, uri=False)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        except BaseException:
            conn.close()
            raise
        return conn
    if path.is_file() and path.stat().st_size == 0:
        raise StoreError(
            f"results store '{path}' is an empty file, not a results store; measure into it "
            "with `estimator run SCENARIO --results PATH`, or pass another --results PATH"
        )
    immutable = not os.access(path.parent, os.W_OK)
    target = f"file:{_quoted(path)}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = _raw_connect(target, path, uri=True)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA schema_version").fetchone()  # reads the header: not a DB fails here
    except BaseException:
        conn.close()
        raise
    return conn
