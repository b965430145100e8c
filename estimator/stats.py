"""Repetition statistics: mean with a 95% confidence interval, and Welch's t-test.

Pure Python (no SciPy): the Student t distribution comes from the regularized incomplete
beta function (continued fraction, as in Numerical Recipes), checked against published
tables in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import Field

from estimator._model import Model

CONFIDENCE = 0.95


class Estimate(Model):
    """A measured quantity over n repetitions: mean and 95% CI (equal to the mean when n = 1:
    one run says nothing about its spread, and the reports say so via n)."""

    mean: float
    ci_low: float
    ci_high: float
    n: int = Field(ge=1)

    @property
    def half_width(self) -> float:
        return (self.ci_high - self.ci_low) / 2

    @property
    def relative_half_width(self) -> float:
        return self.half_width / abs(self.mean) if self.mean else math.inf


class Comparison(Model):
    """Welch's t-test of two sets of repetitions (like `pyperf compare_to`)."""

    mean_a: float
    mean_b: float
    ratio: float = Field(description="mean_b / mean_a")
    t: float
    dof: float
    p_value: float
    significant: bool = Field(description="p < 0.05")
    reason: str = Field(description="why the verdict holds, in words")


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(ln_front + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_sf_two_sided(t: float, dof: float) -> float:
    """P(|T| > |t|) for Student's t with `dof` degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return betainc(dof / 2.0, 0.5, dof / (dof + t * t))


def t_quantile(p: float, dof: float) -> float:
    """The t value with two-sided tail probability 1 - p (e.g. p = 0.95 → 12.706 at dof 1)."""
    tail = 1.0 - p
    lo, hi = 0.0, 1e6
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_sf_two_sided(mid, dof) > tail:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def estimate(values: Sequence[float]) -> Estimate:
    if not values:
        raise ValueError("estimate() needs at least one value")
    n = len(values)
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(mean=mean, ci_low=mean, ci_high=mean, n=1)
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile(CONFIDENCE, n - 1) * math.sqrt(var / n)
    return Estimate(mean=mean, ci_low=mean - half, ci_high=mean + half, n=n)


def at_confidence(e: Estimate, confidence: float) -> Estimate:
    """`e` with its CI rescaled from the 95% it carries to `confidence` (each side by the ratio
    of Student t quantiles at n − 1 degrees of freedom; e.g. wider for simultaneous intervals).
    One repetition has no CI to rescale: returned unchanged."""
    if e.n < 2 or confidence == CONFIDENCE:
        return e
    k = t_quantile(confidence, e.n - 1) / t_quantile(CONFIDENCE, e.n - 1)
    return Estimate(
        mean=e.mean,
        ci_low=e.mean - k * (e.mean - e.ci_low),
        ci_high=e.mean + k * (e.ci_high - e.mean),
        n=e.n,
    )


def welch(a: Sequence[float], b: Sequence[float], alpha: float = 0.05) -> Comparison:
    """Do `a` and `b` differ? Needs at least 2 values on each side to say anything."""
    if len(a) < 2 or len(b) < 2:
        raise ValueError(
            f"a significance test needs >= 2 repetitions per side (got {len(a)} and {len(b)}); "
            "raise 'repetitions' in the scenario"
        )
    ma, mb = math.fsum(a) / len(a), math.fsum(b) / len(b)
    va = math.fsum((x - ma) ** 2 for x in a) / (len(a) - 1)
    vb = math.fsum((x - mb) ** 2 for x in b) / (len(b) - 1)
    sa, sb = va / len(a), vb / len(b)
    ratio = mb / ma if ma else math.inf
    if sa + sb == 0:
        differ = ma != mb
        return Comparison(
            mean_a=ma,
            mean_b=mb,
            ratio=ratio,
            t=math.inf if differ else 0.0,
            dof=float(len(a) + len(b) - 2),
            p_value=0.0 if differ else 1.0,
            significant=differ,
            reason="no spread in either sample; " + ("means differ" if differ else "identical"),
        )
    t = (mb - ma) / math.sqrt(sa + sb)
    dof = (sa + sb) ** 2 / (
        (sa**2 / (len(a) - 1) if sa else 0.0) + (sb**2 / (len(b) - 1) if sb else 0.0)
    )
    p = t_sf_two_sided(t, dof)
    significant = p < alpha
    reason = (
        f"Welch t = {t:.2f}, dof = {dof:.1f}, p = {p:.3g} "
        f"{'<' if significant else '>='} {alpha}: "
        + ("the difference is significant" if significant else "not significant")
    )
    return Comparison(
        mean_a=ma,
        mean_b=mb,
        ratio=ratio,
        t=t,
        dof=dof,
        p_value=p,
        significant=significant,
        reason=reason,
    )
