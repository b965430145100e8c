from __future__ import annotations

import math

import pytest

from estimator.stats import betainc, estimate, t_quantile, t_sf_two_sided, welch


@pytest.mark.parametrize(
    ("dof", "expected"),
    # two-sided 95% critical values from any Student t table
    [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (29, 2.045), (1000, 1.962)],
)
def test_t_quantile_matches_tables(dof: int, expected: float) -> None:
    assert t_quantile(0.95, dof) == pytest.approx(expected, abs=1e-3)


def test_betainc_symmetry_and_edges() -> None:
    assert betainc(2, 3, 0) == 0
    assert betainc(2, 3, 1) == 1
    # I_x(a,b) = 1 - I_{1-x}(b,a)
    assert betainc(2.5, 1.5, 0.3) == pytest.approx(1 - betainc(1.5, 2.5, 0.7), abs=1e-12)
    # I_x(1,1) = x
    assert betainc(1, 1, 0.37) == pytest.approx(0.37)


def test_t_sf() -> None:
    assert t_sf_two_sided(0.0, 5) == pytest.approx(1.0)
    assert t_sf_two_sided(2.571, 5) == pytest.approx(0.05, abs=1e-4)


def test_estimate_ci() -> None:
    e = estimate([10.0, 12.0, 14.0])
    assert e.mean == 12.0
    # sd = 2, se = 2/sqrt(3), t(0.95, 2) = 4.303
    assert e.half_width == pytest.approx(4.303 * 2 / math.sqrt(3), rel=1e-3)
    single = estimate([5.0])
    assert (single.ci_low, single.ci_high, single.n) == (5.0, 5.0, 1)
    with pytest.raises(ValueError, match="at least one"):
        estimate([])


def test_welch_detects_difference_and_not() -> None:
    a = [100.0, 101.0, 99.0, 100.5, 99.5]
    b = [110.0, 111.0, 109.0, 110.5, 109.5]
    assert welch(a, b).significant
    assert welch(a, b).ratio == pytest.approx(1.1)
    c = [100.2, 99.1, 101.3, 99.8, 100.0]
    verdict = welch(a, c)
    assert not verdict.significant
    assert "not significant" in verdict.reason


def test_welch_known_value() -> None:
    # SciPy 1.16: ttest_ind([2,4,6,8.5], [1,2,3,4], equal_var=False)
    # -> statistic=1.7127408306551661, pvalue=0.1579142676824098, df=4.236314660409189
    r = welch([1, 2, 3, 4], [2, 4, 6, 8.5])
    assert r.t == pytest.approx(1.7127408306551661, rel=1e-9)
    assert r.dof == pytest.approx(4.236314660409189, rel=1e-9)
    assert r.p_value == pytest.approx(0.1579142676824098, rel=1e-6)


def test_welch_needs_two_each() -> None:
    with pytest.raises(ValueError, match="repetitions"):
        welch([1.0], [1.0, 2.0])


def test_at_confidence_rescales_the_ci_by_t_quantiles() -> None:
    from estimator.stats import at_confidence, estimate

    e = estimate([1.0, 2.0, 3.0])  # mean 2, half-width 4.303 x 0.577 = 2.484
    wide = at_confidence(e, 0.99)  # t(0.99, 2) = 9.925
    assert wide.mean == e.mean
    assert wide.n == 3
    assert wide.ci_high - wide.mean == pytest.approx((e.ci_high - e.mean) * 9.925 / 4.303, 1e-3)
    assert at_confidence(e, 0.95) == e
    single = estimate([5.0])
    assert at_confidence(single, 0.99) == single
