"""`estimator run`: a scenario's matrix, batch by batch, into the store.

A batch is one app's configurations (variants × server configs) of one repetition, measured
side by side in interleaved rounds (`estimator.measure.measure_batch`); each configuration's
result is stored as soon as it is done.

- Resumes: cells already completed (ok or failed) with the same cell key are skipped unless
  `force` (failed ones run again with `retry_failed`); the rest of a batch is measured
  together, in a new batch (pairs across two batches are not compared round by round). An
  interrupted cell runs again.
- Survives a failing cell: its `RunResult` is failed (stored with its reason) and the others
  go on. Variants that are not installed are stored as failed cells, named, with how to get
  them.
- With a `preflight` (the CLI passes `estimator.onboard.preflight`), each app × variant is
  checked once before its first cell (the shipped sample apps only with `preflight_samples`:
  their own tests cover them); when that fails, its cells are stored as failed with
  the preflight's message (no run is attempted) and the sweep goes on with the others.
- Ctrl-C (or SIGTERM, which the CLI turns into KeyboardInterrupt) stops the current batch
  cleanly (its processes are stopped by their context managers), records its unfinished
  configurations as interrupted and keeps everything finished; the report says it was
  interrupted.
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
from estimator.measure import (
    BatchMember,
    CellSpec,
    RunResult,
    batch_key,
    cell_key,
    cells,
    measure_batch,
    skipped_result,
)
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
    def batch_started(self, key: str, planned: list[PlannedCell]) -> None: ...
    def cell_started(self, index: int, planned: PlannedCell) -> None: ...
    def phase(self, planned: PlannedCell, phase: str) -> None: ...
    def cell_finished(self, index: int, result: RunResult) -> None: ...
    def preflight_started(self, planned: PlannedCell) -> None: ...
    def preflight_finished(self, result: PreflightResult) -> None: ...


Preflight = Callable[[CellSpec, ResolvedVariant], PreflightResult]
MeasureBatch = Callable[..., list[RunResult]]
MeasureCell = Callable[..., RunResult]


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
    skipped_pairs = [  # a server config naming its apps leaves the others out on purpose
        f"{app.name} × {s.label}: the app has no {s.interface} entry point"
        for app in scenario.apps
        for s in scenario.servers
        if s.apps is None and s.interface not in app.interfaces
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
    measure: MeasureBatch = measure_batch,
    measure_cell: MeasureCell | None = None,
    preflight: Preflight | None = None,
    preflight_samples: bool = False,
) -> SweepReport:
    """Measure the plan's cells batch by batch. `measure_cell` (tests, library use) measures
    each cell alone instead of side by side."""
    obs = observer or SweepObserver()
    obs.start(plan)
    started = time.monotonic()
    ran: list[RunResult] = []
    checked: dict[tuple[str, str], PreflightResult] = {}
    todo = plan.to_run
    index = {p.cell.config_key + f" #{p.cell.repetition}": p for p in todo}
    batches: dict[str, list[PlannedCell]] = {}
    for planned in todo:
        batches.setdefault(batch_key(planned.cell), []).append(planned)
    run = measure if measure_cell is None else _one_by_one(measure_cell)

    saved: set[str] = set()

    def keep(result: RunResult) -> None:
        store.save(result)
        saved.add(result.cell_key)
        if result.status != "interrupted":
            ran.append(result)
            obs.cell_finished(len(ran) - 1, result)

    def report(interrupted: bool) -> SweepReport:
        return SweepReport(
            ran=ran,
            skipped_done=len(plan.cells) - len(todo),
            interrupted=interrupted,
            seconds=time.monotonic() - started,
        )

    for key, group in batches.items():
        members: list[PlannedCell] = []
        try:
            for planned in group:
                store.forget_interrupted(planned.key)
                failed = _not_measurable(planned, preflight, preflight_samples, checked, obs)
                if failed is not None:
                    keep(failed)
                else:
                    members.append(planned)
            if not members:
                continue
            obs.batch_started(key, members)
            for i, planned in enumerate(members):
                obs.cell_started(len(ran) + i, planned)
            run(
                [_member(p) for p in members],
                runs_dir=runs_dir,
                progress=lambda cell, text: obs.phase(
                    index[cell.config_key + f" #{cell.repetition}"], text
                ),
                on_result=keep,
            )
        except KeyboardInterrupt:
            for planned in group:
                if planned.key not in saved:
                    stopped = skipped_result(planned.cell, "interrupted by the user", "internal")
                    store.save(stopped.model_copy(update={"status": "interrupted"}))
            return report(True)
    return report(False)


def _member(planned: PlannedCell) -> BatchMember:
    assert planned.variant is not None  # cells without one are failed before
    return BatchMember(cell=planned.cell, variant=planned.variant)


def _one_by_one(measure_cell: MeasureCell) -> MeasureBatch:
    def run(
        members: list[BatchMember],
        *,
        runs_dir: Path | None,
        progress: Callable[[CellSpec, str], None],
        on_result: Callable[[RunResult], None],
    ) -> list[RunResult]:
        out = []
        for m in members:
            result = measure_cell(
                m.cell,
                m.variant,
                runs_dir=runs_dir,
                progress=lambda text, cell=m.cell: progress(cell, text),
            )
            on_result(result)
            out.append(result)
        return out

    return run


def _not_measurable(
    planned: PlannedCell,
    preflight: Preflight | None,
    samples: bool,
    checked: dict[tuple[str, str], PreflightResult],
    obs: SweepObserver,
) -> RunResult | None:
    """A failed result for a cell that can't be measured (variant missing, preflight
    failed); None when it can."""
    wanted = samples or planned.cell.app.directory != paths.SAMPLE_APPS_DIR
    check = _preflight(planned, preflight if wanted else None, checked, obs)
    if planned.variant is None:
        return skipped_result(planned.cell, planned.reason or "not installed", "interpreter")
    if check is not None and not check.ok:
        failed = skipped_result(planned.cell, check.message or "", check.stage)
        return check.as_failed(failed)
    return None


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
