"""`estimator run | runs | show | compare`: measure a scenario, list and inspect results."""

from __future__ import annotations

import argparse
import contextlib
import json
import time

from pydantic import Field
from rich.table import Table

from estimator._model import Model
from estimator.cli._common import add_results_arg, console, open_store, results_path
from estimator.cli._progress import RichObserver
from estimator.cli.onboard import print_preflight
from estimator.cli.show import cmd_show
from estimator.escape import rich_text as esc
from estimator.onboard import PreflightResult, preflight
from estimator.scenario.loader import builtin_scenarios, load_scenario
from estimator.store.compare import compare_configs
from estimator.store.lock import save_pending, writer_lock
from estimator.store.runs import RunRow, Store
from estimator.sweep import PlannedCell, SweepPlan, plan_sweep, run_sweep

ORDER = 20


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="measure a scenario (apps × interpreters × server configs) into the results store",
        description="Run a scenario's matrix: each app's configurations side by side, in "
        "rounds, until each one's CPU-per-request CI reaches the scenario's target or its "
        "budget ends. Finished configurations are kept and skipped on the next run (resume); "
        f"shipped scenarios: {', '.join(sorted(builtin_scenarios()))}.",
    )
    p.add_argument("scenario", help="a scenario .toml file or a shipped scenario name")
    add_results_arg(p)
    p.add_argument("--force", action="store_true", help="re-run cells already in the store")
    p.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    p.add_argument(
        "--json",
        action="store_true",
        help="print the plan and the run's summary as JSON on stdout (progress goes to stderr)",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="run failed cells again (e.g. after fixing the app); finished ones stay skipped",
    )
    p.add_argument(
        "--preflight",
        choices=["auto", "always", "never"],
        default="auto",
        help="quick check of each app × variant before its runs (auto: your own apps only; "
        "the shipped sample apps are covered by estimator's tests)",
    )
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("runs", help="list the runs in the results store")
    add_results_arg(p)
    p.add_argument("--status", choices=["ok", "failed", "interrupted"])
    p.add_argument("--app")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_runs)

    p = sub.add_parser("show", help="one run in full (--json: everything it recorded)")
    p.add_argument("run_id", metavar="RUN", help="a run id (a unique prefix is enough)")
    add_results_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser(
        "compare",
        help="do two measured configurations differ significantly? (paired per round when "
        "measured side by side, else Welch's t-test)",
        description="Select each configuration by words of its key, e.g. "
        "'flask 3.11 sync w2' vs 'flask 3.13 sync w2'.",
    )
    p.add_argument("a")
    p.add_argument("b")
    add_results_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_compare)


class PlannedRow(Model):
    cell: str
    done: bool = Field(description="already in the store: skipped")
    not_runnable: str | None = Field(None, description="why the cell cannot run here")


class RunSummary(Model):
    """`estimator run --json`: what was planned and what the run did."""

    scenario: str
    results: str
    variants: list[str]
    missing: list[str]
    skipped_pairs: list[str]
    warnings: list[str]
    planned: list[PlannedRow]
    dry_run: bool
    ok: int = 0
    failed: int = 0
    skipped_done: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    runs: list[RunRow] = Field(default_factory=list, description="as `estimator runs --json`")


def _summary(plan: SweepPlan, store: Store, args: argparse.Namespace) -> RunSummary:
    return RunSummary(
        scenario=plan.scenario.name,
        results=str(store.path),
        variants=[v.name for v in plan.variants],
        missing=plan.missing,
        skipped_pairs=plan.skipped_pairs,
        warnings=plan.warnings,
        planned=[
            PlannedRow(cell=c.cell.label, done=c.done, not_runnable=c.reason) for c in plan.cells
        ],
        dry_run=args.dry_run,
    )


