"""Ranking per app by cost to the cent, and how ties are explained."""

from __future__ import annotations

from datetime import UTC, datetime

from estimator.estimate import estimate
from estimator.estimate.ranking import explain_tie
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


def test_equal_cost_is_broken_by_lower_utilisation_and_explained() -> None:
    # same instance count (3 × m7g.large) at 500 req/s, but the faster config runs cooler
    slow = summary(key="app | cpython-3.11 | sync")
    fast = summary(key="app | cpython-3.13 | sync", variant="cpython-3.13", d_ms=3.0, s_ms=3.5)
    report = estimate([slow, fast], catalog(M7G), request(500), generated_at=AT)
    first, second = report.configurations
    assert first.monthly_usd == second.monthly_usd
    assert first.key == "app | cpython-3.13 | sync"
    assert first.options[0].peak_utilization < second.options[0].peak_utilization
    assert first.tie_note == second.tie_note
    assert first.tie_note is not None
    assert first.tie_note.startswith("tied at $178.70/month with app | cpython-3.11 | sync: ")
    assert "ranks first by lower binding-limit utilisation at the peak" in first.tie_note


def test_identical_configurations_tie_on_everything_and_go_by_name() -> None:
    a = summary(key="app | cpython-3.11 | a")
    b = summary(key="app | cpython-3.11 | b")
    report = estimate([b, a], catalog(M7G), request(500), generated_at=AT)
    assert [c.key for c in report.configurations] == [
        "app | cpython-3.11 | a",
        "app | cpython-3.11 | b",
    ]
    assert report.configurations[0].tie_note is not None
    assert report.configurations[0].tie_note.endswith("equal on every tie-breaker; ordered by name")


def test_options_of_equal_price_say_which_was_preferred() -> None:
    # two x86 types at the same price: the one with more memory does not matter, the one
    # with more cores (no SMT) has more capacity, so fewer instances... equal cost needs the
    # same count: same shape, different names
    twin = instance("m6a.large", "0.096")
    report = estimate([summary()], catalog(M6I, twin), request(1000), generated_at=AT)
    best = report.configurations[0].options[0]
    assert best.instance_type == "m6a.large"
    assert best.notes[0].startswith("tied at $420.48/month with m6i.large")


def test_explain_tie_is_silent_when_costs_differ() -> None:
    report = estimate([summary()], catalog(), request(1000), generated_at=AT)
    best, runner_up = report.configurations[0].options
    assert explain_tie(best, runner_up, "a", "b") is None
    assert report.configurations[0].tie_note is None
