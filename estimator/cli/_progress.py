"""The sweep's progress bar: cell, phase, ETA; one line per finished cell."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from estimator.escape import rich_text as esc
from estimator.measure import RunResult
from estimator.sweep import PlannedCell, SweepObserver, SweepPlan


def describe_result(result: RunResult) -> str:
    label = esc(result.cell.label)
    seconds = result.ended_at - result.started_at
    if result.status != "ok":
        why = esc(f"{result.status} ({result.failure_stage}): {result.failure}")
        return f"[red]✗[/] {label}: {why}"
    cap = result.capacity
    parts = []
    if cap is not None and cap.capacity_rps is not None:
        bound = "≥ " if cap.lower_bound else ""
        parts.append(f"capacity {bound}{cap.capacity_rps:,.0f} req/s (p95 {cap.p95_ms:.0f} ms)")
    elif cap is not None:
        parts.append(esc(f"no rate met the SLO ({cap.detail})"))
    steady = result.steady
    if steady and steady[0].cpu_s_per_request is not None:
        parts.append(f"{steady[0].cpu_s_per_request * 1000:.2f} CPU-ms/req")
    if steady and steady[0].server and steady[0].server.worker_uss_mib:
        parts.append(f"USS {steady[0].server.worker_uss_mib:.0f} MiB/worker")
    warn = f" [yellow]({len(result.warnings)} warning(s))[/]" if result.warnings else ""
    return f"[green]✓[/] {label}: {', '.join(parts)} [{seconds:.0f} s]{warn}"


class RichObserver(SweepObserver):
    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self.task: TaskID | None = None

    def start(self, plan: SweepPlan) -> None:
        self.progress.start()
        self.task = self.progress.add_task("starting", total=len(plan.to_run))

    def stop(self) -> None:
        self.progress.stop()

    def cell_started(self, index: int, planned: PlannedCell) -> None:
        assert self.task is not None
        self.progress.update(self.task, description=f"{esc(planned.cell.label)}: starting")

    def phase(self, planned: PlannedCell, phase: str) -> None:
        assert self.task is not None
        self.progress.update(self.task, description=esc(f"{planned.cell.label}: {phase}"))

    def cell_finished(self, index: int, result: RunResult) -> None:
        assert self.task is not None
        self.progress.console.print(describe_result(result))
        self.progress.advance(self.task)
