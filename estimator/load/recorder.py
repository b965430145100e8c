"""Per-process recording of one phase (runs inside a driver, on locust's request event).

Kept free of locust and gevent so it is unit-tested directly. `record()` is on the hot path
(once per request): a window check, three histogram updates and, for failures, a counter.
A request belongs to the phase when it *completes* in [start, start + duration).
"""

from __future__ import annotations

import re

from estimator.load.histogram import LatencyHistogram
from estimator.load.models import FailureCount
from estimator.load.protocol import DriverPhase, EndpointWire, SecondWire

_ADDRESS = re.compile(r" (object )?at 0x[0-9a-fA-F]+")
MAX_REASON = 300
MIN_WINDOW_S = 1e-3


def failure_reason(error: BaseException | str) -> str:
    """A stable, bounded description of a failure (memory addresses removed, so the same
    failure from different requests counts as one reason)."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    text = _ADDRESS.sub("", text).strip() or "unknown error"
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def status_class(status: int | None) -> str:
    """'2xx' … '5xx', or 'none' (no HTTP answer: the connection failed)."""
    return f"{status // 100}xx" if status is not None and 100 <= status < 600 else "none"


class _Tally:
    __slots__ = ("failures", "latency", "requests", "statuses")

    def __init__(self) -> None:
        self.requests = 0
        self.failures = 0
        self.latency = LatencyHistogram()
        self.statuses: dict[str, int] = {}


class PhaseRecorder:
    """Accumulates one phase's requests; `start` and `record(now, ...)` share one clock."""

    def __init__(self, name: str, *, start: float, duration: float, users: int) -> None:
        self.name = name
        self.start = start
        self.end = start + duration
        self.users = users
        self.total = _Tally()
        self._endpoints: dict[tuple[str, str], _Tally] = {}
        self._seconds: dict[int, _Tally] = {}
        self._reasons: dict[tuple[str, str, str], int] = {}

    def record(
        self,
        now: float,
        method: str,
        name: str,
        response_ms: float,
        error: BaseException | str | None = None,
        *,
        status: int | None = None,
    ) -> None:
        if not self.start <= now < self.end:
            return
        key = (method, name)
        endpoint = self._endpoints.get(key)
        if endpoint is None:
            endpoint = self._endpoints[key] = _Tally()
        second = int(now - self.start)
        tally = self._seconds.get(second)
        if tally is None:
            tally = self._seconds[second] = _Tally()
        for t in (self.total, endpoint, tally):
            t.requests += 1
        kind = status_class(status)
        endpoint.statuses[kind] = endpoint.statuses.get(kind, 0) + 1
        if error is None:
            for t in (self.total, endpoint, tally):
                t.latency.record(response_ms)
        else:
            for t in (self.total, endpoint, tally):
                t.failures += 1
            reason = (method, name, failure_reason(error))
            self._reasons[reason] = self._reasons.get(reason, 0) + 1

    def finish(self, *, cpu_s: float, start_lag_s: float) -> DriverPhase:
        return DriverPhase(
            name=self.name,
            users=self.users,
            requests=self.total.requests,
            failures=self.total.failures,
            latency=self.total.latency.to_data(),
            endpoints=[
                EndpointWire(
                    method=m,
                    name=n,
                    requests=t.requests,
                    failures=t.failures,
                    latency=t.latency.to_data(),
                    statuses=t.statuses,
                )
                for (m, n), t in sorted(self._endpoints.items())
            ],
            seconds=[
                SecondWire(
                    t=s, requests=t.requests, failures=t.failures, latency=t.latency.to_data()
                )
                for s, t in sorted(self._seconds.items())
            ],
            failure_reasons=[
                FailureCount(method=m, name=n, reason=r, count=c)
                for (m, n, r), c in sorted(self._reasons.items())
            ],
            cpu_s=max(cpu_s, 0.0),
            start_lag_s=max(start_lag_s, 0.0),
            window_s=max(self.end - self.start - max(start_lag_s, 0.0), MIN_WINDOW_S),
        )
