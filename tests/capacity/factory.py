"""Hand-made measured configurations for the capacity tests (no store, no runs)."""

from __future__ import annotations

from estimator.host import HostFacts
from estimator.scenario import ServerConfig, ServerKind
from estimator.stats import Estimate
from estimator.store.summary import ConfigSummary


def est(mean: float, low: float | None = None, high: float | None = None) -> Estimate:
    """An estimate; without low/high a single-run one (CI = mean)."""
    if low is None and high is None:
        return Estimate(mean=mean, ci_low=mean, ci_high=mean, n=1)
    return Estimate(
        mean=mean,
        ci_low=mean if low is None else low,
        ci_high=mean if high is None else high,
        n=3,
    )


def summary(
    *,
    key: str = "app | cpython-3.11 | sync",
    app: str = "app",
    variant: str = "cpython-3.11",
    kind: ServerKind = "gunicorn-sync",
    workers: int = 1,
    threads: int | None = None,
    d_ms: float | Estimate = 4.0,
    s_ms: float | Estimate = 5.0,
    p95_ms: float = 8.0,
    x_max: float | Estimate = 150.0,
    lower_bound: bool = False,
    m_w: float | Estimate = 30.0,
    m_0: float | Estimate = 20.0,
    server_cpus: int = 1,
    quota: float | None = None,
    threads_per_core: int = 1,
    slo_ms: float = 100.0,
    warnings: list[str] | None = None,
    reuse_port: bool = False,
    busy_workers: Estimate | None = None,
    uneven: bool = False,
) -> ConfigSummary:
    """Defaults: a sync worker on one CPU, D = 4 ms, S = 5 ms (1 ms not on the CPU),
    X_max = 150 req/s, M_w = 30 MiB, M_0 = 20 MiB, p95 SLO 100 ms."""
    server = ServerConfig(kind=kind, workers=workers, threads=threads, reuse_port=reuse_port)
    # the figures of one summary come from the same repetitions: plain numbers get the n of
    # the estimates given (zero spread), else n = 1
    given = [v.n for v in (d_ms, s_ms, x_max, m_w, m_0) if isinstance(v, Estimate)]
    n = max(given, default=1)

    def e(v: float | Estimate, scale: float = 1.0) -> Estimate:
        if isinstance(v, Estimate):
            return Estimate(
                mean=v.mean * scale, ci_low=v.ci_low * scale, ci_high=v.ci_high * scale, n=v.n
            )
        return Estimate(mean=v * scale, ci_low=v * scale, ci_high=v * scale, n=n)

    return ConfigSummary(
        key=key,
        app=app,
        variant=variant,
        server=server,
        run_ids=["run-1"],
        host=HostFacts(
            cpu_model="AMD EPYC", logical_cpus=2, threads_per_core=threads_per_core, kernel="6.1"
        ),
        server_cpus=server_cpus,
        quota_cpus=quota,
        cpu_s_per_request=e(d_ms, 0.001),
        latency_low_ms=e(s_ms),
        p95_steady_ms=e(p95_ms),
        capacity_rps=e(x_max),
        capacity_is_lower_bound=lower_bound,
        capacity_stop_reason="generator saturated" if lower_bound else "p95 over the SLO",
        worker_uss_mb=e(m_w),
        shared_mb=e(m_0),
        workers=workers,
        slots=server.slots,
        error_rate=0.0,
        slo_p95_ms=slo_ms,
        warnings=warnings or [],
        effective_workers=busy_workers,
        workers_uneven=uneven,
    )
