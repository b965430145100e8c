"""`estimate()` on hand-made measurements and prices: counts, costs, ranking inputs, missing
prices, exclusions. The capacity figures are docs/model.md's worked example."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from estimator.display import headline_text
from estimator.estimate import EstimateError, EstimateReport, estimate
from estimator.store.summarize import Excluded, Summaries
from tests.capacity.factory import summary
from tests.estimate.helpers import M6I, M7G, catalog, instance, request

AT = datetime(2026, 1, 1, tzinfo=UTC)


def test_cheapest_instance_count_and_cost_by_hand() -> None:
    # m6i.large: 203.125 req/s (CPU binds) → ceil(1000 / 203.125) + 1 = 6 × 730 h × $0.096
    # m7g.large: 2 cores, X_cpu 325, X_conc 2 × 200 × 0.65 = 260 → 4 + 1 = 5 × 730 × $0.0816
    report = estimate([summary()], catalog(M6I, M7G), request(1000), generated_at=AT)
    (config,) = report.configurations
    best, runner_up = config.options
    assert best.instance_type == "m7g.large"
    assert best.binding == "concurrency"
    assert best.capacity_rps.value == pytest.approx(260)
    assert best.peak_instances == 5
    assert best.hourly_instances == [5] * 24
    assert best.monthly_usd == Decimal("297.840")
    assert best.monthly_usd_fixed == best.monthly_usd_autoscaled == best.monthly_usd
    assert runner_up.instance_type == "m6i.large"
    assert runner_up.binding == "cpu"
    assert runner_up.capacity_rps.value == pytest.approx(203.125)
    assert runner_up.monthly_usd == Decimal("420.480")
    # 1000 req/s × 3600 × 730 = 2.628 billion requests
    assert best.usd_per_million_requests == Decimal("297.84") / Decimal(2628)
    assert config.rank == 1
    assert report.headlines[0].monthly_usd == Decimal("297.840")


def test_money_is_decimal_and_json_carries_exact_strings() -> None:
    report = estimate([summary()], catalog(), request(1000), generated_at=AT)
    best = report.configurations[0].options[0]
    assert isinstance(best.monthly_usd, Decimal)
    data = json.loads(report.model_dump_json())
    option = data["configurations"][0]["options"][0]
    assert option["monthly_usd"] == "297.84"
    assert option["usd_per_hour"] == "0.0816"
    assert EstimateReport.model_validate_json(report.model_dump_json()) == report


def test_fixed_and_autoscaled_fleets_follow_the_hours() -> None:
    # 1000 req/s for 12 hours, 100 for 12: m7g.large needs 5 then ceil(100/260) + 1 = 2
    from estimator.capacity import TrafficProfile

    traffic = TrafficProfile(hourly_rps=[1000.0] * 12 + [100.0] * 12)
    auto = estimate([summary()], catalog(M7G), request(traffic=traffic), generated_at=AT)
    fixed = estimate(
        [summary()], catalog(M7G), request(traffic=traffic, fleet="fixed"), generated_at=AT
    )
    a, f = auto.configurations[0].options[0], fixed.configurations[0].options[0]
    # autoscaled: (12 × 5 + 12 × 2) instance-hours a day × 730 / 24 = 2555 × $0.0816
    assert a.monthly_usd == Decimal(2555) * Decimal("0.0816")
    assert f.monthly_usd == Decimal(5 * 730) * Decimal("0.0816")
    assert a.monthly_usd_fixed == f.monthly_usd
    assert f.monthly_usd_autoscaled == a.monthly_usd


def test_a_type_where_no_worker_fits_is_left_out_with_the_reason() -> None:
    tiny = instance("t9.nano", "0.001", memory="0.5")
    report = estimate([summary(m_w=400)], catalog(tiny, M6I), request(100), generated_at=AT)
    (config,) = report.configurations
    assert [o.instance_type for o in config.options] == ["m6i.large"]
    assert config.skipped == ["t9.nano: one worker does not fit in memory"]


def test_a_configuration_nothing_fits_is_unpriced_not_zero() -> None:
    big = summary(key="app | cpython-3.11 | big", m_w=20_000)
    report = estimate([summary(), big], catalog(), request(100), generated_at=AT)
    unpriced = report.config("app | cpython-3.11 | big")
    assert unpriced is not None
    assert unpriced.options == []
    assert unpriced.rank is None
    assert unpriced.unpriced_reason is not None
    assert "does not fit" in unpriced.unpriced_reason
    assert report.configurations[-1].key == unpriced.key
    assert report.configurations[0].rank == 1


def test_an_app_with_nothing_priced_is_a_report_warning() -> None:
    big = summary(key="big | cpython-3.11 | sync", app="big", m_w=20_000)
    report = estimate([summary(), big], catalog(), request(100), generated_at=AT)
    assert [h.app for h in report.headlines] == ["app"]
    assert any(w.startswith("no configuration of big could be priced") for w in report.warnings)


def test_a_target_slower_than_the_host_can_miss_the_slo() -> None:
    slow = request(100, assume=["cpu_speed_overrides.m6i=0.05"])
    report = estimate([summary(s_ms=20, p95_ms=90)], catalog(), slow, generated_at=AT)
    (config,) = report.configurations
    assert [o.instance_type for o in config.options] == ["m7g.large"]
    assert "m6i.large" in config.skipped[0]
    assert "SLO" in config.skipped[0]


def test_missing_prices_are_collected_once_and_never_zero() -> None:
    eu = [instance("m6i.large", "0.107", region="eu-west-1")]
    cat = catalog(M6I, M7G, *eu)
    two = [summary(), summary(key="app | cpython-3.13 | sync", variant="cpython-3.13")]
    report = estimate(two, cat, request(100, region="eu-west-1"), generated_at=AT)
    items = sorted(m.item for m in report.missing_prices)
    assert items == [
        "fargate arm64",
        "fargate x86_64",
        "lambda arm64",
        "lambda x86_64",
        "m7g.large",
    ]
    for c in report.configurations:
        assert c.fargate is None
        assert c.aws_lambda is None
        assert "Fargate: no price for this region (see missing prices)" in c.serverless_notes
        assert [o.instance_type for o in c.options] == ["m6i.large"]


def test_serverless_can_be_left_out() -> None:
    report = estimate([summary()], catalog(), request(100, include_serverless=False))
    c = report.configurations[0]
    assert c.fargate is None
    assert c.aws_lambda is None
    assert c.serverless_notes == []
    assert report.missing_prices == []


def test_filters_narrow_the_candidates() -> None:
    report = estimate([summary()], catalog(), request(100, arch="x86_64"), generated_at=AT)
    assert [o.instance_type for o in report.configurations[0].options] == ["m6i.large"]
    report = estimate(
        [summary()], catalog(), request(100, max_usd_per_hour=Decimal("0.09")), generated_at=AT
    )
    assert [o.instance_type for o in report.configurations[0].options] == ["m7g.large"]


def test_no_matching_price_is_one_clear_error() -> None:
    with pytest.raises(EstimateError, match=r"no EC2 price matches region=us-east-1.*max \$/hour"):
        estimate([summary()], catalog(), request(100, max_usd_per_hour=Decimal("0.01")))


def test_no_measurements_says_how_to_get_them() -> None:
    with pytest.raises(EstimateError, match="estimator run quick"):
        estimate(Summaries(summaries=[]), catalog(), request(100))
    only_excluded = Summaries(summaries=[], excluded=[Excluded(key="a", reason="no load")])
    with pytest.raises(EstimateError, match=r"1 excluded: no load.*estimator run quick"):
        estimate(only_excluded, catalog(), request(100))


def test_an_unusable_configuration_is_excluded_and_the_others_priced() -> None:
    broken = summary(key="app | cpython-3.13 | sync", variant="cpython-3.13", d_ms=0.0)
    report = estimate([summary(), broken], catalog(), request(100), generated_at=AT)
    assert [c.key for c in report.configurations] == ["app | cpython-3.11 | sync"]
    (excluded,) = report.excluded
    assert excluded.key == "app | cpython-3.13 | sync"
    assert "cpu_s_per_request" in excluded.reason


def test_generator_bound_measurement_makes_the_cost_an_upper_bound() -> None:
    # X_max 100 < what the host saturates at (200): the SLO-limited utilisation 0.5 comes from
    # a generator-bound run, so the capacity is a lower bound
    bound = summary(x_max=100, lower_bound=True)
    report = estimate([bound], catalog(), request(1000), generated_at=AT)
    best = report.configurations[0].options[0]
    assert best.lower_bound
    assert report.headlines[0].lower_bound
    assert "at most $" in headline_text(report.headlines[0], report)
    assert any(w.startswith("cost is an upper bound for 1 configuration") for w in report.warnings)


def test_the_report_carries_every_input() -> None:
    req = request(100, assume=["redundancy=2"], discount_pct=Decimal(10))
    report = estimate(
        [summary()],
        catalog(),
        req,
        scenarios=["quick", "quick"],
        results="r.sqlite",
        generated_at=AT,
    )
    assert report.request == req
    assert report.scenarios == ["quick"]
    assert report.results == "r.sqlite"
    assert report.generated_at == AT
    assert report.assumptions.redundancy == 2
    row = next(r for r in report.assumption_rows if r.name == "redundancy")
    assert (row.value, row.default, row.overridden) == ("2", "1", True)
    assert report.pricing.snapshot_date.isoformat() == "2026-01-02"
    assert report.pricing.sources == ["us-east-1 on-demand: custom (undated) test"]
    assert report.hosts[0].cpu_model == "AMD EPYC"
    assert report.traffic.requests_per_month == Decimal(262_800_000)
    assert report.notes


def test_measurement_warnings_stay_with_their_configuration() -> None:
    noisy = summary(warnings=["warm-up did not converge"], p95_ms=150)
    report = estimate([noisy], catalog(), request(100), generated_at=AT)
    c = report.configurations[0]
    assert "warm-up did not converge" in c.warnings
    assert c.warnings[0].startswith("measured p95 at the lowest steady rate (150.0 ms)")
    assert any("p95 at low load was over the SLO" in w for w in report.warnings)


def test_burstable_types_only_when_asked() -> None:
    t4g = instance("t4g.large", "0.0672", arch="arm64").model_copy(update={"burstable": True})
    prices = catalog(M6I, M7G, t4g)

    def types(**kw: object) -> set[str]:
        report = estimate([summary()], prices, request(1000, **kw), generated_at=AT)
        (config,) = report.configurations
        return {o.instance_type for o in config.options}

    assert "t4g.large" not in types()
    assert "t4g.large" in types(include_burstable=True)
    assert types(families=["t4g"]) == {"t4g.large"}  # naming a T family includes it
    assert request(1000).filters()["burstable"] == "excluded"
    assert "burstable" not in request(1000, include_burstable=True).filters()
