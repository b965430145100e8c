"""Intervals carried to the dollar: monotone in the measurements, a step function of
capacity, unknown with one repetition; not-ranked configurations; the arrival process; the
JSON shape `estimator estimate --json` promises."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from estimator.estimate import estimate
from estimator.report import render
from estimator.stats import Estimate
from tests.capacity.factory import summary
from tests.estimate.helpers import M7G, catalog, request

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _e(mean: float, rel: float) -> Estimate:
    return Estimate(mean=mean, ci_low=mean * (1 - rel), ci_high=mean * (1 + rel), n=5)


def _best(rel: float, rps: float = 1000.0):  # type: ignore[no-untyped-def]
    s = summary(d_ms=_e(4.0, rel), s_ms=_e(4.5, rel), x_max=_e(200.0, rel))
    best = estimate([s], catalog(M7G), request(rps), generated_at=AT).configurations[0].best
    assert best is not None
    return best


def test_the_dollar_interval_contains_the_mean_and_widens_with_the_ci() -> None:
    narrow, wide = _best(0.02), _best(0.2)
    for b in (narrow, wide):
        assert b.monthly_usd_low is not None
        assert b.monthly_usd_high is not None
        assert b.monthly_usd_low <= b.monthly_usd <= b.monthly_usd_high
        assert b.peak_instances_low is not None
        assert b.peak_instances_high is not None
        assert b.peak_instances_low <= b.peak_instances <= b.peak_instances_high
    assert wide.monthly_usd_low is not None
    assert narrow.monthly_usd_low is not None
    assert wide.monthly_usd_low <= narrow.monthly_usd_low
    assert wide.monthly_usd_high is not None
    assert narrow.monthly_usd_high is not None
    assert wide.monthly_usd_high >= narrow.monthly_usd_high


def test_whole_instances_make_the_dollar_interval_a_step_function() -> None:
    # every end is a whole number of instance-hours × the price: the ends move in steps of
    # one instance, and a small capacity spread can leave both ends on the same count
    price = M7G.usd_per_hour
    for rel in (0.0001, 0.05, 0.2):
        b = _best(rel)
        assert b.monthly_usd_low is not None
        assert b.monthly_usd_high is not None
        for end in (b.monthly_usd_low, b.monthly_usd_high):
            hours = end / price
            assert hours * 24 / Decimal(730) == (hours * 24 / Decimal(730)).to_integral_value()
    tiny = _best(0.0001)
    assert tiny.monthly_usd_low == tiny.monthly_usd == tiny.monthly_usd_high  # same count


def test_one_repetition_leaves_every_interval_unknown() -> None:
    report = estimate([summary()], catalog(M7G), request(1000), generated_at=AT)
    c = report.configurations[0]
    assert c.best is not None
    assert (c.best.monthly_usd_low, c.best.monthly_usd_high) == (None, None)
    assert (c.best.peak_instances_low, c.best.peak_instances_high) == (None, None)
    assert not c.best.capacity_rps.known
    assert c.cpu_ms_per_request.n == 1


def test_estimate_json_gives_cpu_cost_dollar_ends_and_tie_group() -> None:
    s = summary(d_ms=_e(4.0, 0.05), s_ms=_e(4.5, 0.05), x_max=_e(200.0, 0.05))
    data = json.loads(render(estimate([s], catalog(M7G), request(1000), generated_at=AT), "json"))
    (config,) = data["configurations"]
    assert set(config["cpu_ms_per_request"]) == {"mean", "ci_low", "ci_high", "n"}
    assert config["cpu_ms_per_request"]["mean"] == 4.0
    assert config["cpu_ms_per_request"]["n"] == 5
    assert set(config["measured_capacity_rps"]) == set(config["cpu_ms_per_request"])
    assert config["tie_group"] == 1
    for option in config["options"]:
        assert {"monthly_usd", "monthly_usd_low", "monthly_usd_high"} <= set(option)
        assert Decimal(option["monthly_usd_low"]) <= Decimal(option["monthly_usd"])
    assert "monthly_usd_low" in config["fargate"]
    assert "monthly_usd_low" in config["aws_lambda"]


def test_a_configuration_not_warmed_up_is_shown_but_not_ranked() -> None:
    warm = summary(key="app | cpython-3.11 | sync")
    cold = summary(key="app | pypy-3.10 | sync", variant="pypy-3.10", d_ms=1.0, s_ms=1.5)
    cold = cold.model_copy(update={"not_ranked_reason": "warm-up did not converge in 3 s"})
    report = estimate([cold, warm], catalog(M7G), request(1000), generated_at=AT)
    first, second = report.configurations
    assert (first.key, first.rank, first.tie_group) == (warm.key, 1, 1)
    assert (second.key, second.rank, second.tie_group) == (cold.key, None, None)
    assert second.best is not None  # priced and shown
    assert second.saving is None
    assert [h.key for h in report.headlines] == [warm.key]
    assert report.ties[0].configurations == 1
    assert any("not ranked" in w and "warm-up did not converge" in w for w in report.warnings)
    md = render(report, "md")
    assert "not warmed up — not ranked: warm-up did not converge in 3 s" in md


def test_the_report_names_the_arrival_process() -> None:
    s = summary().model_copy(update={"arrivals": "poisson"})
    report = estimate([s], catalog(M7G), request(1000), generated_at=AT)
    assert report.arrivals == ["poisson"]
    assert report.configurations[0].arrivals == "poisson"
    for fmt in ("md", "csv", "html"):
        assert "Poisson" in render(report, fmt)
    unknown = estimate([summary()], catalog(M7G), request(1000), generated_at=AT)
    assert unknown.arrivals == []
    assert "Poisson" not in render(unknown, "md")


def test_a_contradictory_measurement_is_a_warning() -> None:
    s = summary(x_max=260.0)  # above the 200 req/s that D = 4 ms and S = 5 ms allow
    report = estimate([s], catalog(M7G), request(1000), generated_at=AT)
    assert report.configurations[0].slo_utilization is not None
    assert report.configurations[0].slo_utilization > 1
    assert any("ρ_SLO > 1" in w for w in report.warnings)
