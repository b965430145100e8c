from __future__ import annotations

from pathlib import Path

from estimator.measure import RunResult
from estimator.views.run_detail import (
    SERIES_COLUMNS,
    phase_frame,
    run_detail,
    run_label,
    run_series,
    series_long,
)
from estimator.views.snapshot import StoreSnapshot


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
