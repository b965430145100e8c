from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from estimator.capacity import (
    DEFAULT_QUOTA_CURVE,
    CapacityError,
    QuotaCurve,
    QuotaPoint,
    fit_quota_curve,
    quota_curve_from_summaries,
)
from tests.capacity.factory import summary


def test_default_curve_interpolates_linearly_through_zero() -> None:
    c = DEFAULT_QUOTA_CURVE
    assert c.ratio(0.25) == pytest.approx(0.19)
    assert c.ratio(0.5) == pytest.approx(0.42)
    assert c.ratio(0.125) == pytest.approx(0.095)  # half way from (0, 0) to (0.25, 0.19)
    assert c.ratio(0.375) == pytest.approx(0.305)  # 0.19 + (0.42 - 0.19) / 2
    assert c.ratio(0.75) == pytest.approx(0.71)  # 0.42 + (1 - 0.42) / 2
    assert c.ratio(2.0) == pytest.approx(2.0)  # beyond the last point: proportional
    assert c.efficiency(0.25) == pytest.approx(0.76)  # 0.19 / 0.25
    assert c.efficiency(0.5) == pytest.approx(0.84)
    assert c.efficiency(4.0) == pytest.approx(1.0)


def test_ratio_needs_a_positive_quota() -> None:
    with pytest.raises(CapacityError, match="quota = 0"):
        DEFAULT_QUOTA_CURVE.ratio(0)


def test_points_must_ascend() -> None:
    with pytest.raises(ValidationError, match="ascending"):
        QuotaCurve(
            points=[QuotaPoint(quota=0.5, ratio=0.4), QuotaPoint(quota=0.25, ratio=0.2)],
            source="x",
        )


def test_fit_averages_repeats_and_anchors_one_cpu() -> None:
    c = fit_quota_curve([(0.5, 0.40), (0.5, 0.44), (0.25, 0.2)], "test")
    assert [(p.quota, p.ratio) for p in c.points] == [
        (0.25, 0.2),
        (0.5, pytest.approx(0.42)),
        (1.0, 1.0),
    ]
    assert c.source == "test"


def test_fit_makes_ratios_non_decreasing() -> None:
    # 0.3 at 0.25 CPU and 0.2 at 0.5 CPU violate monotonicity: both pool to 0.25
    c = fit_quota_curve([(0.25, 0.3), (0.5, 0.2)], "noisy")
    assert [p.ratio for p in c.points] == [pytest.approx(0.25), pytest.approx(0.25), 1.0]


def test_fit_with_a_point_above_one_cpu_extrapolates_its_efficiency() -> None:
    c = fit_quota_curve([(0.5, 0.4), (2.0, 1.8)], "big")
    assert [p.quota for p in c.points] == [0.5, 2.0]  # no anchor needed
    assert c.ratio(4.0) == pytest.approx(3.6)  # 4 × 1.8 / 2
    assert c.ratio(1.0) == pytest.approx(0.4 + (1.8 - 0.4) * 0.5 / 1.5)


@pytest.mark.parametrize("pairs", [[], [(0.0, 0.5)], [(0.5, -1.0)], [(math.nan, 0.5)]])
def test_fit_rejects_bad_points(pairs: list[tuple[float, float]]) -> None:
    with pytest.raises(CapacityError):
        fit_quota_curve(pairs, "bad")


def test_curve_from_the_stores_quota_runs() -> None:
    ref = summary(key="ref", x_max=150)
    half = summary(key="half", x_max=63, quota=0.5)  # 63 ÷ 150 = 0.42
    quarter = summary(key="quarter", x_max=28.5, quota=0.25)  # 28.5 ÷ 150 = 0.19
    skipped_bound = summary(key="bound", x_max=10, quota=0.75, lower_bound=True)
    unmatched = summary(key="other", app="other", x_max=10, quota=0.75)
    two_cpu_ref = summary(key="ref2", x_max=290, server_cpus=2)  # not the 1-CPU reference
    c = quota_curve_from_summaries([ref, half, quarter, skipped_bound, unmatched, two_cpu_ref])
    assert c is not None
    assert [(p.quota, p.ratio) for p in c.points] == [
        (0.25, pytest.approx(0.19)),
        (0.5, pytest.approx(0.42)),
        (1.0, 1.0),
    ]
    assert "quarter" in c.source
    assert "bound" not in c.source


def test_curve_from_a_multi_cpu_reference_uses_its_per_cpu_rate() -> None:
    ref = summary(key="ref2", x_max=300, server_cpus=2)  # 150 req/s per CPU
    half = summary(key="half", x_max=63, quota=0.5, server_cpus=2)
    c = quota_curve_from_summaries([ref, half])
    assert c is not None
    assert c.ratio(0.5) == pytest.approx(0.42)


def test_no_quota_runs_no_curve() -> None:
    assert quota_curve_from_summaries([summary()]) is None
