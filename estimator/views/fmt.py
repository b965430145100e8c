"""How the dashboard writes measured numbers: estimates with their CI and n, lower bounds as
"≥ X". Money and every cost phrase come from `estimator.display`, shared with the reports.
Display only; computations keep full precision."""

from __future__ import annotations

from estimator.stats import Estimate


def num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def ci(est: Estimate, digits: int = 1, scale: float = 1.0) -> str:
    """'88.0–105.4 (n=2)'; one measurement has no spread: 'n=1, no CI'. A physical quantity
    can't be negative: a CI reaching below 0 (two noisy repetitions) is shown from 0."""
    if est.n < 2:
        return "n=1, no CI"
    low = max(est.ci_low * scale, 0.0)
    return f"{low:,.{digits}f}–{est.ci_high * scale:,.{digits}f} (n={est.n})"


def capacity(value: float, lower_bound: bool, digits: int = 1) -> str:
    """'≥ 254.6' for a lower bound (the load generator saturated, or every step of the
    capacity search met the SLO): the server can do at least this."""
    return f"{'≥ ' if lower_bound else ''}{value:,.{digits}f}"


def pct(fraction: float, digits: int = 0) -> str:
    return f"{fraction * 100:.{digits}f}%"
