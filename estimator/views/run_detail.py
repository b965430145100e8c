"""One run's time series for the Run detail page: per second, throughput, p95, server CPU,
memory per worker and the load generator's CPU, with the phases (warm-up, steady, capacity
search steps) as spans and the generator-bound ones flagged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pydantic import Field

from estimator._model import Model
from estimator.load import PhaseKind
from estimator.measure import RunResult
from estimator.measure.balance import busy_workers, worker_totals
from estimator.sample.models import GENERATOR_BOUND
from estimator.store.runs import RunRow, Store

PHASE_LABELS: dict[str, str] = {
    "warmup": "warm-up",
    "probe": "service time (1 user)",
    "cost": "cost (closed loop)",
    "steady": "steady load",
    "step": "capacity search",
}


class PhaseSpan(Model):
    name: str
    kind: PhaseKind
    label: str = Field(description="warm-up / steady load / capacity search")
    start_s: float = Field(description="seconds since the run's first phase started")
    end_s: float
    target_rps: float | None
    achieved_rps: float
    p95_ms: float | None
    generator_bound: bool
    generator_cpu: float | None = Field(description="busiest generator process, CPUs")
    busy_workers: float | None = Field(
        None,
        description="effective busy workers in the window (`measure.balance.busy_workers`: "
        "sampled busy slots ÷ threads, else 1 ÷ Σ share² of their CPU)",
    )
    connections: int | None = Field(
        None, description="established connections the server held when the window ended"
    )


class WorkerRow(Model):
    """One worker process over the run's closed-loop cost windows."""

    pid: int
    cpu_s: float
    share: float = Field(description="of all workers' CPU in the cost windows")
    connections: int | None = Field(description="kept-alive connections it held at the end")
    busy_slots: float | None = Field(
        None, description="mean requests it held, capped at its threads (None: not sampled)"
    )


class RunDetail(Model):
    run_id: str
    config_key: str
    repetition: int
    status: str
    failure: str | None
    started_at: float
    phases: list[PhaseSpan]
    generator_bound: bool = Field(description="any phase was generator-bound")
    capacity_rps: float | None
    capacity_lower_bound: bool
    capacity_detail: str
    slo_p95_ms: float
    warmup: str = Field(description="how the warm-up ended, in words")
    warnings: list[str]
    facts: dict[str, str] = Field(description="interpreter, host, CPUs: what was measured on")
    connections: str | None = Field(
        None, description="the load generator's connections: how many, kept alive or not"
    )
    workers: str | None = Field(None, description="how evenly the workers were used")
    workers_uneven: bool = False
    worker_rows: list[WorkerRow] = Field(default_factory=list, description="busiest first")


def _warmup_text(run: RunResult) -> str:
    w = run.warmup
    if w is None:
        return "no warm-up recorded"
    state = "converged" if w.converged else "did not converge"
    text = f"{state} after {w.warmup_s:g} s at {w.steady_rps:,.1f} req/s"
    return f"{text} ({w.reason})" if w.reason else text


def _facts(run: RunResult) -> dict[str, str]:
    out: dict[str, str] = {
        "app": run.cell.app.name,
        "interpreter variant": run.cell.variant,
        "server config": run.cell.server.label,
        "scenario": f"{run.cell.scenario} ({run.cell.scenario_hash})",
        "host CPU": f"{run.host.cpu_model} ({run.host.logical_cpus} logical CPUs)",
    }
    if run.interpreter is not None:
        out["interpreter"] = f"{run.interpreter.implementation} {run.interpreter.version}"
    placement = run.launch.placement if run.launch else None
    if placement is not None:
        cpus = ",".join(str(c) for c in placement.server_cpus)
        quota = f", quota {placement.quota_cpus:g} CPU" if placement.quota_applied else ""
        out["server CPUs"] = cpus + quota
    if run.generator_cpus:
        out["generator CPUs"] = ",".join(str(c) for c in run.generator_cpus)
    return out


