"""Write and read runs. Each run (one configuration of a batch) is stored whole (its
`RunResult` JSON with every window, for `show --json` and for re-summarising) and flattened
into windows (table `phases`: one row per window, with its round and nanosecond CPU),
per-endpoint stats, time series and failure reasons for queries and charts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pydantic import Field, ValidationError

from estimator._model import Model
from estimator.errors import StoreError
from estimator.measure import RunResult, RunStatus
from estimator.measure.balance import busy_workers
from estimator.store.db import connect
from estimator.store.guard import transaction
from estimator.store.lock import keep_pending
from estimator.store.private import redacted


class RunRow(Model):
    """One line of `estimator runs`."""

    id: str
    scenario: str
    app: str
    variant: str
    server: str
    repetition: int
    status: RunStatus
    failure: str | None
    started_at: float
    ended_at: float | None
    capacity_rps: float | None
    capacity_lower_bound: bool | None
    cpu_s_per_request: float | None = Field(
        description="mean over its cost windows (closed loop, nanosecond CPU counters)"
    )
    batch_id: str | None = None
    rounds: int | None = None
    stop_reason: str | None = None
    effective_workers: float | None = Field(
        None, description="effective busy workers in the cost windows (None: not judged)"
    )
    workers_uneven: bool | None = Field(None, description="workers unevenly used")

    @property
    def config_key(self) -> str:
        return f"{self.app} | {self.variant} | {self.server}"


class Store:
    """The results store at `path` (created and migrated on first use)."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self.conn = connect(path, create=create)
        self.unreadable: list[str] = []
        """Runs `results()` left out because they don't parse (id: why)."""

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------
    def save(self, result: RunResult, *, keep: bool = True) -> None:
        """The run, whole or not at all. When the store can't take it (locked too long, disk
        full, damaged), the result is kept beside the store (`keep`, see store.lock) and the
        `StoreError` says where; the next `run` saves it."""
        result = redacted(result)
        try:
            with transaction(self.conn):
                self._insert(result)
        except StoreError as exc:
            if not keep:
                raise
            try:
                kept = keep_pending(self.path, result)
            except OSError as err:
                raise StoreError(
                    f"{exc.message}; the measured run {result.id} ({result.cell.label}) could "
                    f"not be kept aside either ({err.strerror})"
                ) from None
            raise StoreError(
                f"{exc.message}; the measured run {result.id} ({result.cell.label}) is kept in "
                f"{kept} and saved by the next `estimator run` on this store"
            ) from None

    def has_run(self, run_id: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is not None
        )

    def _insert(self, result: RunResult) -> None:
        cost = [w.cpu_s_per_request for w in result.cost if w.cpu_s_per_request is not None]
        cap = result.capacity
        use = result.worker_use
        c = self.conn
        c.execute(
            "INSERT INTO runs (id, cell_key, scenario, scenario_hash, app, variant, server,"
            " repetition, status, failure, started_at, ended_at, capacity_rps,"
            " capacity_lower_bound, cpu_s_per_request, result_json, batch_id, rounds,"
            " stop_reason, cost_half_width, warmed_up, effective_workers, workers_uneven,"
            " keep_alive)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                result.id,
                result.cell_key,
                result.cell.scenario,
                result.cell.scenario_hash,
                result.cell.app.name,
                result.cell.variant,
                result.cell.server.label,
                result.cell.repetition,
                result.status,
                result.failure,
                result.started_at,
                result.ended_at,
                cap.capacity_rps if cap else None,
                int(cap.lower_bound) if cap else None,
                sum(cost) / len(cost) if cost else None,
                result.model_dump_json(),
                result.batch_id,
                result.rounds,
                result.stop_reason,
                result.cost_half_width,
                int(result.warmed_up),
                use.effective_workers.mean if use else None,
                int(use.uneven) if use else None,
                int(result.cell.load.keep_alive),
            ),
        )
        self._save_phases(result)

    def _save_phases(self, result: RunResult) -> None:
        c = self.conn
        for idx, ph in enumerate(result.phases):
            load, win, lat = ph.load, ph.server, ph.load.latency
            c.execute(
                "INSERT INTO phases (run_id, idx, name, kind, target_rps, users, duration_s,"
                " requests, failures, throughput_rps, p50_ms, p90_ms, p95_ms, p99_ms, max_ms,"
                " mean_ms, server_cpu_s, cpu_s_per_request, worker_uss_mb, total_pss_mb,"
                " generator_cpu, generator_bound, round, cpu_ns, served_ok, drained_requests,"
                " arrivals, neighbours_cpu_s, effective_workers, busiest_worker_share,"
                " connections_open)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    result.id,
                    idx,
                    load.name,
                    load.kind,
                    load.target_rate,
                    load.users,
                    load.duration_s,
                    load.requests,
                    load.failures,
                    load.throughput_rps,
                    lat.p50_ms,
                    lat.p90_ms,
                    lat.p95_ms,
                    lat.p99_ms,
                    lat.max_ms,
                    lat.mean_ms,
                    ph.cpu.cpu_s if ph.cpu else (win.server_cpu_s if win else None),
                    ph.cpu_s_per_request,
                    win.worker_uss_mib if win else None,
                    win.total_pss_mib if win else None,
                    win.generator_cpu_busiest if win else None,
                    int(ph.generator_bound),
                    ph.round,
                    ph.cpu.cpu_ns if ph.cpu else None,
                    load.served_ok,
                    load.drained_requests,
                    load.arrivals,
                    ph.neighbours_cpu_s,
                    busy_workers(ph.balance, result.cell.server) if ph.balance else None,
                    ph.balance.busiest_share if ph.balance else None,
                    ph.balance.connections_open if ph.balance else None,
                ),
            )
            c.executemany(
                "INSERT INTO endpoint_stats VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        result.id,
                        idx,
                        f"{e.method} {e.name}",
                        e.requests,
                        e.failures,
                        e.latency.p50_ms,
                        e.latency.p95_ms,
                        e.latency.p99_ms,
                        e.latency.mean_ms,
                    )
                    for e in load.endpoints
                ],
            )
            c.executemany(
                "INSERT INTO failures VALUES (?,?,?,?)",
                [
                    (result.id, idx, f"{f.method} {f.name}: {f.reason}", f.count)
                    for f in load.failure_reasons
                ],
            )
        self._save_series(result)

    def _save_series(self, result: RunResult) -> None:
        """One row per second: load (from the phases) joined with resources (sampler)."""
        if not result.phases:
            return
        t0 = result.phases[0].load.started_at
        resources = {round(p.t): p for p in result.resources}
        rows = []
        for ph in result.phases:
            offset = ph.load.started_at - t0
            for point in ph.load.series:
                t = round(offset + point.t)
                res = resources.get(t)
                rows.append(
                    (
                        result.id,
                        offset + point.t,
                        ph.load.name,
                        float(point.requests),
                        point.p95_ms,
                        point.failures,
                        res.server_cpu if res else None,
                        res.worker_uss_mib if res else None,
                        res.worker_pss_mib if res else None,
                        res.generator_cpu_busiest if res else None,
                    )
                )
        self.conn.executemany("INSERT INTO series VALUES (?,?,?,?,?,?,?,?,?,?)", rows)

    def forget_interrupted(self, cell_key: str) -> None:
        """Drop a cell's interrupted attempts before it runs again."""
        self.conn.execute(
            "DELETE FROM runs WHERE cell_key = ? AND status = 'interrupted'", (cell_key,)
        )

    # -- reading ---------------------------------------------------------------------------
    def completed_keys(self, *, include_failed: bool = True) -> set[str]:
        """Cells that finished (ok, and failed unless `include_failed` is off): a resumed sweep
        skips them."""
        statuses = "('ok', 'failed')" if include_failed else "('ok')"
        rows = self.conn.execute(f"SELECT cell_key FROM runs WHERE status IN {statuses}")
        return {r[0] for r in rows}

    def rows(self, *, status: str | None = None, app: str | None = None) -> list[RunRow]:
        sql = "SELECT * FROM runs"
        where, args = [], []
        if status:
            where.append("status = ?")
            args.append(status)
        if app:
            where.append("app = ?")
            args.append(app)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at"
        return [_row(r) for r in self.conn.execute(sql, args)]

    def get(self, run_id: str) -> RunResult:
        rows = self.conn.execute(
            "SELECT id, result_json FROM runs WHERE id LIKE ? ORDER BY started_at",
            (f"{run_id}%",),
        ).fetchall()
        if not rows:
            raise StoreError(
                f"no run '{run_id}' in {self.path}; `estimator runs` lists the run ids"
            )
        if len(rows) > 1:
            ids = ", ".join(r[0] for r in rows[:5])
            raise StoreError(f"run id '{run_id}' is ambiguous ({ids}...); give more characters")
        return _parse(rows[0][1], self.path)

    def results(self, *, status: str | None = "ok") -> list[RunResult]:
        sql = "SELECT id, result_json FROM runs"
        args: tuple[str, ...] = ()
        if status:
            sql += " WHERE status = ?"
            args = (status,)
        out = []
        for r in self.conn.execute(sql + " ORDER BY started_at", args):
            try:
                out.append(_parse(r[1], self.path))
            except StoreError as exc:
                self.unreadable.append(f"{r[0]}: {exc.message}")
        return out

    def series(self, run_id: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM series WHERE run_id = ? ORDER BY t", (run_id,)
        ).fetchall()


def _row(r: sqlite3.Row) -> RunRow:
    lb = r["capacity_lower_bound"]
    return RunRow(
        id=r["id"],
        scenario=r["scenario"],
        app=r["app"],
        variant=r["variant"],
        server=r["server"],
        repetition=r["repetition"],
        status=r["status"],
        failure=r["failure"],
        started_at=r["started_at"],
        ended_at=r["ended_at"],
        capacity_rps=r["capacity_rps"],
        capacity_lower_bound=None if lb is None else bool(lb),
        cpu_s_per_request=r["cpu_s_per_request"],
        batch_id=r["batch_id"],
        rounds=r["rounds"],
        stop_reason=r["stop_reason"],
        effective_workers=r["effective_workers"],
        workers_uneven=None if r["workers_uneven"] is None else bool(r["workers_uneven"]),
    )


def _parse(blob: str, path: Path) -> RunResult:
    try:
        return RunResult.model_validate_json(blob)
    except ValidationError as exc:
        raise StoreError(
            f"a run in {path} does not match this estimator's result format "
            f"({exc.error_count()} problems); it was written by another version"
        ) from None
