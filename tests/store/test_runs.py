from __future__ import annotations

from pathlib import Path

import pytest

from estimator.errors import StoreError
from estimator.store.private import redacted
from estimator.store.runs import Store
from tests.fixtures import fixture_runs, fixture_store
from tests.fixtures.workers import UNEVEN_CONNS, workers_run


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(fixture_store(tmp_path / "r.sqlite"))


def test_round_trip_keeps_every_field(store: Store) -> None:
    runs = fixture_runs()
    for run in runs:
        assert store.get(run.id) == redacted(run)
    assert store.results() == [redacted(r) for r in runs]


def test_rows_and_filters(store: Store) -> None:
    rows = store.rows()
    assert len(rows) == 16
    assert {r.app for r in store.rows(app="flask")} == {"flask"}
    assert all(r.status == "ok" for r in rows)
    first = fixture_runs()[0]
    row = next(r for r in rows if r.id == first.id)
    assert first.capacity is not None
    assert row.capacity_rps == first.capacity.capacity_rps
    cost = [w.cpu_s_per_request or 0.0 for w in first.cost]
    assert row.cpu_s_per_request == pytest.approx(sum(cost) / len(cost))
    assert row.config_key == first.config_key
    assert (row.batch_id, row.rounds, row.stop_reason) == (
        first.batch_id,
        first.rounds,
        first.stop_reason,
    )


def test_get_by_prefix_and_errors(store: Store) -> None:
    run = fixture_runs()[3]
    assert store.get(run.id[:8]).id == run.id
    with pytest.raises(StoreError, match="no run 'zzz'"):
        store.get("zzz")
    with pytest.raises(StoreError, match="is ambiguous"):
        store.get("")


def test_phases_endpoints_and_series_are_flattened(store: Store) -> None:
    run = fixture_runs()[0]
    phases = store.conn.execute(
        "SELECT name, requests, throughput_rps FROM phases WHERE run_id = ? ORDER BY idx",
        (run.id,),
    ).fetchall()
    assert [p["name"] for p in phases] == [p.load.name for p in run.phases]
    assert [p["requests"] for p in phases] == [p.load.requests for p in run.phases]
    windows = store.conn.execute(
        "SELECT round, cpu_ns, served_ok, arrivals FROM phases WHERE run_id = ? ORDER BY idx",
        (run.id,),
    ).fetchall()
    assert [w["round"] for w in windows] == [p.round for p in run.phases]
    assert [w["cpu_ns"] for w in windows] == [p.cpu.cpu_ns if p.cpu else None for p in run.phases]
    assert [w["served_ok"] for w in windows] == [p.load.served_ok for p in run.phases]
    assert [w["arrivals"] for w in windows] == [p.load.arrivals for p in run.phases]
    endpoints = store.conn.execute(
        "SELECT COUNT(*) FROM endpoint_stats WHERE run_id = ?", (run.id,)
    ).fetchone()[0]
    assert endpoints == sum(len(p.load.endpoints) for p in run.phases)
    series = store.series(run.id)
    assert len(series) == sum(len(p.load.series) for p in run.phases)
    assert sum(s["rps"] for s in series) == sum(
        pt.requests for p in run.phases for pt in p.load.series
    )


def test_completed_keys_and_interrupted(store: Store) -> None:
    runs = fixture_runs()
    assert store.completed_keys() == {r.cell_key for r in runs}
    interrupted = runs[0].model_copy(update={"id": "int0", "status": "interrupted"})
    store.save(interrupted)
    assert store.completed_keys() == {r.cell_key for r in runs}
    assert len(store.rows(status="interrupted")) == 1
    store.forget_interrupted(runs[0].cell_key)
    assert store.rows(status="interrupted") == []
    assert len(store.rows()) == 16


def test_failed_run_is_kept_with_reason(tmp_path: Path) -> None:
    run = fixture_runs()[0]
    failed = run.model_copy(
        update={
            "id": "f1",
            "status": "failed",
            "failure": "boom",
            "failure_stage": "server",
            "phases": [],
            "capacity": None,
        }
    )
    with Store(tmp_path / "r.sqlite") as store:
        store.save(failed)
        (row,) = store.rows(status="failed")
        assert (row.failure, row.capacity_rps, row.cpu_s_per_request) == ("boom", None, None)
        assert store.completed_keys() == {run.cell_key}


def test_worker_balance_and_connections_are_stored(tmp_path: Path) -> None:
    uneven, even = workers_run(), workers_run(uneven=False, reuse_port=True)
    even = even.model_copy(update={"id": "even0000000"})
    with Store(tmp_path / "w.sqlite") as store:
        store.save(uneven)
        store.save(even)
        assert store.get(uneven.id) == redacted(uneven)  # per-window and per-run figures
        rows = {r.id: r for r in store.rows()}
        windows = store.conn.execute(
            "SELECT effective_workers, busiest_worker_share, connections_open FROM phases"
            " WHERE run_id = ? AND kind = 'cost'",
            (uneven.id,),
        ).fetchall()
        keep_alive = store.conn.execute("SELECT DISTINCT keep_alive FROM runs").fetchall()
    assert rows[uneven.id].effective_workers == pytest.approx(3.0, abs=0.1)
    assert rows[uneven.id].workers_uneven is True
    assert rows[even.id].workers_uneven is False
    assert len(windows) == len(uneven.cost)
    for w in windows:
        assert w["effective_workers"] == pytest.approx(3.0, abs=0.1)
        assert w["busiest_worker_share"] == pytest.approx(120 / 345.9, rel=0.01)
        assert w["connections_open"] == sum(UNEVEN_CONNS)
    assert [k[0] for k in keep_alive] == [1]


def test_runs_stored_before_the_balance_was_kept_have_none(store: Store) -> None:
    for row in store.rows():
        assert (row.effective_workers, row.workers_uneven) == (None, None)
    assert all(r.worker_use is None and r.connections is None for r in store.results())
