"""`estimator run`: a scenario's matrix, cell by cell, into the store.

- Resumes: cells already completed (ok or failed) with the same cell key are skipped unless
  `force` (failed ones run again with `retry_failed`); an interrupted cell runs again.
- Survives a failing cell: `measure` returns a failed `RunResult` (stored with its reason) and
  the sweep goes on. Variants that are not installed are stored as failed cells, named, with
  how to get them.
- With a `preflight` (the CLI passes `estimator.onboard.preflight`), each app × variant is
  checked once before its first cell (the shipped sample apps only with `preflight_samples`:
  their own tests cover them); when that fails, its cells are stored as failed with
  the preflight's message (no run is attempted) and the sweep goes on with the others.
- Ctrl-C (or SIGTERM, which the CLI turns into KeyboardInterrupt) stops the current cell
  cleanly (its processes are stopped by their context managers), records it as interrupted
  and keeps everything finished; the report says it was interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pydantic import Field

from estimator import paths
from estimator._model import Model
from estimator.interpreters import (
    Interpreter,
    ResolvedVariant,
    build_quality_warnings,
    discover,
    plan_variants,
)
from estimator.measure import CellSpec, RunResult, cell_key, cells, measure, skipped_result
from estimator.onboard import PreflightResult
from estimator.scenario import Scenario
from estimator.serve.options import check_server_args
from estimator.store.runs import Store


class PlannedCell(Model):
    cell: CellSpec
    key: str
    variant: ResolvedVariant | None = Field(description="None: not installed (see reason)")
    reason: str | None = None
    done: bool = Field(description="already completed in the store")


class SweepPlan(Model):
    scenario: Scenario
    cells: list[PlannedCell]
    variants: list[ResolvedVariant]
    missing: list[str] = Field(description="variants that can't run here, with the reason")
    skipped_pairs: list[str] = Field(description="app × server pairs the app can't run")
    warnings: list[str]

    @property
    def to_run(self) -> list[PlannedCell]:
        return [c for c in self.cells if not c.done]


class SweepReport(Model):
    ran: list[RunResult]
    skipped_done: int
    interrupted: bool
    seconds: float

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.ran if r.status == "failed"]


class SweepObserver:
    """What the CLI shows; the default shows nothing (tests, library use)."""

    def start(self, plan: SweepPlan) -> None: ...
    def cell_started(self, index: int, planned: PlannedCell) -> None: ...
    def phase(self, planned: PlannedCell, phase: str) -> None: ...
    def cell_finished(self, index: int, result: RunResult) -> None: ...
    def preflight_started(self, planned: PlannedCell) -> None: ...
    def preflight_finished(self, result: PreflightResult) -> None: ...


Preflight = Callable[[CellSpec, ResolvedVariant], PreflightResult]


def plan_sweep(
    scenario: Scenario,
    store: Store,
    *,
    force: bool = False,
    retry_failed: bool = False,
    interpreters: list[Interpreter] | None = None,
) -> SweepPlan:
    for server in scenario.servers:  # a refused server option stops the run before it starts
        check_server_args(server.kind, server.extra_args)
    found = discover() if interpreters is None else interpreters
    vplan = plan_variants(scenario.variants, found)
    by_name = {rv.name: rv for rv in vplan.resolved}
    missing = {m.name: m.message for m in vplan.missing}
    done = set() if force else store.completed_keys(include_failed=not retry_failed)
    planned: list[PlannedCell] = []
    for cell in cells(scenario, [*by_name, *missing]):
        key = cell_key(cell)
        planned.append(
            PlannedCell(
                cell=cell,
                key=key,
                variant=by_name.get(cell.variant),
                reason=missing.get(cell.variant),
                done=key in done,
            )
        )
    skipped_pairs = [
        f"{app.name} × {s.label}: the app has no {s.interface} entry point"
        for app in scenario.apps
        for s in scenario.servers
        if s not in scenario.servers_for(app)
    ]
    return SweepPlan(
        scenario=scenario,
        cells=planned,
        variants=vplan.resolved,
        missing=[f"{name}: {msg}" for name, msg in missing.items()],
        skipped_pairs=skipped_pairs,
        warnings=build_quality_warnings(vplan.resolved),
    )


def run_sweep(
    plan: SweepPlan,
    store: Store,
    *,
    observer: SweepObserver | None = None,
    runs_dir: Path | None = None,
    measure_cell: Callable[..., RunResult] = measure,
    preflight: Preflight | None = None,
    preflight_samples: bool = False,
) -> SweepReport:
    obs = observer or SweepObserver()
    obs.start(plan)
    started = time.monotonic()
    ran: list[RunResult] = []
    checked: dict[tuple[str, str], PreflightResult] = {}
    todo = plan.to_run
    for index, planned in enumerate(todo):
        obs.cell_started(index, planned)
        store.forget_interrupted(planned.key)
        try:
            wanted = preflight_samples or planned.cell.app.directory != paths.SAMPLE_APPS_DIR
            check = _preflight(planned, preflight if wanted else None, checked, obs)
            if planned.variant is None:
                result = skipped_result(
                    planned.cell, planned.reason or "not installed", "interpreter"
                )
            elif check is not None and not check.ok:
                failed = skipped_result(planned.cell, check.message or "", check.stage)
                result = check.as_failed(failed)
            else:
                result = measure_cell(
                    planned.cell,
                    planned.variant,
                    runs_dir=runs_dir,
                    progress=lambda phase, p=planned: obs.phase(p, phase),
                )
        except KeyboardInterrupt:
            stopped = skipped_result(planned.cell, "interrupted by the user", "internal")
            store.save(stopped.model_copy(update={"status": "interrupted"}))
            return SweepReport(
                ran=ran,
                skipped_done=len(plan.cells) - len(todo),
                interrupted=True,
                seconds=time.monotonic() - started,
            )
        store.save(result)
        ran.append(result)
        obs.cell_finished(index, result)
    return SweepReport(
        ran=ran,
        skipped_done=len(plan.cells) - len(todo),
        interrupted=False,
        seconds=time.monotonic() - started,
    )


def _preflight(
    planned: PlannedCell,
    preflight: Preflight | None,
    checked: dict[tuple[str, str], PreflightResult],
    obs: SweepObserver,
) -> PreflightResult | None:
    """The preflight of the cell's app × variant: run before its first cell, then reused."""
    if preflight is None or planned.variant is None:
        return None
    key = (planned.cell.app.name, planned.cell.variant)
    if key not in checked:
        obs.preflight_started(planned)
        checked[key] = preflight(planned.cell, planned.variant)
        obs.preflight_finished(checked[key])
    return checked[key]
