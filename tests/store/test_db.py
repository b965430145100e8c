from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from estimator.errors import StoreError
from estimator.store.db import MIGRATIONS, SCHEMA_VERSION, connect, schema_version


def test_fresh_store_is_migrated_to_current(tmp_path: Path) -> None:
    conn = connect(tmp_path / "r.sqlite")
    assert schema_version(conn) == SCHEMA_VERSION == len(MIGRATIONS)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "phases", "endpoint_stats", "series", "failures"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopen_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    connect(path).close()
    conn = connect(path)
    assert schema_version(conn) == SCHEMA_VERSION


def test_migrates_an_older_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.sqlite"
    connect(path).close()
    extra = "ALTER TABLE runs ADD COLUMN note TEXT"
    monkeypatch.setattr("estimator.store.db.MIGRATIONS", [*MIGRATIONS, extra])
    monkeypatch.setattr("estimator.store.db.SCHEMA_VERSION", len(MIGRATIONS) + 1)
    conn = connect(path)
    assert schema_version(conn) == len(MIGRATIONS) + 1
    cols = [r[1] for r in conn.execute("PRAGMA table_info(runs)")]
    assert "note" in cols


def test_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(StoreError, match="newer than this estimator's"):
        connect(path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    path.write_text("hello, I am not SQLite" * 100)
    with pytest.raises(StoreError, match="is not a readable SQLite database"):
        connect(path)


def test_missing_store_without_create(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"does not exist; run `estimator run quick`"):
        connect(tmp_path / "nope.sqlite", create=False)


def _schema_1_store(path: Path, *, with_run: bool) -> None:
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    if with_run:
        raw.execute(
            "INSERT INTO runs (id, cell_key, scenario, scenario_hash, app, variant, server,"
            " repetition, status, started_at, result_json)"
            " VALUES ('r1', 'k', 'quick', 'h', 'flask', 'cpython-3.11', 'gunicorn-sync w1',"
            " 0, 'ok', 0, '{}')"
        )
    raw.commit()
    raw.close()


def test_a_store_of_sequentially_measured_runs_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _schema_1_store(path, with_run=True)
    with pytest.raises(StoreError, match=r"one configuration after another \(store schema 1\)"):
        connect(path)
    with pytest.raises(StoreError, match="pass another --results file"):
        connect(path)


def test_an_empty_schema_1_store_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _schema_1_store(path, with_run=False)
    conn = connect(path)
    assert schema_version(conn) == SCHEMA_VERSION
    cols = {r[1] for r in conn.execute("PRAGMA table_info(phases)")}
    assert {"round", "cpu_ns", "served_ok", "arrivals"} <= cols
