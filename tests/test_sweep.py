"""The sweep's bookkeeping with a fake measurement: batches, order, resume, force, failures,
missing variants, Ctrl-C. (The real thing runs in tests/measure/test_end_to_end.py.)"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from estimator.interpreters import ResolvedVariant
from estimator.measure import CellSpec, RunResult
from estimator.scenario import AppSpec, Scenario, ServerConfig
from estimator.store.runs import Store
from estimator.sweep import SweepObserver, plan_sweep, run_sweep
from tests.fixtures import fixture_runs
from tests.interpreters.conftest import cpython, make_interpreter

INTERPRETERS = [
    make_interpreter("/py/3.11", cpython("3.11.7")),
    make_interpreter("/py/3.13", cpython("3.13.0")),
]


def scenario(tmp_path: Path, **changes: Any) -> Scenario:
    locustfile = tmp_path / "locustfile.py"
    locustfile.write_text("# load test\n")
    base: dict[str, Any] = {
        "name": "t",
        "apps": [
            AppSpec(name="a", directory=tmp_path, wsgi="a:app", asgi="a:asgi"),
            AppSpec(name="b", directory=tmp_path, wsgi="b:app"),
        ],
        "variants": ["cpython-3.11", "cpython-3.13"],
        "servers": [ServerConfig(kind="gunicorn-sync"), ServerConfig(kind="uvicorn")],
        "locustfile": locustfile,
        "repetitions": 2,
    }
    base.update(changes)
    return Scenario(**base)


class FakeMeasure:
    """Returns a recorded result re-labelled for the cell; can fail or be interrupted."""

    def __init__(self, fail: frozenset[str] = frozenset(), interrupt_at: int | None = None) -> None:
        self.template = fixture_runs()[0]
        self.calls: list[str] = []
        self.fail = fail
        self.interrupt_at = interrupt_at

    def __call__(self, cell: CellSpec, variant: ResolvedVariant, **_: Any) -> RunResult:
        if self.interrupt_at is not None and len(self.calls) == self.interrupt_at:
            raise KeyboardInterrupt
        self.calls.append(cell.label)
        from estimator.measure import cell_key

        status = "failed" if cell.variant in self.fail else "ok"
        return self.template.model_copy(
            update={
                "id": uuid.uuid4().hex[:12],
                "cell": cell,
                "cell_key": cell_key(cell),
                "status": status,
                "failure": "boom" if status == "failed" else None,
            }
        )


def test_plan_order_and_skipped_pairs(tmp_path: Path) -> None:
    with Store(tmp_path / "r.sqlite") as store:
        plan = plan_sweep(scenario(tmp_path), store, interpreters=INTERPRETERS)
    labels = [c.cell.label for c in plan.cells]
    # 2 reps × (a: 2 variants × 2 servers + b: 2 variants × 1 server) = 12; reps outermost
    assert len(labels) == 12
    assert labels[0] == "a | cpython-3.11 | gunicorn-sync w1 #1"
    assert labels[1] == "a | cpython-3.11 | uvicorn w1 #1"
    assert all(label.endswith("#1") for label in labels[:6])
    assert all(label.endswith("#2") for label in labels[6:])
    assert plan.skipped_pairs == ["b × uvicorn w1: the app has no asgi entry point"]
    assert plan.missing == []


def test_sweep_stores_everything_and_resumes(tmp_path: Path) -> None:
    sc = scenario(tmp_path, repetitions=1)
    fake = FakeMeasure(fail=frozenset({"cpython-3.13"}))
    with Store(tmp_path / "r.sqlite") as store:
        report = run_sweep(
            plan_sweep(sc, store, interpreters=INTERPRETERS), store, measure_cell=fake
        )
        assert len(report.ran) == 6
        assert len(report.failed) == 3
        assert not report.interrupted
        assert len(store.rows()) == 6
        assert {r.failure for r in store.rows(status="failed")} == {"boom"}
        # resume: nothing left to do
        again = FakeMeasure()
        plan = plan_sweep(sc, store, interpreters=INTERPRETERS)
        assert plan.to_run == []
        assert run_sweep(plan, store, measure_cell=again).skipped_done == 6
        assert again.calls == []
        # --retry-failed runs the failed ones again, not the others
        retry = plan_sweep(sc, store, retry_failed=True, interpreters=INTERPRETERS)
        assert {c.cell.variant for c in retry.to_run} == {"cpython-3.13"}
        assert len(retry.to_run) == 3
        # --force runs everything again
        forced = plan_sweep(sc, store, force=True, interpreters=INTERPRETERS)
        assert len(forced.to_run) == 6


def test_changed_load_plan_reruns_cells(tmp_path: Path) -> None:
    sc = scenario(tmp_path, repetitions=1)
    with Store(tmp_path / "r.sqlite") as store:
        run_sweep(
            plan_sweep(sc, store, interpreters=INTERPRETERS), store, measure_cell=FakeMeasure()
        )
        changed = sc.model_copy(
            update={"load": sc.load.model_copy(update={"steady_duration_s": 9})}
        )
        assert len(plan_sweep(changed, store, interpreters=INTERPRETERS).to_run) == 6


def test_missing_variant_is_stored_as_failed_and_others_run(tmp_path: Path) -> None:
    sc = scenario(tmp_path, repetitions=1, variants=["cpython-3.11", "cpython-3.14t"])
    fake = FakeMeasure()
    with Store(tmp_path / "r.sqlite") as store:
        plan = plan_sweep(sc, store, interpreters=INTERPRETERS)
        assert len(plan.missing) == 1
        assert plan.missing[0].startswith("cpython-3.14t: ")
        run_sweep(plan, store, measure_cell=fake)
        failed = store.rows(status="failed")
        assert len(failed) == 3
        assert all(r.variant == "cpython-3.14t" for r in failed)
        assert all("estimator interpreters install" in (r.failure or "") for r in failed)
        assert len(fake.calls) == 3


def test_interrupt_keeps_finished_cells(tmp_path: Path) -> None:
    sc = scenario(tmp_path, repetitions=1)
    fake = FakeMeasure(interrupt_at=2)
    events: list[str] = []

    class Recorder(SweepObserver):
        def cell_finished(self, index: int, result: RunResult) -> None:
            events.append(result.cell.label)

    with Store(tmp_path / "r.sqlite") as store:
        plan = plan_sweep(sc, store, interpreters=INTERPRETERS)
        report = run_sweep(plan, store, observer=Recorder(), measure_cell=fake)
        assert report.interrupted
        assert len(report.ran) == 2 == len(events)
        assert len(store.rows(status="ok")) == 2
        # the batch's unfinished configurations are recorded as interrupted
        stopped = store.rows(status="interrupted")
        assert {s.config_key for s in stopped} == {c.cell.config_key for c in plan.to_run[2:4]}
        # resume runs the interrupted cells and the rest, and forgets the interrupted records
        resumed = plan_sweep(sc, store, interpreters=INTERPRETERS)
        assert len(resumed.to_run) == 4
        run_sweep(resumed, store, measure_cell=FakeMeasure())
        assert store.rows(status="interrupted") == []
        assert len(store.rows(status="ok")) == 6


@pytest.mark.parametrize("reps", [1, 3])
def test_repetitions_multiply_cells(tmp_path: Path, reps: int) -> None:
    with Store(tmp_path / "r.sqlite") as store:
        plan = plan_sweep(scenario(tmp_path, repetitions=reps), store, interpreters=INTERPRETERS)
    assert len(plan.cells) == 6 * reps
    assert len({c.key for c in plan.cells}) == 6 * reps


class FakeBatch:
    """Records the batches it was given; delivers one result per member."""

    def __init__(self, interrupt_after: int | None = None) -> None:
        self.batches: list[list[str]] = []
        self.measure = FakeMeasure()
        self.interrupt_after = interrupt_after

    def __call__(self, members: list[Any], *, on_result: Any, **_: Any) -> list[RunResult]:
        self.batches.append([m.cell.label for m in members])
        out = []
        for i, m in enumerate(members):
            if self.interrupt_after is not None and i == self.interrupt_after:
                raise KeyboardInterrupt
            result = self.measure(m.cell, m.variant)
            on_result(result)
            out.append(result)
        return out


def test_each_apps_configurations_are_measured_as_one_batch(tmp_path: Path) -> None:
    sc = scenario(tmp_path, repetitions=2)
    fake = FakeBatch()
    with Store(tmp_path / "r.sqlite") as store:
        report = run_sweep(plan_sweep(sc, store, interpreters=INTERPRETERS), store, measure=fake)
        assert len(report.ran) == 12 == len(store.rows())
    assert [len(b) for b in fake.batches] == [4, 2, 4, 2]  # a #1, b #1, a #2, b #2
    assert fake.batches[0] == [
        "a | cpython-3.11 | gunicorn-sync w1 #1",
        "a | cpython-3.11 | uvicorn w1 #1",
        "a | cpython-3.13 | gunicorn-sync w1 #1",
        "a | cpython-3.13 | uvicorn w1 #1",
    ]


def test_a_resumed_batch_measures_only_what_is_not_done(tmp_path: Path) -> None:
    sc = scenario(tmp_path, repetitions=1)
    with Store(tmp_path / "r.sqlite") as store:
        first = FakeBatch(interrupt_after=1)
        report = run_sweep(plan_sweep(sc, store, interpreters=INTERPRETERS), store, measure=first)
        assert report.interrupted
        assert len(store.rows(status="ok")) == 1
        assert len(store.rows(status="interrupted")) == 3
        again = FakeBatch()
        run_sweep(plan_sweep(sc, store, interpreters=INTERPRETERS), store, measure=again)
        # the finished configuration is not measured again; the rest of its batch is
        assert again.batches[0] == [
            "a | cpython-3.11 | uvicorn w1 #1",
            "a | cpython-3.13 | gunicorn-sync w1 #1",
            "a | cpython-3.13 | uvicorn w1 #1",
        ]
        assert store.rows(status="interrupted") == []
        assert len(store.rows(status="ok")) == 6


def test_server_configs_can_name_their_apps(tmp_path: Path) -> None:
    sc = scenario(
        tmp_path,
        repetitions=1,
        servers=[
            ServerConfig(kind="gunicorn-sync", apps=["b"]),
            ServerConfig(kind="uvicorn"),
        ],
    )
    with Store(tmp_path / "r.sqlite") as store:
        plan = plan_sweep(sc, store, interpreters=INTERPRETERS)
    labels = {c.cell.label for c in plan.cells}
    assert labels == {
        "a | cpython-3.11 | uvicorn w1 #1",
        "a | cpython-3.13 | uvicorn w1 #1",
        "b | cpython-3.11 | gunicorn-sync w1 #1",
        "b | cpython-3.13 | gunicorn-sync w1 #1",
    }
    assert plan.skipped_pairs == ["b × uvicorn w1: the app has no asgi entry point"]
