"""The sweep's preflight hook with fakes: one preflight per app × variant before its first
cell; a failed one stores that pair's cells as failed (with its message and the stage of the
failing step) without running them, and the sweep goes on with the rest."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from estimator.interpreters import ResolvedVariant
from estimator.measure import CellSpec, RunResult, cell_key
from estimator.onboard import PreflightResult, preflight
from estimator.onboard import preflight_check as check_module
from estimator.scenario import AppSpec, Scenario, ServerConfig
from estimator.store.runs import Store
from estimator.sweep import PlannedCell, SweepObserver, plan_sweep, run_sweep
from tests.fixtures import fixture_runs
from tests.interpreters.conftest import cpython, make_interpreter

INTERPRETERS = [
    make_interpreter("/py/3.11", cpython("3.11.7")),
    make_interpreter("/py/3.13", cpython("3.13.0")),
]


def scenario(tmp_path: Path) -> Scenario:
    locustfile = tmp_path / "locustfile.py"
    locustfile.write_text("# load test\n")
    return Scenario(
        name="t",
        apps=[
            AppSpec(name="a", directory=tmp_path, wsgi="a:app", asgi="a:asgi"),
            AppSpec(name="b", directory=tmp_path, wsgi="b:app"),
        ],
        variants=["cpython-3.11", "cpython-3.13"],
        servers=[ServerConfig(kind="gunicorn-sync"), ServerConfig(kind="uvicorn")],
        locustfile=locustfile,
        repetitions=2,
    )


class FakeMeasure:
    def __init__(self) -> None:
        self.template = fixture_runs()[0]
        self.calls: list[str] = []

    def __call__(self, cell: CellSpec, variant: ResolvedVariant, **_: Any) -> RunResult:
        self.calls.append(cell.label)
        update = {"id": uuid.uuid4().hex[:12], "cell": cell, "cell_key": cell_key(cell)}
        return self.template.model_copy(update=update)


class FakePreflight:
    """Fails app 'a' under cpython-3.13 at the import step."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, cell: CellSpec, variant: ResolvedVariant) -> PreflightResult:
        self.calls.append(cell.label)
        ok = (cell.app.name, variant.name) != ("a", "cpython-3.13")
        return PreflightResult(
            app=cell.app.name,
            variant=variant.name,
            server=cell.server.label,
            ok=ok,
            step=None if ok else "import",
            message=None if ok else "cpython-3.13 × app 'a': the app does not import: boom",
            log_tail=[] if ok else ["Traceback", "ImportError: boom"],
        )


class Recorder(SweepObserver):
    def __init__(self) -> None:
        self.events: list[str] = []

    def preflight_started(self, planned: PlannedCell) -> None:
        self.events.append(f"start {planned.cell.app.name} {planned.cell.variant}")

    def preflight_finished(self, result: PreflightResult) -> None:
        self.events.append(f"{'ok' if result.ok else 'failed'} {result.app} {result.variant}")


def test_one_preflight_per_app_and_variant_before_its_cells(tmp_path: Path) -> None:
    measure, check, obs = FakeMeasure(), FakePreflight(), Recorder()
    with Store(tmp_path / "r.sqlite") as store:
        plan = plan_sweep(scenario(tmp_path), store, interpreters=INTERPRETERS)
        report = run_sweep(plan, store, observer=obs, measure_cell=measure, preflight=check)
        assert check.calls == [  # the first cell of each pair: its first server, rep 1
            "a | cpython-3.11 | gunicorn-sync w1 #1",
            "a | cpython-3.13 | gunicorn-sync w1 #1",
            "b | cpython-3.11 | gunicorn-sync w1 #1",
            "b | cpython-3.13 | gunicorn-sync w1 #1",
        ]
        assert obs.events[:2] == ["start a cpython-3.11", "ok a cpython-3.11"]
        assert "failed a cpython-3.13" in obs.events
        assert len(report.ran) == 12
        failed = store.results(status="failed")
        assert len(failed) == 4  # a × 3.13 × 2 servers × 2 reps
        assert {r.cell.config_key.split(" | ")[:2] == ["a", "cpython-3.13"] for r in failed} == {
            True
        }
        assert {r.failure for r in failed} == {
            "preflight failed: cpython-3.13 × app 'a': the app does not import: boom"
        }
        assert {r.failure_stage for r in failed} == {"server"}
        assert failed[0].log_tail == ["Traceback", "ImportError: boom"]
        assert not any("a | cpython-3.13" in c for c in measure.calls)
        assert len(measure.calls) == 8

        resumed = plan_sweep(scenario(tmp_path), store, interpreters=INTERPRETERS)
        again = FakePreflight()
        run_sweep(resumed, store, measure_cell=FakeMeasure(), preflight=again)
        assert again.calls == []  # nothing left to run: nothing to check


def test_without_a_preflight_every_cell_is_measured(tmp_path: Path) -> None:
    measure = FakeMeasure()
    with Store(tmp_path / "r.sqlite") as store:
        plan = plan_sweep(scenario(tmp_path), store, interpreters=INTERPRETERS)
        run_sweep(plan, store, measure_cell=measure)
    assert len(measure.calls) == 12


def test_a_bug_in_the_preflight_is_a_failed_result_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_provision(*_: object, **__: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(check_module, "provision", broken_provision)
    with Store(tmp_path / "r.sqlite") as store:
        planned = plan_sweep(scenario(tmp_path), store, interpreters=INTERPRETERS).cells[0]
    assert planned.variant is not None
    result = preflight(planned.cell, planned.variant, runs_dir=tmp_path / "pf")
    assert not result.ok
    assert (result.step, result.stage) == ("internal", "internal")
    assert result.message is not None
    assert result.message.startswith(
        "cpython-3.11 × app 'a' (gunicorn-sync w1): the preflight itself failed (an estimator "
        "bug): RuntimeError: disk on fire (traceback in "
    )
    assert result.run_dir is not None
    assert "disk on fire" in (result.run_dir / "error.txt").read_text()