def cmd_run(args: argparse.Namespace) -> int:
    out = console(stderr=args.json)  # --json: stdout holds the JSON alone
    scenario = load_scenario(args.scenario)
    path = results_path(args)
    with contextlib.ExitStack() as stack:
        if not args.dry_run:
            stack.enter_context(writer_lock(path))
        store = stack.enter_context(Store(path))
        if not args.dry_run:
            for run_id in save_pending(store):
                out.print(f"saved run {esc(run_id)}, kept aside by an earlier run")
        plan = plan_sweep(scenario, store, force=args.force, retry_failed=args.retry_failed)
        summary = _summary(plan, store, args)
        out.print(
            f"scenario [bold]{esc(scenario.name)}[/]: {len(plan.cells)} cells "
            f"({len(plan.to_run)} to run, {len(plan.cells) - len(plan.to_run)} already done); "
            f"variants: {esc(', '.join(v.name for v in plan.variants) or 'none')}; "
            f"results: {esc(store.path)}"
        )
        for line in [*plan.missing, *plan.skipped_pairs, *plan.warnings]:
            out.print(f"  [yellow]note:[/] {esc(line)}")
        if args.dry_run:
            for c in plan.cells:
                out.print(f"  {'done ' if c.done else 'to run'} {esc(c.cell.label)}")
            if args.json:
                print(summary.model_dump_json(indent=2))
            return 0
        observer = _Observer(out)
        try:
            check = None if args.preflight == "never" else preflight
            report = run_sweep(
                plan,
                store,
                observer=observer,
                preflight=check,
                preflight_samples=args.preflight == "always",
            )
        finally:
            observer.stop()
        ran = {r.id for r in report.ran}
        rows = [row for row in store.rows() if row.id in ran]
    ok = sum(r.status == "ok" for r in report.ran)
    if args.json:
        summary = summary.model_copy(
            update={
                "ok": ok,
                "failed": len(report.failed),
                "skipped_done": report.skipped_done,
                "interrupted": report.interrupted,
                "seconds": round(report.seconds, 1),
                "runs": rows,
            }
        )
        print(summary.model_dump_json(indent=2))
    out.print(
        f"{ok} ok, {len(report.failed)} failed, {report.skipped_done} skipped (already done) "
        f"in {report.seconds / 60:.1f} min; next: "
        "`estimator estimate --peak-rps N --region us-east-1` or `estimator dashboard`"
    )
    if report.interrupted:
        out.print("interrupted: finished cells are kept; run the same command to resume")
        return 130
    if report.failed:
        out.print(
            f"[red]{len(report.failed)} of {len(report.ran)} cells failed[/]: see the lines "
            "above; `estimator runs --status failed` lists them, `--retry-failed` runs them again"
        )
        return 1
    return 0


class _Observer(RichObserver):
    """The progress bar, plus one line per preflight."""

    def preflight_started(self, planned: PlannedCell) -> None:
        assert self.task is not None
        cell = planned.cell
        what = esc(f"{cell.variant} × {cell.app.name}")
        self.progress.update(self.task, description=f"preflight {what}")

    def preflight_finished(self, result: PreflightResult) -> None:
        print_preflight(result, self.progress.console)


def cmd_runs(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows = store.rows(status=args.status, app=args.app)
    if args.json:
        print(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return 0
    out = console()
    if not rows:
        out.print(
            f"no runs in {esc(results_path(args))}; `estimator run quick` measures the samples"
        )
        return 0
    table = Table(header_style="bold")
    for col in (
        "run",
        "started",
        "app",
        "variant",
        "server",
        "rep",
        "status",
        "capacity req/s",
        "CPU ms/req",
        "rounds",
        "stopped",
        "busy workers",
    ):
        table.add_column(col)
    for r in rows:
        cap = (
            ""
            if r.capacity_rps is None
            else f"{'≥ ' if r.capacity_lower_bound else ''}{r.capacity_rps:,.0f}"
        )
        cpu = "" if r.cpu_s_per_request is None else f"{r.cpu_s_per_request * 1000:.2f}"
        status = r.status if r.status == "ok" else f"{r.status}: {r.failure or ''}"[:80]
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.started_at))
        cells = (r.id, started, r.app, r.variant, r.server, str(r.repetition + 1), status)
        rounds = "" if r.rounds is None else str(r.rounds)
        busy = "" if r.effective_workers is None else f"{r.effective_workers:.1f}"
        if r.workers_uneven:
            busy += " uneven"
        table.add_row(*map(esc, cells), cap, cpu, rounds, r.stop_reason or "", busy)
    out.print(table)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        result = compare_configs(store.results(), args.a, args.b)
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0
    out = console()
    out.print(f"A = {esc(result.a)}\nB = {esc(result.b)}")
    table = Table(header_style="bold")
    for col in ("metric", "A mean", "B mean", "B/A", "verdict"):
        table.add_column(col)
    for m in result.metrics:
        mean_a, mean_b = sum(m.a) / len(m.a), sum(m.b) / len(m.b)
        ratio = "" if m.ratio is None else f"{m.ratio:.3f}"
        table.add_row(
            esc(f"{m.metric} ({m.unit})"), f"{mean_a:,.2f}", f"{mean_b:,.2f}", ratio, esc(m.verdict)
        )
    out.print(table)
    return 0
