"""Merge the drivers' raw phase data into one `PhaseLoad` (parent side)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from estimator.load.histogram import LatencyHistogram
from estimator.load.models import (
    EndpointStats,
    FailureCount,
    PhaseLoad,
    PhaseSpec,
    SecondPoint,
)
from estimator.load.protocol import DriverPhase


class _Sum:
    def __init__(self) -> None:
        self.requests = 0
        self.failures = 0
        self.rate = 0.0
        self.latency = LatencyHistogram()
        self.statuses: dict[str, int] = {}

    def add(self, requests: int, failures: int, latency: LatencyHistogram, window_s: float) -> None:
        self.requests += requests
        self.failures += failures
        self.rate += requests / window_s
        self.latency.merge(latency)


def merge_phase(spec: PhaseSpec, parts: Sequence[DriverPhase], *, started_at: float) -> PhaseLoad:
    """Sum counts and histograms over drivers. Each driver's rate is its requests over the
    time it actually sent load (`window_s`: the phase duration minus its start lag), and the
    phase's throughput is the sum of those rates."""
    if not parts:
        raise ValueError("merge_phase() needs at least one driver's data")
    duration = spec.duration_s
    total = _Sum()
    endpoints: dict[tuple[str, str], _Sum] = {}
    seconds: dict[int, _Sum] = {}
    reasons: dict[tuple[str, str, str], int] = {}
    for part in parts:
        window = part.window_s
        total.add(part.requests, part.failures, LatencyHistogram.from_data(part.latency), window)
        for ep in part.endpoints:
            summed = endpoints.setdefault((ep.method, ep.name), _Sum())
            summed.add(ep.requests, ep.failures, LatencyHistogram.from_data(ep.latency), window)
            for kind, count in ep.statuses.items():
                summed.statuses[kind] = summed.statuses.get(kind, 0) + count
        for sec in part.seconds:
            seconds.setdefault(sec.t, _Sum()).add(
                sec.requests, sec.failures, LatencyHistogram.from_data(sec.latency), 1.0
            )
        for fc in part.failure_reasons:
            key = (fc.method, fc.name, fc.reason)
            reasons[key] = reasons.get(key, 0) + fc.count
    last_second = max(0, math.ceil(duration) - 1)
    return PhaseLoad(
        name=spec.name,
        kind=spec.kind,
        target_rate=spec.rate,
        users=sum(p.users for p in parts),
        generator_processes=len(parts),
        started_at=started_at,
        duration_s=duration,
        requests=total.requests,
        failures=total.failures,
        throughput_rps=total.rate,
        latency=total.latency.summary(),
        endpoints=[
            EndpointStats(
                method=m,
                name=n,
                requests=s.requests,
                failures=s.failures,
                throughput_rps=s.rate,
                latency=s.latency.summary(),
                statuses=s.statuses,
            )
            for (m, n), s in sorted(endpoints.items())
        ],
        failure_reasons=sorted(
            (FailureCount(method=m, name=n, reason=r, count=c) for (m, n, r), c in reasons.items()),
            key=lambda f: (-f.count, f.method, f.name, f.reason),
        ),
        series=[
            SecondPoint(
                t=t,
                requests=seconds[t].requests if t in seconds else 0,
                failures=seconds[t].failures if t in seconds else 0,
                p95_ms=seconds[t].latency.percentile(0.95) if t in seconds else None,
            )
            for t in range(last_second + 1)
        ],
        generator_cpu=[p.cpu_s / duration for p in parts],
        start_lag_s=max(p.start_lag_s for p in parts),
        histogram=total.latency.to_data(),
    )