def run_detail(run: RunResult) -> RunDetail:
    t0 = run.phases[0].load.started_at if run.phases else run.started_at
    spans = [
        PhaseSpan(
            name=p.load.name,
            kind=p.load.kind,
            label=PHASE_LABELS[p.load.kind],
            start_s=p.load.started_at - t0,
            end_s=p.load.started_at - t0 + p.load.duration_s,
            target_rps=p.load.target_rate,
            achieved_rps=p.load.throughput_rps,
            p95_ms=p.load.latency.p95_ms,
            generator_bound=p.generator_bound,
            generator_cpu=p.server.generator_cpu_busiest if p.server else None,
            busy_workers=busy_workers(p.balance, run.cell.server) if p.balance else None,
            connections=p.balance.connections_open if p.balance else None,
        )
        for p in run.phases
    ]
    use = run.worker_use
    totals = worker_totals([p.balance for p in run.cost])
    cap = run.capacity
    return RunDetail(
        run_id=run.id,
        config_key=run.config_key,
        repetition=run.cell.repetition,
        status=run.status,
        failure=run.failure,
        started_at=run.started_at,
        phases=spans,
        generator_bound=any(s.generator_bound for s in spans),
        capacity_rps=cap.capacity_rps if cap else None,
        capacity_lower_bound=bool(cap and cap.lower_bound),
        capacity_detail=cap.detail if cap else "no capacity search",
        slo_p95_ms=run.cell.slo.p95_ms,
        warmup=_warmup_text(run),
        warnings=[*run.warnings, *run.mismatches],
        facts=_facts(run),
        connections=run.connections.text() if run.connections else None,
        workers=use.text() if use else None,
        workers_uneven=bool(use and use.uneven),
        worker_rows=[
            WorkerRow(
                pid=w.pid,
                cpu_s=w.cpu_s,
                share=share,
                connections=w.connections,
                busy_slots=w.busy_slots,
            )
            for w, share in totals
        ],
    )


SERIES_COLUMNS = {
    "rps": "throughput (req/s)",
    "p95_ms": "p95 (ms)",
    "server_cpu": "server CPU (CPUs)",
    "worker_uss_mb": "USS per worker (MiB)",
    "worker_pss_mb": "PSS per worker (MiB)",
    "generator_cpu": "generator CPU (busiest process, CPUs)",
}


def run_series(path: Path, run_id: str) -> pd.DataFrame:
    """The stored per-second series of one run, wide: t (s), phase, then SERIES_COLUMNS."""
    with Store(path, create=False) as store:
        rows = store.series(run_id)
    records = [
        {"t (s)": r["t"], "phase": r["phase"]} | {k: r[k] for k in SERIES_COLUMNS} for r in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=["t (s)", "phase", *SERIES_COLUMNS])
    return frame.rename(columns=SERIES_COLUMNS)


def series_long(frame: pd.DataFrame, detail: RunDetail) -> pd.DataFrame:
    """Long format (t, metric, value, phase kind) for one small chart per metric."""
    kinds = {s.name: s.label for s in detail.phases}
    long = frame.melt(id_vars=["t (s)", "phase"], var_name="metric", value_name="value")
    long["phase kind"] = long["phase"].map(kinds)
    return long.dropna(subset=["value"])


GENERATOR_LIMIT = GENERATOR_BOUND
"""Busiest generator process at or above this share of a CPU: the generator, not the server,
was the limit (estimator.sample)."""


def phase_frame(detail: RunDetail) -> pd.DataFrame:
    """The phases as spans (start, end in seconds) for shading the time-series charts."""
    return pd.DataFrame.from_records(
        [
            {
                "phase": s.name,
                "phase kind": s.label,
                "start (s)": s.start_s,
                "end (s)": s.end_s,
                "target (req/s)": s.target_rps,
                "achieved (req/s)": s.achieved_rps,
                "p95 (ms)": s.p95_ms,
                "generator CPU": s.generator_cpu,
                "generator-bound": s.generator_bound,
                "busy workers": s.busy_workers,
                "connections": s.connections,
            }
            for s in detail.phases
        ],
        columns=[
            "phase",
            "phase kind",
            "start (s)",
            "end (s)",
            "target (req/s)",
            "achieved (req/s)",
            "p95 (ms)",
            "generator CPU",
            "generator-bound",
            "busy workers",
            "connections",
        ],
    )


def worker_frame(detail: RunDetail) -> pd.DataFrame:
    """The worker processes over the cost windows: CPU-seconds, share, busy slots,
    connections."""
    columns = [
        "worker pid",
        "CPU (s)",
        "share of the work",
        "busy slots (mean)",
        "kept-alive connections at the end",
    ]
    return pd.DataFrame.from_records(
        [
            dict(
                zip(
                    columns,
                    (str(w.pid), w.cpu_s, w.share, w.busy_slots, w.connections),
                    strict=True,
                )
            )
            for w in detail.worker_rows
        ],
        columns=columns,
    )


def run_label(row: RunRow) -> str:
    """'flask | cpython-3.11 | gunicorn-sync w1 · rep 1 · 666fa8c7 (failed)'."""
    status = "" if row.status == "ok" else f" ({row.status})"
    return f"{row.config_key} · rep {row.repetition + 1} · {row.id[:8]}{status}"
