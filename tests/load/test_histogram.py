from __future__ import annotations

import math
import random

import pytest

from estimator.load.histogram import (
    MAX_MS,
    MIN_MS,
    RELATIVE_ERROR,
    RELATIVE_RESOLUTION,
    LatencyHistogram,
    bucket_bounds,
    bucket_index,
)


def exact_percentile(values: list[float], q: float) -> float:
    """Nearest rank: the ceil(q·n)-th smallest value."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def hist_of(values: list[float]) -> LatencyHistogram:
    h = LatencyHistogram()
    for v in values:
        h.record(v)
    return h


@pytest.mark.parametrize("value", [MIN_MS, 0.0137, 0.5, 1.0, 1.234, 3.0, 99.9, 1000.0, MAX_MS])
def test_bucket_contains_value_and_is_narrow(value: float) -> None:
    low, high = bucket_bounds(bucket_index(value))
    assert low <= value < high
    assert (high - low) / low <= RELATIVE_RESOLUTION + 1e-12


def test_bucket_widths_stay_within_resolution_over_whole_range() -> None:
    rng = random.Random(1)
    for _ in range(5000):
        v = math.exp(rng.uniform(math.log(MIN_MS), math.log(MAX_MS)))
        low, high = bucket_bounds(bucket_index(v))
        assert low <= v < high
        assert (high - low) / low <= RELATIVE_RESOLUTION + 1e-12


def test_percentiles_match_exact_computation_within_stated_error() -> None:
    rng = random.Random(42)
    values = [rng.lognormvariate(0.5, 0.8) for _ in range(20_000)]  # ~1.6 ms median
    h = hist_of(values)
    for q in (0.5, 0.9, 0.95, 0.99, 0.999):
        got = h.percentile(q)
        want = exact_percentile(values, q)
        assert got is not None
        assert abs(got - want) / want <= RELATIVE_ERROR + 1e-12, (q, got, want)
    assert h.percentile(1.0) == max(values)
    assert h.min == min(values)
    assert h.max == max(values)
    assert h.mean == pytest.approx(math.fsum(values) / len(values))


def test_sub_millisecond_values_keep_their_resolution() -> None:
    # locust would round all of these to 0 or 1 ms
    values = [0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65]
    h = hist_of(values)
    assert h.percentile(0.5) == pytest.approx(0.40, rel=RELATIVE_ERROR)
    assert h.percentile(0.9) == pytest.approx(0.60, rel=RELATIVE_ERROR)


def test_single_value_is_exact() -> None:
    h = hist_of([2.5])
    assert h.percentile(0.5) == 2.5
    assert h.percentile(0.99) == 2.5


def test_out_of_range_values_are_clamped_but_extremes_exact() -> None:
    h = hist_of([0.001, 120_000.0])
    assert h.count == 2
    assert h.min == 0.001
    assert h.max == 120_000.0
    assert set(h.buckets) == {bucket_index(MIN_MS), bucket_index(MAX_MS)}
    assert h.percentile(1.0) == 120_000.0


def test_merge_equals_histogram_of_all_values() -> None:
    rng = random.Random(7)
    a = [rng.uniform(0.1, 50) for _ in range(3000)]
    b = [rng.expovariate(0.5) for _ in range(2000)]
    merged = hist_of(a)
    merged.merge(hist_of(b))
    whole = hist_of(a + b)
    assert merged.buckets == whole.buckets
    assert merged.count == whole.count == 5000
    assert merged.min == whole.min
    assert merged.max == whole.max
    for q in (0.5, 0.95, 0.99):
        assert merged.percentile(q) == whole.percentile(q)


def test_merge_with_empty_histogram_is_identity() -> None:
    h = hist_of([1.0, 2.0])
    h.merge(LatencyHistogram())
    assert (h.count, h.min, h.max) == (2, 1.0, 2.0)


def test_data_round_trip() -> None:
    h = hist_of([0.3, 1.7, 1.71, 25.0])
    back = LatencyHistogram.from_data(h.to_data())
    assert back.buckets == h.buckets
    assert (back.count, back.total, back.min, back.max) == (h.count, h.total, h.min, h.max)


def test_inconsistent_data_is_rejected() -> None:
    data = hist_of([1.0, 2.0]).to_data().model_copy(update={"count": 3})
    with pytest.raises(ValueError, match="add up to 2, not its count 3"):
        LatencyHistogram.from_data(data)


def test_empty_histogram() -> None:
    h = LatencyHistogram()
    assert h.percentile(0.95) is None
    assert h.mean is None
    s = h.summary()
    assert s.count == 0
    assert s.p95_ms is None
    assert s.max_ms is None


@pytest.mark.parametrize("q", [0.0, -0.1, 1.5])
def test_bad_quantile(q: float) -> None:
    with pytest.raises(ValueError, match="must be in"):
        hist_of([1.0]).percentile(q)


def test_summary_states_resolution() -> None:
    s = hist_of([1.0, 2.0, 3.0]).summary()
    assert s.relative_error == RELATIVE_ERROR
    assert s.min_ms == 1.0
    assert s.max_ms == 3.0
    assert s.p50_ms == pytest.approx(2.0, rel=RELATIVE_ERROR)
