"""Numbers and intervals as text. Display only: computations keep full precision."""

from __future__ import annotations

from decimal import Decimal

from estimator.capacity import Interval
from estimator.money import cents
from estimator.stats import Estimate

UNKNOWN = "unknown: one measurement"


def amount(value: Decimal) -> str:
    """Cents, no symbol or separators: '1234.50' (CSV)."""
    return f"{cents(value)}"


def usd(value: Decimal | None, *, bound: bool = False) -> str:
    """'$1,234.50'; '≤ $1,234.50' for an upper bound; '' for None."""
    if value is None:
        return ""
    sign = "-" if cents(value) < 0 else ""
    return f"{'≤ ' if bound else ''}{sign}${cents(abs(value)):,}"


def pct(value: Decimal) -> str:
    return f"{value:.1f}%"


def usd_range(low: Decimal | None, high: Decimal | None, *, lower_bound: bool = False) -> str:
    """A $/month interval: '$49.64–$104.45'; '≥ $49.64' (no finite upper end); '≤ $104.45'
    (the capacity behind it is a lower bound: at most); 'unknown: one measurement' when
    `low` is None; '$65.15 at both ends' when whole instances make both ends equal."""
    if low is None:
        return UNKNOWN
    if lower_bound:
        return "≤ no finite upper end" if high is None else f"≤ {usd(high)}"
    if high is None:
        return f"≥ {usd(low)}"
    if cents(low) == cents(high):
        return f"{usd(low)} at both ends"
    return f"{usd(low)}–{usd(high)}"


def count_range(value: int, low: int | None, high: int | None, *, known: bool) -> str:
    """Instances at the ends of the capacity spread: '4–6'; '≥ 4'; 'unknown'."""
    if not known or low is None:
        return "unknown"
    if high is None:
        return f"≥ {low}"
    return str(value) if low == high else f"{low}–{high}"


def rps(interval: Interval, *, lower_bound: bool = False) -> str:
    """'125.7 req/s (93.1–189.7)'; '≥ 125.7 req/s' for a lower bound; '(range unknown)'."""
    head = f"{'≥ ' if lower_bound else ''}{interval.value:,.1f} req/s"
    if not interval.known or interval.low is None:
        return f"{head} (range unknown)"
    if lower_bound:
        return head
    if interval.high is None:
        return f"{head} (≥ {interval.low:,.1f})"
    return f"{head} ({interval.low:,.1f}–{interval.high:,.1f})"


def estimate(e: Estimate, unit: str = "", digits: int = 3) -> str:
    """'4.26 ms (95% CI 2.81–5.71, n=2)'; one measurement: '4.26 ms (n=1, no CI)'."""
    head = f"{e.mean:.{digits}g}{' ' + unit if unit else ''}"
    if e.n < 2:
        return f"{head} (n=1, no CI)"
    return f"{head} (95% CI {e.ci_low:.{digits}g}–{e.ci_high:.{digits}g}, n={e.n})"


def span(counts: list[int]) -> str:
    lo, hi = min(counts), max(counts)
    return str(lo) if lo == hi else f"{lo}–{hi}"
