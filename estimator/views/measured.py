"""Measured figures per configuration, for the Compare page's table and charts: capacity per
CPU with its CI (a lower bound when the search did not reach the server's limit), p95 at the
steady rate, CPU-ms per request, memory per worker, and the latency percentiles of the runs."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence

import pandas as pd
from pydantic import Field

from estimator._model import Model
from estimator.load.search import lower_bound_why
from estimator.measure import RunResult
from estimator.stats import Estimate
from estimator.store.summary import ConfigSummary
from estimator.views import fmt

LOWER_BOUND = "lower bound (≥)"


class MeasuredRow(Model):
    key: str
    app: str
    variant: str
    server: str
    n: int = Field(description="repetitions summarised")
    cpus: float = Field(description="CPUs the server had: its quota, else the CPUs pinned")
    capacity_per_cpu: Estimate = Field(description="X_max ÷ cpus, req/s")
    lower_bound: bool
    stop_reason: str
    p95_ms: Estimate
    cpu_ms_per_request: Estimate
    worker_uss_mib: Estimate
    shared_mib: Estimate
    error_rate: float
    slo_p95_ms: float
    warnings: list[str]


def _scaled(e: Estimate, factor: float) -> Estimate:
    return Estimate(
        mean=e.mean * factor, ci_low=e.ci_low * factor, ci_high=e.ci_high * factor, n=e.n
    )


def measured_row(s: ConfigSummary) -> MeasuredRow:
    cpus = s.quota_cpus if s.quota_cpus else float(s.server_cpus)
    return MeasuredRow(
        key=s.key,
        app=s.app,
        variant=s.variant,
        server=s.server.label,
        n=len(s.run_ids),
        cpus=cpus,
        capacity_per_cpu=_scaled(s.capacity_rps, 1.0 / cpus),
        lower_bound=s.capacity_is_lower_bound,
        stop_reason=s.capacity_stop_reason,
        p95_ms=s.p95_steady_ms,
        cpu_ms_per_request=_scaled(s.cpu_s_per_request, 1000.0),
        worker_uss_mib=s.worker_uss_mb,
        shared_mib=s.shared_mb,
        error_rate=s.error_rate,
        slo_p95_ms=s.slo_p95_ms,
        warnings=s.warnings,
    )


def measured_rows(
    summaries: Sequence[ConfigSummary],
    *,
    apps: Sequence[str] | None = None,
    variants: Sequence[str] | None = None,
    servers: Sequence[str] | None = None,
) -> list[MeasuredRow]:
    """The configurations matching every filter given (None: no filter on that field)."""
    rows = [measured_row(s) for s in summaries]
    return [
        r
        for r in rows
        if (apps is None or r.app in apps)
        and (variants is None or r.variant in variants)
        and (servers is None or r.server in servers)
    ]


def capacity_frame(rows: Sequence[MeasuredRow]) -> pd.DataFrame:
    """One line per configuration: capacity per CPU with its CI, for a bar + error-bar chart."""
    return pd.DataFrame.from_records(
        [
            {
                "app": r.app,
                "interpreter": r.variant,
                "server config": r.server,
                "req/s per CPU": r.capacity_per_cpu.mean,
                "CI low": max(r.capacity_per_cpu.ci_low, 0.0),
                "CI high": r.capacity_per_cpu.ci_high,
                "measured as": LOWER_BOUND if r.lower_bound else "SLO-limited",
                "why a lower bound": lower_bound_why(r.stop_reason) if r.lower_bound else "",
                "label": fmt.capacity(r.capacity_per_cpu.mean, r.lower_bound),
            }
            for r in rows
        ],
        columns=[
            "app",
            "interpreter",
            "server config",
            "req/s per CPU",
            "CI low",
            "CI high",
            "measured as",
            "why a lower bound",
            "label",
        ],
    )


def memory_frame(rows: Sequence[MeasuredRow]) -> pd.DataFrame:
    """Private memory per worker (USS) and shared memory (PSS total − workers' USS), MiB."""
    records = []
    for r in rows:
        for kind, est in (
            ("per worker (USS)", r.worker_uss_mib),
            ("shared (PSS − USS)", r.shared_mib),
        ):
            records.append(
                {
                    "app": r.app,
                    "interpreter": r.variant,
                    "server config": r.server,
                    "configuration": f"{r.variant} · {r.server}",
                    "memory": kind,
                    "MiB": est.mean,
                }
            )
    return pd.DataFrame.from_records(
        records,
        columns=["app", "interpreter", "server config", "configuration", "memory", "MiB"],
    )


PERCENTILES = ("p50", "p90", "p95", "p99")


def latency_frame(runs: Sequence[RunResult], keys: Sequence[str]) -> pd.DataFrame:
    """Latency percentiles at each run's lowest steady rate, averaged over those windows (of
    every repetition) of each configuration in `keys` (ms; successful requests only)."""
    wanted = set(keys)
    per_key: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, RunResult] = {}
    for run in runs:
        if run.status != "ok" or run.config_key not in wanted:
            continue
        steady = [p for p in run.steady if p.load.requests > 0]
        if not steady:
            continue
        low = min(p.load.target_rate or 0.0 for p in steady)
        for window in [p for p in steady if (p.load.target_rate or 0.0) == low]:
            lat = window.load.latency
            for name, value in zip(
                PERCENTILES, (lat.p50_ms, lat.p90_ms, lat.p95_ms, lat.p99_ms), strict=True
            ):
                if value is not None:
                    per_key[run.config_key][name].append(value)
        names.setdefault(run.config_key, run)
    records = []
    for key, by_pct in per_key.items():
        cell = names[key].cell
        for name in PERCENTILES:
            values = by_pct.get(name)
            if values:
                records.append(
                    {
                        "app": cell.app.name,
                        "interpreter": cell.variant,
                        "server config": cell.server.label,
                        "configuration": f"{cell.variant} · {cell.server.label}",
                        "percentile": name,
                        "ms": statistics.fmean(values),
                        "windows": len(values),
                    }
                )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "app",
            "interpreter",
            "server config",
            "configuration",
            "percentile",
            "ms",
            "windows",
        ],
    )
