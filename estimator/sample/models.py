"""Typed samples and summaries of the sampler (memory in MiB = 2**20 bytes, CPU in seconds
or in CPUs = CPU-seconds per second)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from estimator._model import Model

Role = Literal["master", "worker", "generator"]
GENERATOR_BOUND = 0.90
"""A generator process at least this busy (fraction of one CPU) is the bottleneck."""
GENERATOR_BUSY = 0.80
"""... and one this busy is, when the server leaves this share of its CPUs unused too."""
SERVER_SPARE = 0.80
MIB = 1024 * 1024


class ProcessSample(Model):
    """One process at one sampling tick (cumulative counters as the kernel reports them)."""

    t: float = Field(description="tick time on the sampler's clock (epoch seconds by default)")
    pid: int
    role: Role
    create_time: float | None
    cpu_user_s: float
    cpu_system_s: float
    rss_bytes: int
    uss_bytes: int | None = Field(description="None on ticks that skip the costly memory read")
    pss_bytes: int | None
    threads: int
    ctx_voluntary: int
    ctx_involuntary: int
    run_wait_s: float | None = Field(
        None, description="cumulative run-queue wait of the main thread (None: unknown)"
    )
    cpu_ns: int | None = Field(
        None, description="the process's CPU time, ns, all threads (None: unreadable)"
    )


class ResourceWindow(Model):
    """The server's and the generator's resource use over [t0, t1].

    CPU-seconds are deltas of each process's cumulative user+system time, interpolated
    linearly to t0 and t1 and summed over every PID seen (workers that respawn count from
    their birth; a process that dies loses at most its last sampling interval). Memory
    figures are medians over the window's memory ticks of: the mean over workers (per-worker
    figures), the sum over all server processes (total PSS), and total PSS − Σ worker USS
    (shared: what the workers share plus the master).

    Generator-bound: a process that is busy ≥ 90% of the time is the bottleneck. Its CPU time
    alone under-reads that when something else competes for its CPU (a busy loop sharing a
    core gets ~50% CPU yet waits the other 50%), so CPU + run-queue wait (its *demand*) counts
    too: the load generator is the limit whenever either reaches 0.90. `generator_limited()`
    also blames a generator ≥ 0.80 busy while the server leaves CPU unused."""

    t0: float
    t1: float
    ticks: int = Field(ge=0, description="sampling ticks inside the window")
    max_gap_s: float = Field(ge=0, description="longest stretch of the window without a tick")
    server_cpu_s: float = Field(ge=0)
    server_cpu_user_s: float = Field(ge=0)
    server_cpu_system_s: float = Field(ge=0)
    server_cpu_util: float = Field(ge=0, description="server CPU use, in CPUs")
    workers: int = Field(ge=0, description="median number of worker processes")
    workers_seen: int = Field(ge=0, description="distinct worker PIDs (more: respawns)")
    worker_uss_mib: float | None
    worker_rss_mib: float | None
    worker_pss_mib: float | None
    master_uss_mib: float | None
    master_rss_mib: float | None
    master_pss_mib: float | None
    total_pss_mib: float | None = Field(description="all server processes' PSS")
    shared_mib: float | None = Field(description="total PSS − Σ worker USS")
    server_threads: int | None = Field(description="median total threads of the server")
    ctx_voluntary: int = Field(ge=0, description="server context switches in the window")
    ctx_involuntary: int = Field(ge=0)
    server_run_wait_s: float | None = Field(
        None, description="server main threads' time runnable but not running (CPU contention)"
    )
    generator_cpu_busiest: float = Field(ge=0, description="busiest generator process, CPUs")
    generator_cpu_total: float = Field(ge=0, description="all generator processes, CPUs")
    generator_demand_busiest: float | None = Field(
        None,
        description="busiest generator process's CPU plus run-queue wait, per second: near 1 "
        "means it always wanted a CPU, even when others (contention) kept it from running",
    )
    generator_bound: bool = Field(
        description=f"busiest generator process's CPU or demand ≥ {GENERATOR_BOUND}"
    )

    @property
    def duration_s(self) -> float:
        return self.t1 - self.t0

    def generator_limited(self, server_cpus: float) -> bool:
        """The load generator, not the server, limited this window: `generator_bound`, or a
        generator ≥ GENERATOR_BUSY busy while the server used < SERVER_SPARE of the
        `server_cpus` it had (measured here: a locust driver 89% busy at 1.07k req/s on
        /healthz, the server at half its CPU, and wrk reaching 2.25k from the same server).
        Whatever else throttles a server with spare CPU (sync workers waiting on upstream
        calls) leaves the generator nearly idle."""
        if self.generator_bound:
            return True
        busiest = max(self.generator_cpu_busiest, self.generator_demand_busiest or 0.0)
        return busiest >= GENERATOR_BUSY and self.server_cpu_util < SERVER_SPARE * server_cpus

    def cpu_seconds_per_request(self, requests: int) -> float:
        """Server CPU-seconds per request completed in this window."""
        if requests <= 0:
            raise ValueError(
                "no request completed in the window: CPU-seconds per request is undefined"
            )
        return self.server_cpu_s / requests


class ResourcePoint(Model):
    """One step (a second, by default) of the run-detail time series."""

    t: float = Field(description="seconds since the series start")
    server_cpu: float = Field(ge=0, description="CPUs")
    workers: int = Field(ge=0)
    worker_uss_mib: float | None
    worker_pss_mib: float | None
    total_pss_mib: float | None
    generator_cpu_busiest: float = Field(ge=0, description="CPUs")
    generator_demand_busiest: float | None = Field(description="CPU + run-queue wait")
