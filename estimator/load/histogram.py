"""A mergeable latency histogram with fixed relative resolution.

Locust rounds response times to whole milliseconds (and to 10 ms buckets above 100 ms), too
coarse for endpoints that answer in 1-3 ms. This histogram is log-linear, like HdrHistogram:
each power of two is split into `SUB_BUCKETS` = 128 equal sub-buckets, so a bucket's width is
at most 1/128 (0.78%) of its lower bound anywhere between `MIN_MS` (10 µs) and `MAX_MS` (60 s).
A percentile is reported as its bucket's midpoint, clamped to the exact minimum and maximum,
so it is within `RELATIVE_ERROR` (0.39%) of the true order statistic (the top rank is the
exact maximum). Values below `MIN_MS`
share the lowest bucket, values above `MAX_MS` the highest (the exact max is still kept).

Histograms with the same layout merge by adding counts, so per-process histograms combine
into exact totals. `to_data`/`from_data` convert to the `HistogramData` model (JSON on the
wire between generator processes, and in stored results).

Percentiles use the nearest-rank definition: the p-th percentile of n values is the
ceil(p·n)-th smallest value.
"""

from __future__ import annotations

import math

from estimator.load.models import HistogramData, LatencySummary

SUB_BITS = 7
SUB_BUCKETS = 1 << SUB_BITS
MIN_MS = 0.01
MAX_MS = 60_000.0
RELATIVE_RESOLUTION = 1.0 / SUB_BUCKETS
"""Largest bucket width relative to the bucket's lower bound."""
RELATIVE_ERROR = RELATIVE_RESOLUTION / 2
"""Largest error of a reported percentile relative to the true value (midpoint rule)."""


def bucket_index(value_ms: float) -> int:
    """The bucket holding `value_ms` (clamped to [MIN_MS, MAX_MS])."""
    v = MIN_MS if not value_ms > MIN_MS else min(value_ms, MAX_MS)
    mantissa, exponent = math.frexp(v)  # v = mantissa * 2**exponent, mantissa in [0.5, 1)
    sub = int((mantissa * 2.0 - 1.0) * SUB_BUCKETS)
    return exponent * SUB_BUCKETS + sub


def bucket_bounds(index: int) -> tuple[float, float]:
    """[low, high) of a bucket, in ms."""
    exponent, sub = divmod(index, SUB_BUCKETS)
    base = math.ldexp(1.0, exponent - 1)
    return base * (1.0 + sub / SUB_BUCKETS), base * (1.0 + (sub + 1) / SUB_BUCKETS)


class LatencyHistogram:
    """Counts of latencies (ms) in log-linear buckets, plus exact count, sum, min and max."""

    __slots__ = ("buckets", "count", "max", "min", "total")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.total = 0.0
        self.min = math.inf
        self.max = -math.inf

    def record(self, value_ms: float) -> None:
        idx = bucket_index(value_ms)
        self.buckets[idx] = self.buckets.get(idx, 0) + 1
        self.count += 1
        self.total += value_ms
        self.min = min(self.min, value_ms)
        self.max = max(self.max, value_ms)

    def merge(self, other: LatencyHistogram) -> None:
        """Add `other`'s counts into this histogram."""
        for idx, n in other.buckets.items():
            self.buckets[idx] = self.buckets.get(idx, 0) + n
        self.count += other.count
        self.total += other.total
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def percentile(self, q: float) -> float | None:
        """Nearest-rank percentile for q in (0, 1]; None when empty."""
        if not 0.0 < q <= 1.0:
            raise ValueError(f"percentile q = {q} must be in (0, 1]")
        if not self.count:
            return None
        rank = max(1, math.ceil(q * self.count - 1e-9))
        if rank >= self.count:
            return self.max
        seen = 0
        for idx in sorted(self.buckets):
            seen += self.buckets[idx]
            if seen >= rank:
                low, high = bucket_bounds(idx)
                return min(max((low + high) / 2.0, self.min), self.max)
        return self.max  # pragma: no cover - counts always add up to self.count

    def to_data(self) -> HistogramData:
        return HistogramData.model_construct(
            buckets=sorted(self.buckets.items()),
            count=self.count,
            total=self.total,
            min=self.min if self.count else None,
            max=self.max if self.count else None,
        )

    @classmethod
    def from_data(cls, data: HistogramData) -> LatencyHistogram:
        h = cls()
        for idx, n in data.buckets:
            h.buckets[idx] = h.buckets.get(idx, 0) + n
        h.count = data.count
        h.total = data.total
        if sum(h.buckets.values()) != h.count:
            raise ValueError(
                f"histogram buckets add up to {sum(h.buckets.values())}, not its count {h.count}"
            )
        if h.count:
            if data.min is None or data.max is None:
                raise ValueError("a non-empty histogram needs its min and max")
            h.min, h.max = data.min, data.max
        return h

    def summary(self) -> LatencySummary:
        return LatencySummary(
            count=self.count,
            mean_ms=self.mean,
            min_ms=self.min if self.count else None,
            p50_ms=self.percentile(0.50),
            p90_ms=self.percentile(0.90),
            p95_ms=self.percentile(0.95),
            p99_ms=self.percentile(0.99),
            max_ms=self.max if self.count else None,
            relative_error=RELATIVE_ERROR,
        )
