"""Summaries of recorded samples: a `ResourceWindow` for an interval, and a time series.

Pure functions of the samples (no clock, no processes), so they are tested with synthetic
samples. See `ResourceWindow` for the definitions.
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from estimator.errors import EstimatorError
from estimator.sample.models import (
    GENERATOR_BOUND,
    MIB,
    ProcessSample,
    ResourcePoint,
    ResourceWindow,
)


class SamplerError(EstimatorError):
    """The sampler failed, or has no data for what was asked."""


class _Track:
    """One PID's samples in time order, with its counters interpolated at any time."""

    def __init__(self, samples: list[ProcessSample]) -> None:
        self.samples = samples
        self.times = [s.t for s in samples]
        self.role = samples[-1].role
        self.has_wait = all(s.run_wait_s is not None for s in samples)
        # Counters start at zero when a process is born: a virtual zero point at its birth
        # makes a worker that (re)spawned inside a window count from its start.
        born = samples[0].create_time
        self.birth = born if born is not None and born < samples[0].t else None

    def at(self, t: float, value: Callable[[ProcessSample], float]) -> float:
        times, samples = self.times, self.samples
        if t >= times[-1]:
            return value(samples[-1])
        if t <= times[0]:
            if self.birth is None:  # birth unknown: the first sample is the best guess
                return value(samples[0])
            if t <= self.birth:
                return 0.0
            return value(samples[0]) * (t - self.birth) / (times[0] - self.birth)
        i = bisect.bisect_right(times, t)
        (t_a, a), (t_b, b) = (times[i - 1], samples[i - 1]), (times[i], samples[i])
        va, vb = value(a), value(b)
        return va + (vb - va) * (t - t_a) / (t_b - t_a)

    def delta(self, t0: float, t1: float, value: Callable[[ProcessSample], float]) -> float:
        return max(0.0, self.at(t1, value) - self.at(t0, value))


def _user(s: ProcessSample) -> float:
    return s.cpu_user_s


def _system(s: ProcessSample) -> float:
    return s.cpu_system_s


def _vol(s: ProcessSample) -> float:
    return float(s.ctx_voluntary)


def _invol(s: ProcessSample) -> float:
    return float(s.ctx_involuntary)


def _wait(s: ProcessSample) -> float:
    return s.run_wait_s or 0.0


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _mib(value: float | None) -> float | None:
    return None if value is None else value / MIB


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


