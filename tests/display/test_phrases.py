"""The words of savings, intervals and ties: one place, the same in every output."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.capacity import Interval
from estimator.display import saving_phrase, usd_range
from estimator.display.phrases import change_phrase
from estimator.display.text import count_range, rps
from estimator.estimate import Saving

D = Decimal


def saving(
    low: str | None,
    high: str | None,
    *,
    usd: str = "10",
    known: bool = True,
    distinguishable: bool = True,
    baseline_lower_bound: bool = False,
    lower_bound: bool = False,
) -> Saving:
    base = D(100)
    return Saving(
        baseline_key="app | cpython-3.11 | sync",
        baseline_usd=base,
        usd=D(usd),
        usd_low=None if low is None else D(low),
        usd_high=None if high is None else D(high),
        pct=D(usd),
        pct_low=None if low is None else D(low),
        pct_high=None if high is None else D(high),
        known=known,
        distinguishable=distinguishable,
        baseline_lower_bound=baseline_lower_bound,
        lower_bound=lower_bound,
    )


@pytest.mark.parametrize(
    ("s", "text"),
    [
        (saving("5", "15"), "saves $5.00–$15.00/month (5.0%–15.0%)"),
        (saving("5", "5"), "saves $5.00/month at both ends (5.0%)"),
        (saving("5", None), "saves at least $5.00/month (5.0%)"),
        (saving("5", "90", lower_bound=True), "saves at least $5.00/month (5.0%)"),
        (saving("-15", "-5", usd="-10"), "costs $5.00–$15.00/month more (5.0%–15.0%)"),
        (saving(None, "-5", usd="-10"), "costs at least $5.00/month more (5.0%)"),
        (saving("-5", "15"), "no measurable difference"),
        (saving("5", "15", distinguishable=False), "no measurable difference"),
        (
            saving(None, None, known=False),
            "no measurable difference (one measurement: no interval)",
        ),
        (saving("-80", "15", baseline_lower_bound=True), "saves at most $15.00/month (15.0%)"),
        (
            saving("-80", "-3", usd="-5", baseline_lower_bound=True),
            "costs at least $3.00/month more",
        ),
        (
            saving("-80", None, baseline_lower_bound=True),
            "no measurable difference (the baseline's capacity is a lower bound)",
        ),
    ],
)
def test_saving_wording(s: Saving, text: str) -> None:
    assert saving_phrase(s) == text


def test_the_baseline_and_a_missing_saving() -> None:
    assert saving_phrase(saving("5", "15"), is_baseline=True) == "baseline"
    assert saving_phrase(None).startswith("no saving computed")


def test_an_interval_spanning_zero_never_reads_as_a_saving() -> None:
    # even when the tie rule (wider intervals) is not consulted, a span of 0 is no difference
    for low, high in (("-1", "1"), ("0", "4"), ("-4", "0")):
        assert saving_phrase(saving(low, high)) == "no measurable difference"


def test_money_intervals() -> None:
    assert usd_range(D("49.641"), D("104.449")) == "$49.64–$104.45"
    assert usd_range(D("49.64"), None) == "≥ $49.64"
    assert usd_range(D("49.64"), D("104.45"), lower_bound=True) == "≤ $104.45"
    assert usd_range(None, None) == "unknown: one measurement"
    assert usd_range(D("65.15"), D("65.152")) == "$65.15 at both ends"


def test_count_and_capacity_intervals() -> None:
    assert count_range(5, 4, 6, known=True) == "4–6"
    assert count_range(5, 2, None, known=True) == "≥ 2"
    assert count_range(5, None, None, known=False) == "unknown"
    assert rps(Interval(value=125.7, low=93.1, high=189.7)) == "125.7 req/s (93.1–189.7)"
    assert rps(Interval.unknown(125.7)) == "125.7 req/s (range unknown)"
    assert rps(Interval(value=125.7, low=100.0, high=None), lower_bound=True) == "≥ 125.7 req/s"


@pytest.mark.parametrize(
    ("args", "kw", "text"),
    [
        (("10", "4", "16"), {}, "+$4.00–$16.00"),
        (("-10", "-16", "-4"), {}, "-$4.00–$16.00"),
        (("1", "-4", "6"), {}, "no measurable difference"),
        (
            ("10", None, None),
            {"known": False},
            "no measurable difference (one measurement: no interval)",
        ),
        (("10", "-50", "16"), {"head_lower_bound": True}, "at most +$16.00"),
        (("10", "4", "90"), {"base_lower_bound": True}, "at least +$4.00"),
    ],
)
def test_diff_change_wording(args: tuple[str | None, ...], kw: dict[str, bool], text: str) -> None:
    change, low, high = (None if a is None else D(a) for a in args)
    assert change_phrase(change, low, high, **{"known": True, **kw}) == text
