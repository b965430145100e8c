from __future__ import annotations

from pathlib import Path

import pytest

from estimator.measure import RunResult
from estimator.views.run_detail import (
    SERIES_COLUMNS,
    phase_frame,
    run_detail,
    run_label,
    run_series,
    series_long,
    worker_frame,
)
from estimator.views.snapshot import StoreSnapshot
from tests.fixtures.workers import workers_run


def test_phases_become_spans_in_order(runs: list[RunResult]) -> None:
    run = runs[0]
    detail = run_detail(run)
    assert detail.run_id == run.id
    assert [s.name for s in detail.phases] == [p.load.name for p in run.phases]
    assert detail.phases[0].start_s == 0
    assert [s.label for s in detail.phases][:1] == ["warm-up"]
    assert {s.label for s in detail.phases} == {
        "warm-up",
        "cost (closed loop)",
        "service time (1 user)",
        "steady load",
        "capacity search",
    }
    for a, b in zip(detail.phases, detail.phases[1:], strict=False):
        assert a.end_s <= b.start_s + 1e-6
    assert not detail.generator_bound
    assert run.capacity is not None
    assert detail.capacity_rps == run.capacity.capacity_rps
    assert "interpreter" in detail.facts
    assert detail.facts["server CPUs"] == "1"


def test_a_generator_bound_phase_is_flagged(runs: list[RunResult]) -> None:
    run = runs[0]
    phases = list(run.phases)
    phases[-1] = phases[-1].model_copy(update={"generator_bound": True})
    detail = run_detail(run.model_copy(update={"phases": phases}))
    assert detail.generator_bound
    assert [s.name for s in detail.phases if s.generator_bound] == [phases[-1].load.name]
    assert phase_frame(detail)["generator-bound"].tolist()[-1]


def test_series_from_the_store(snap: StoreSnapshot, store_path: Path) -> None:
    row = snap.rows[0]
    frame = run_series(store_path, row.id)
    assert list(frame.columns) == ["t (s)", "phase", *SERIES_COLUMNS.values()]
    assert len(frame) > 5
    assert frame["t (s)"].is_monotonic_increasing
    detail = run_detail(snap.run(row.id))
    long = series_long(frame, detail)
    assert set(long["metric"]) == set(SERIES_COLUMNS.values())
    assert set(long["phase kind"]) == {
        "warm-up",
        "cost (closed loop)",
        "service time (1 user)",
        "steady load",
        "capacity search",
    }
    assert run_label(row).startswith(f"{row.config_key} · rep 1 · {row.id[:8]}")


def test_the_workers_share_of_the_work_is_shown() -> None:
    detail = run_detail(workers_run())
    assert detail.workers_uneven
    assert detail.workers is not None
    assert detail.workers.startswith("workers: 3.0")
    assert "unevenly used" in detail.workers
    assert detail.connections is not None
    assert detail.connections.startswith("load connections: one per simulated user, kept alive")
    assert [w.connections for w in detail.worker_rows][:3] == [14, 12, 10]
    assert sum(w.share for w in detail.worker_rows) == pytest.approx(1.0)
    assert detail.worker_rows[0].share == pytest.approx(120 / 345.9, rel=0.01)
    frame = worker_frame(detail)
    assert len(frame) == 9
    assert frame["share of the work"].iloc[-1] < 0.01
    assert frame["busy slots (mean)"].tolist()[:4] == pytest.approx([1.0, 1.0, 0.99, 0.0])
    cost = [s for s in detail.phases if s.kind == "cost"]
    assert cost
    assert all(s.busy_workers == pytest.approx(3.0, abs=0.1) for s in cost)
    assert phase_frame(detail)["busy workers"].notna().sum() == len(cost)
    even = run_detail(workers_run(uneven=False, reuse_port=True))
    assert not even.workers_uneven
    assert even.workers is not None
    assert "evenly used" in even.workers


def test_a_run_recorded_before_the_balance_has_no_worker_rows(runs: list[RunResult]) -> None:
    detail = run_detail(runs[1])
    assert (detail.workers, detail.connections, detail.worker_rows) == (None, None, [])
    assert worker_frame(detail).empty
