"""The sweep's progress bar: configuration, step (provision, warm-up, round n), ETA; one line
per batch and per finished configuration."""

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
    cost = [w.cpu_s_per_request for w in result.cost if w.cpu_s_per_request is not None]
    if cost:
        mean = sum(cost) / len(cost)
        hw = result.cost_half_width
        spread = "" if hw is None else f" ±{hw:.1%}"
        parts.append(f"{mean * 1000:.3g} CPU-ms/req{spread} ({len(cost)} rounds)")
    if cap is not None and cap.capacity_rps is not None:
        bound = "≥ " if cap.lower_bound else ""
        parts.append(f"capacity {bound}{cap.capacity_rps:,.0f} req/s (p95 {cap.p95_ms:.0f} ms)")
    elif cap is not None:
        parts.append(esc(f"no rate met the SLO ({cap.detail})"))
    mem = [w.server.worker_uss_mib for w in result.cost if w.server and w.server.worker_uss_mib]
    if mem:
        parts.append(f"USS {sorted(mem)[len(mem) // 2]:.0f} MiB/worker")
    use = result.worker_use
    if use is not None and use.workers > 1:
        busy = f"{use.effective_workers.mean:.1f}/{use.workers} workers busy"
        parts.append(f"[yellow]{busy} (uneven)[/]" if use.uneven else busy)
    if result.stop_reason not in (None, "target"):
        parts.append(f"[yellow]stopped: {result.stop_reason}[/]")
    if result.not_ranked_reason:
        parts.append(f"[yellow]not ranked: {esc(result.not_ranked_reason)}[/]")
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

    def batch_started(self, key: str, planned: list[PlannedCell]) -> None:
        self.progress.console.print(
            f"batch {key}: {len(planned)} configuration(s) side by side, in rounds"
        )

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
