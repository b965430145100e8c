"""Ranking per app by cost to the cent, and tie groups (costs the measurements cannot tell
apart)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from estimator.estimate import estimate
from estimator.estimate.models import TieMember
from estimator.estimate.ties import app_ties, group
from estimator.stats import Estimate
from tests.capacity.factory import summary
from tests.estimate.helpers import M6I, M7G, catalog, instance, request

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_ranked_within_each_app_cheapest_first() -> None:
    configs = [
        summary(key="b | cpython-3.11 | sync", app="b"),
        summary(key="a | cpython-3.11 | sync", app="a"),
        summary(key="a | cpython-3.13 | sync", app="a", variant="cpython-3.13", d_ms=2.0, s_ms=3.0),
    ]
    report = estimate(configs, catalog(M6I), request(2000), generated_at=AT)
    assert [(c.app, c.rank, c.key) for c in report.configurations] == [
        ("a", 1, "a | cpython-3.13 | sync"),
        ("a", 2, "a | cpython-3.11 | sync"),
        ("b", 1, "b | cpython-3.11 | sync"),
    ]
    assert [h.app for h in report.headlines] == ["a", "b"]


def test_equal_cost_is_ordered_by_lower_utilisation() -> None:
    # same instance count (3 × m7g.large) at 500 req/s, but the faster config runs cooler
    slow = summary(key="app | cpython-3.11 | sync")
    fast = summary(key="app | cpython-3.13 | sync", variant="cpython-3.13", d_ms=3.0, s_ms=3.5)
    report = estimate([slow, fast], catalog(M7G), request(500), generated_at=AT)
    first, second = report.configurations
    assert first.monthly_usd == second.monthly_usd
    assert first.key == "app | cpython-3.13 | sync"
    assert first.options[0].peak_utilization < second.options[0].peak_utilization


def test_identical_configurations_go_by_name() -> None:
    a = summary(key="app | cpython-3.11 | a")
    b = summary(key="app | cpython-3.11 | b")
    report = estimate([b, a], catalog(M7G), request(500), generated_at=AT)
    assert [c.key for c in report.configurations] == [
        "app | cpython-3.11 | a",
        "app | cpython-3.11 | b",
    ]


def test_options_of_equal_price_are_ordered_by_name() -> None:
    twin = instance("m6a.large", "0.096")
    report = estimate([summary()], catalog(M6I, twin), request(1000), generated_at=AT)
    assert report.configurations[0].options[0].instance_type == "m6a.large"


def _d(mean: float, half: float) -> Estimate:
    return Estimate(mean=mean, ci_low=mean - half, ci_high=mean + half, n=10)


def test_distinguishable_costs_are_in_different_tie_groups() -> None:
    # half the cost per request, each input ±2%: $297.84 vs $178.70, intervals far apart
    # even widened for k = 2
    slow = summary(
        key="app | cpython-3.11 | sync", d_ms=_d(4.0, 0.08), s_ms=_d(5.0, 0.1), x_max=_d(150, 3)
    )
    fast = summary(
        key="app | cpython-3.13 | sync",
        variant="cpython-3.13",
        d_ms=_d(2.0, 0.04),
        s_ms=_d(2.5, 0.05),
        x_max=_d(300, 6),
    )
    report = estimate([slow, fast], catalog(M7G), request(1000), generated_at=AT)
    assert [(c.key, c.rank, c.tie_group) for c in report.configurations] == [
        ("app | cpython-3.13 | sync", 1, 1),
        ("app | cpython-3.11 | sync", 2, 2),
    ]
    (ties,) = report.ties
    assert ties.configurations == 2
    assert ties.confidence == pytest.approx(0.975)
    assert [len(g.members) for g in ties.groups] == [1, 1]
    saving = report.configurations[0].saving  # vs the baseline, 3.11
    assert saving is not None
    assert saving.distinguishable
    assert (saving.usd_low, saving.usd_high) == (Decimal("119.136"), Decimal("119.136"))


def test_overlapping_costs_are_tied_within_noise_one_group() -> None:
    # D 4.0 vs 4.1 ms, each ±25%: the intervals overlap
    a = summary(key="app | cpython-3.11 | sync", d_ms=_d(4.0, 1.0), s_ms=_d(5.0, 0.1))
    b = summary(
        key="app | cpython-3.12 | sync", variant="cpython-3.12", d_ms=_d(4.1, 1.0), s_ms=5.0
    )
    report = estimate([a, b], catalog(M7G), request(1000), generated_at=AT)
    assert {c.tie_group for c in report.configurations} == {1}
    (group,) = report.ties[0].groups
    assert [m.key for m in group.members] == [c.key for c in report.configurations]
    saving = report.configurations[1].saving
    assert saving is not None
    assert not saving.distinguishable


def test_one_repetition_ties_with_everything() -> None:
    fast = summary(key="app | cpython-3.13 | sync", variant="cpython-3.13", d_ms=2.0, s_ms=2.5)
    slow = summary(key="app | cpython-3.11 | sync")
    report = estimate([slow, fast], catalog(M7G), request(1000), generated_at=AT)
    assert [c.tie_group for c in report.configurations] == [1, 1]
    assert report.configurations[0].best is not None
    assert report.configurations[0].best.monthly_usd_low is None  # unknown, not zero width


def test_tie_groups_are_connected_components_of_overlapping_intervals() -> None:
    def m(key: str, value: str, low: str | None, high: str | None) -> TieMember:
        return TieMember(
            key=key,
            monthly_usd=Decimal(value),
            monthly_usd_low=None if low is None else Decimal(low),
            monthly_usd_high=None if high is None else Decimal(high),
        )

    # a–b overlap, b–c overlap (a and c do not): one group; d is clear of them; e has no
    # upper end and overlaps d
    members = [
        m("c", "30", "25", "35"),
        m("a", "10", "5", "15"),
        m("b", "20", "14", "26"),
        m("d", "60", "50", "70"),
        m("e", "80", "65", None),
    ]
    groups = group(members)
    assert [[x.key for x in g] for g in groups] == [["a", "b", "c"], ["d", "e"]]
    assert [[x.key for x in g] for g in group([*members, m("f", "1", None, None)])] == [
        ["f", "a", "b", "c", "d", "e"]
    ]
    assert group([]) == []
    assert app_ties("x", members).groups[1].group == 2
