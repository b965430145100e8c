"""First-start database builds: one builder among concurrent starters, nothing half-built
left by a crash, foreign databases refused with a message that says what to do."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.sample_apps.apps import sample_module

dbfile = sample_module("common.dbfile")

APP, VERSION = "flask_app", 1
ROWS = 500


class Builder:
    """A stand-in for an app's build: a table of ROWS rows, slow enough that concurrent
    starters overlap."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.delay = delay
        self.fail = fail
        self._lock = threading.Lock()

    def __call__(self, path: Path) -> None:
        with self._lock:
            self.calls += 1
        conn = sqlite3.connect(path)
        try:
            dbfile.configure_connection(conn)
            conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(ROWS)])
            conn.commit()
            time.sleep(self.delay)
            if self.fail:
                raise RuntimeError("disk full (simulated)")
        finally:
            conn.close()


def ensure(path: Path, build: Builder, force: bool = False) -> bool:
    return bool(dbfile.ensure_database(path, build, app=APP, version=VERSION, force=force))


def count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM t").fetchone()[0])
    finally:
        conn.close()


def leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def test_concurrent_starters_build_once(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "app.sqlite3"
    build = Builder(delay=0.3)
    barrier = threading.Barrier(6)
    results: list[bool] = []
    errors: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            results.append(ensure(path, build))
            assert count(path) == ROWS  # whoever returns sees the finished database
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == [False] * 5 + [True]
    assert build.calls == 1
    assert leftovers(path) == ["app.sqlite3.lock"]


def test_finished_database_is_stamped_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    assert ensure(path, Builder())
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA user_version").fetchone() == (dbfile.marker(APP, VERSION),)
    finally:
        conn.close()
    assert not ensure(path, Builder())  # second start: found, not rebuilt


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    with pytest.raises(RuntimeError, match="disk full"):
        ensure(path, Builder(fail=True))
    assert not path.exists()
    assert leftovers(path) == ["app.sqlite3.lock"]
    assert ensure(path, Builder())  # the next start builds it
    assert count(path) == ROWS


def test_a_stale_temporary_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    (tmp_path / "app.sqlite3.building").write_bytes(b"garbage from a killed build")
    assert ensure(path, Builder())
    assert count(path) == ROWS
    assert leftovers(path) == ["app.sqlite3.lock"]


@pytest.mark.parametrize("app", ["django_app", "fastapi_app"])
def test_another_apps_database_is_refused(tmp_path: Path, app: str) -> None:
    path = tmp_path / "app.sqlite3"
    dbfile.ensure_database(path, Builder(), app=app, version=VERSION)
    with pytest.raises(dbfile.DatabaseError) as info:
        ensure(path, Builder())
    message = str(info.value)
    assert str(path) in message
    assert "--force" in message
    assert "\n" not in message


def test_a_newer_seed_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    ensure(path, Builder())
    with pytest.raises(dbfile.DatabaseError, match="user_version 1001, expected 1002"):
        dbfile.ensure_database(path, Builder(), app=APP, version=2)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(dbfile.DatabaseError, match="unreadable"):
        ensure(path, Builder())


def test_force_rebuilds(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    ensure(path, Builder())
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM t")
    conn.commit()
    conn.close()
    assert ensure(path, Builder(), force=True)
    assert count(path) == ROWS


def test_database_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(dbfile.ENV_VAR, raising=False)
    assert dbfile.database_path(tmp_path) == tmp_path.resolve() / "instance" / "app.sqlite3"
    monkeypatch.setenv(dbfile.ENV_VAR, str(tmp_path / "x.db"))
    assert dbfile.database_path("/elsewhere") == (tmp_path / "x.db").resolve()


def test_connections_wait_for_locks(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "a.db")
    try:
        dbfile.configure_connection(conn)
        assert conn.execute("PRAGMA busy_timeout").fetchone() == (dbfile.BUSY_TIMEOUT_MS,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    finally:
        conn.close()