class SampleIndex:
    """Samples grouped by PID and by tick, for fast windows and series."""

    def __init__(self, samples: Iterable[ProcessSample]) -> None:
        by_pid: dict[int, list[ProcessSample]] = defaultdict(list)
        by_tick: dict[float, list[ProcessSample]] = defaultdict(list)
        for s in samples:
            by_pid[s.pid].append(s)
            by_tick[s.t].append(s)
        self.tracks = {pid: _Track(sorted(ss, key=lambda s: s.t)) for pid, ss in by_pid.items()}
        self.ticks = sorted(by_tick)
        self._by_tick = by_tick

    def window(self, t0: float, t1: float, *, allow_empty: bool = False) -> ResourceWindow:
        if not t1 > t0:
            raise ValueError(f"window [{t0}, {t1}] is empty")
        lo = bisect.bisect_left(self.ticks, t0)
        hi = bisect.bisect_right(self.ticks, t1)
        ticks = self.ticks[lo:hi]
        if not ticks and not allow_empty:
            raise SamplerError(
                f"no samples between {t0:.3f} and {t1:.3f}; start the sampler before the "
                "phase and stop it after"
            )
        edges = [t0, *ticks, t1]
        max_gap = max(b - a for a, b in itertools.pairwise(edges))
        server = [tr for tr in self.tracks.values() if tr.role != "generator"]
        generators = [tr for tr in self.tracks.values() if tr.role == "generator"]
        span = t1 - t0
        user = math.fsum(tr.delta(t0, t1, _user) for tr in server)
        system = math.fsum(tr.delta(t0, t1, _system) for tr in server)
        gen = [(tr.delta(t0, t1, _user) + tr.delta(t0, t1, _system)) / span for tr in generators]
        busiest = max(gen, default=0.0)
        demand = [
            cpu + tr.delta(t0, t1, _wait) / span
            for cpu, tr in zip(gen, generators, strict=True)
            if tr.has_wait
        ]
        busiest_demand = max(demand) if demand else None
        waits = [tr.delta(t0, t1, _wait) for tr in server if tr.has_wait]
        mem = self._memory([self._by_tick[t] for t in ticks])
        return ResourceWindow(
            t0=t0,
            t1=t1,
            ticks=len(ticks),
            max_gap_s=max_gap,
            server_cpu_s=user + system,
            server_cpu_user_s=user,
            server_cpu_system_s=system,
            server_cpu_util=(user + system) / span,
            ctx_voluntary=round(math.fsum(tr.delta(t0, t1, _vol) for tr in server)),
            ctx_involuntary=round(math.fsum(tr.delta(t0, t1, _invol) for tr in server)),
            generator_cpu_busiest=busiest,
            generator_cpu_total=math.fsum(gen),
            generator_demand_busiest=busiest_demand,
            generator_bound=max(busiest, busiest_demand or 0.0) >= GENERATOR_BOUND,
            server_run_wait_s=math.fsum(waits) if waits else None,
            **mem,
        )

    @staticmethod
    def _memory(ticks: list[list[ProcessSample]]) -> dict[str, float | int | None]:
        counts: list[int] = []
        threads: list[int] = []
        uss: list[float] = []
        rss: list[float] = []
        pss: list[float] = []
        total_pss: list[float] = []
        shared: list[float] = []
        master: dict[str, list[float]] = {"uss": [], "rss": [], "pss": []}
        seen: set[int] = set()
        for samples in ticks:
            workers = [s for s in samples if s.role == "worker"]
            server = [s for s in samples if s.role != "generator"]
            seen.update(s.pid for s in workers)
            counts.append(len(workers))
            threads.append(sum(s.threads for s in server))
            if not server or any(s.uss_bytes is None or s.pss_bytes is None for s in server):
                continue  # not a memory tick
            for s in server:
                if s.role == "master":
                    master["uss"].append(float(s.uss_bytes or 0))
                    master["rss"].append(float(s.rss_bytes))
                    master["pss"].append(float(s.pss_bytes or 0))
            total = math.fsum(float(s.pss_bytes or 0) for s in server)
            total_pss.append(total)
            if workers:
                w_uss = [float(s.uss_bytes or 0) for s in workers]
                uss.append(_mean(w_uss))
                rss.append(_mean([float(s.rss_bytes) for s in workers]))
                pss.append(_mean([float(s.pss_bytes or 0) for s in workers]))
                shared.append(total - math.fsum(w_uss))
        median_threads = _median(threads)
        return {
            "workers": round(_median(counts) or 0),
            "workers_seen": len(seen),
            "worker_uss_mib": _mib(_median(uss)),
            "worker_rss_mib": _mib(_median(rss)),
            "worker_pss_mib": _mib(_median(pss)),
            "master_uss_mib": _mib(_median(master["uss"])),
            "master_rss_mib": _mib(_median(master["rss"])),
            "master_pss_mib": _mib(_median(master["pss"])),
            "total_pss_mib": _mib(_median(total_pss)),
            "shared_mib": _mib(_median(shared)),
            "server_threads": None if median_threads is None else round(median_threads),
        }

    def series(self, t0: float, t1: float, step_s: float = 1.0) -> list[ResourcePoint]:
        """One point per `step_s` from t0 (the last one may be shorter)."""
        if step_s <= 0:
            raise ValueError(f"step_s = {step_s} must be positive")
        points = []
        steps = max(1, math.ceil((t1 - t0) / step_s - 1e-9))
        for k in range(steps):
            a = t0 + k * step_s
            b = min(t1, a + step_s)
            if b <= a:
                break
            w = self.window(a, b, allow_empty=True)
            points.append(
                ResourcePoint(
                    t=a - t0,
                    server_cpu=w.server_cpu_util,
                    workers=w.workers,
                    worker_uss_mib=w.worker_uss_mib,
                    worker_pss_mib=w.worker_pss_mib,
                    total_pss_mib=w.total_pss_mib,
                    generator_cpu_busiest=w.generator_cpu_busiest,
                    generator_demand_busiest=w.generator_demand_busiest,
                )
            )
        return points


def summarize(samples: Iterable[ProcessSample], t0: float, t1: float) -> ResourceWindow:
    """`ResourceWindow` of `samples` over [t0, t1]."""
    return SampleIndex(samples).window(t0, t1)
