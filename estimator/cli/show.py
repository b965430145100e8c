"""`estimator show RUN`: one run in full: what it measured window by window, the load
generator's connections, and how evenly the server's workers shared the work."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from estimator.cli._common import console, open_store
from estimator.cli._progress import describe_result
from estimator.escape import rich_text as esc
from estimator.measure import RunResult
from estimator.measure.balance import WindowBalance, busy_workers, worker_totals


def cmd_show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        result = store.get(args.run_id)
    if args.json:
        print(result.model_dump_json(indent=2))
        return 0
    out = console()
    out.print(describe_result(result))
    out.print(f"run dir: {esc(result.run_dir)}")
    if result.launch is not None and result.launch.server_versions:
        versions = result.launch.server_versions.items()
        out.print(
            "server packages: " + esc(", ".join(f"{name} {v}" for name, v in sorted(versions)))
        )
    if result.batch_id:
        others = [k for k in result.batch_members if k != result.config_key]
        out.print(
            f"batch {result.batch_id}: {result.rounds} rounds beside {len(others)} other "
            f"configuration(s); arrivals: {result.arrivals}; "
            + esc(result.stop_detail or "stop reason not recorded")
        )
    _show_workers(out, result)
    table = Table(header_style="bold", title="windows")
    for col in (
        "window",
        "round",
        "target",
        "achieved",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "CPU ms/req",
        "USS MiB",
        "gen CPU",
        "busy workers",
        "conns",
    ):
        table.add_column(col)
    for p in result.phases:
        lat = p.load.latency
        bal = p.balance
        table.add_row(
            esc(p.load.name),
            "" if p.round is None else str(p.round),
            "closed" if p.load.target_rate is None else f"{p.load.target_rate:.0f}",
            f"{p.load.throughput_rps:.0f}",
            _ms(lat.p50_ms),
            _ms(lat.p95_ms),
            _ms(lat.p99_ms),
            f"{p.load.error_rate:.1%}",
            "" if p.cpu_s_per_request is None else f"{p.cpu_s_per_request * 1000:.2f}",
            ""
            if not p.server or p.server.worker_uss_mib is None
            else f"{p.server.worker_uss_mib:.0f}",
            ""
            if not p.server
            else f"{p.server.generator_cpu_busiest:.0%}" + (" BOUND" if p.generator_bound else ""),
            "" if (busy := _busy(bal, result)) is None else f"{busy:.1f}",
            "" if bal is None or bal.connections_open is None else str(bal.connections_open),
        )
    out.print(table)
    for w in [*result.warnings, *result.mismatches]:
        out.print(f"[yellow]warning:[/] {esc(w)}")
    return 0


def _show_workers(out: Console, result: RunResult) -> None:
    """The load's connections, how evenly the workers were used, and each worker's part."""
    if result.connections is not None:
        out.print(esc(result.connections.text()))
    use = result.worker_use
    if use is not None:
        style = "yellow" if use.uneven else "default"
        out.print(f"[{style}]{esc(use.text())}[/]")
    totals = worker_totals([w.balance for w in result.cost])
    if len(totals) < 2:
        return
    table = Table(header_style="bold", title="worker processes (cost windows)")
    for col in ("pid", "CPU s", "share", "busy slots (mean)", "kept-alive conns at the end"):
        table.add_column(col)
    for load, share in totals:
        conns = "" if load.connections is None else str(load.connections)
        slots = "" if load.busy_slots is None else f"{load.busy_slots:.2f}"
        table.add_row(str(load.pid), f"{load.cpu_s:.3f}", f"{share:.0%}", slots, conns)
    out.print(table)


def _busy(bal: WindowBalance | None, result: RunResult) -> float | None:
    return None if bal is None else busy_workers(bal, result.cell.server)


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
