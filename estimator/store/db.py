"""The SQLite file: connection settings and versioned schema migrations.

The schema version lives in `PRAGMA user_version`; `MIGRATIONS[i]` upgrades version i to i+1.
Opening a store written by a newer estimator is refused with a message, never "fixed".
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from estimator.errors import StoreError
from estimator.store.guard import open_connection, transaction

MIGRATIONS: list[str] = [
    # 0 -> 1: runs, phases, per-endpoint stats, time series, failure reasons
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        cell_key TEXT NOT NULL,
        scenario TEXT NOT NULL,
        scenario_hash TEXT NOT NULL,
        app TEXT NOT NULL,
        variant TEXT NOT NULL,
        server TEXT NOT NULL,
        repetition INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'interrupted')),
        failure TEXT,
        started_at REAL NOT NULL,
        ended_at REAL,
        capacity_rps REAL,
        capacity_lower_bound INTEGER,
        cpu_s_per_request REAL,
        result_json TEXT NOT NULL
    );
    CREATE INDEX runs_cell ON runs (cell_key, status);
    CREATE INDEX runs_config ON runs (app, variant, server);
    CREATE TABLE phases (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        target_rps REAL,
        users INTEGER NOT NULL,
        duration_s REAL NOT NULL,
        requests INTEGER NOT NULL,
        failures INTEGER NOT NULL,
        throughput_rps REAL NOT NULL,
        p50_ms REAL, p90_ms REAL, p95_ms REAL, p99_ms REAL, max_ms REAL, mean_ms REAL,
        server_cpu_s REAL,
        cpu_s_per_request REAL,
        worker_uss_mb REAL,
        total_pss_mb REAL,
        generator_cpu REAL,
        generator_bound INTEGER NOT NULL,
        PRIMARY KEY (run_id, idx)
    );
    CREATE TABLE endpoint_stats (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        phase_idx INTEGER NOT NULL,
        endpoint TEXT NOT NULL,
        requests INTEGER NOT NULL,
        failures INTEGER NOT NULL,
        p50_ms REAL, p95_ms REAL, p99_ms REAL, mean_ms REAL,
        PRIMARY KEY (run_id, phase_idx, endpoint)
    );
    CREATE TABLE series (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        t REAL NOT NULL,
        phase TEXT NOT NULL,
        rps REAL, p95_ms REAL, failures INTEGER,
        server_cpu REAL, worker_uss_mb REAL, worker_pss_mb REAL, generator_cpu REAL
    );
    CREATE INDEX series_run ON series (run_id, t);
    CREATE TABLE failures (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        phase_idx INTEGER NOT NULL,
        reason TEXT NOT NULL,
        count INTEGER NOT NULL
    );
    """,
    # 1 -> 2: configurations measured side by side in rounds; every window kept with its
    # nanosecond CPU reading (stores holding schema-1 runs are refused, see `migrate`)
    """
    ALTER TABLE runs ADD COLUMN batch_id TEXT;
    ALTER TABLE runs ADD COLUMN rounds INTEGER;
    ALTER TABLE runs ADD COLUMN stop_reason TEXT;
    ALTER TABLE runs ADD COLUMN cost_half_width REAL;
    ALTER TABLE runs ADD COLUMN warmed_up INTEGER;
    CREATE INDEX runs_batch ON runs (batch_id);
    ALTER TABLE phases ADD COLUMN round INTEGER;
    ALTER TABLE phases ADD COLUMN cpu_ns INTEGER;
    ALTER TABLE phases ADD COLUMN served_ok INTEGER;
    ALTER TABLE phases ADD COLUMN drained_requests INTEGER;
    ALTER TABLE phases ADD COLUMN arrivals TEXT;
    ALTER TABLE phases ADD COLUMN neighbours_cpu_s REAL
    """,
    # 2 -> 3: how evenly the workers shared the work (per window and per run) and the load
    # generator's connections; runs stored before have NULL there (not judged)
    """
    ALTER TABLE runs ADD COLUMN effective_workers REAL;
    ALTER TABLE runs ADD COLUMN workers_uneven INTEGER;
    ALTER TABLE runs ADD COLUMN keep_alive INTEGER;
    ALTER TABLE phases ADD COLUMN effective_workers REAL;
    ALTER TABLE phases ADD COLUMN busiest_worker_share REAL;
    ALTER TABLE phases ADD COLUMN connections_open INTEGER
    """,
]

SEQUENTIAL_PROTOCOL = 1
"""The last schema whose runs were measured one configuration after another."""

SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (and migrate) the store. `create=True`: for writing (`run`), created if missing.
    `create=False`: read-only, and a missing or empty file is refused with a message. Every
    SQLite error is a `StoreError` (estimator.store.guard)."""
    if not create and not path.exists():
        raise StoreError(
            f"results store '{path}' does not exist; run `estimator run quick` to measure, "
            "or pass --results PATH"
        )
    conn = open_connection(path, write=create)
    try:
        version = schema_version(conn)
        if version == 0:
            _check_blank(conn, path, create)
        if version < SCHEMA_VERSION and not create:  # upgrade once, through a writer
            with contextlib.closing(open_connection(path, write=True)) as writer:
                migrate(writer, path)
        elif version != SCHEMA_VERSION:
            migrate(conn, path)
        if create:
            conn.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
    except BaseException:
        conn.close()
        raise
    return conn


def _check_blank(conn: sqlite3.Connection, path: Path, create: bool) -> None:
    """Schema version 0: a new file is fine for writing; another program's database never."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    if tables:
        raise StoreError(
            f"'{path}' is an SQLite database of another program (tables: "
            f"{', '.join(tables[:5])}), not a results store; pass another --results PATH"
        )
    if not create:
        raise StoreError(
            f"results store '{path}' holds no results yet; measure into it with "
            "`estimator run SCENARIO --results PATH`"
        )


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"results store '{path}' has schema {version}, newer than this estimator's "
            f"{SCHEMA_VERSION}; upgrade estimator or use another --results file"
        )
    if 0 < version <= SEQUENTIAL_PROTOCOL and _has_runs(conn):
        raise StoreError(
            f"results store '{path}' holds runs measured with an earlier estimator, one "
            f"configuration after another (store schema {version}); this estimator measures "
            f"configurations side by side in rounds (schema {SCHEMA_VERSION}) and does not mix "
            "the two: pass another --results file (or move this one away) and measure again"
        )
    for target in range(version, SCHEMA_VERSION):
        with transaction(conn):
            if schema_version(conn) == target:  # another process may have migrated meanwhile
                for statement in _statements(MIGRATIONS[target]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target + 1}")


def _has_runs(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is not None


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
