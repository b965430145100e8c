from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.estimate import EstimateError, EstimateReport
from estimator.pricing import Catalog, load_catalog
from estimator.store.compare import compare_configs
from estimator.views.costs import (
    cost_chart_frame,
    cost_rows,
    inputs_line,
    report_for,
    summaries_at,
)
from estimator.views.measured import measured_rows
from estimator.views.snapshot import StoreSnapshot
from estimator.views.table import COLUMNS, compare_frame, difference_frame
from estimator.views.whatif import WhatIf


@pytest.fixture(scope="module")
def report(snap: StoreSnapshot, catalog: Catalog) -> EstimateReport:
    return report_for(snap, WhatIf(peak_rps=300, profile="diurnal"), catalog)


def test_one_headline_per_app_with_the_cheapest_configuration(report: EstimateReport) -> None:
    assert {h.app for h in report.headlines} == {"flask", "fastapi"}
    rows = cost_rows(report)
    for h in report.headlines:
        app_costs = [r.monthly_usd for r in rows.values() if r.app == h.app and r.monthly_usd]
        assert h.monthly_usd == min(app_costs)
        assert rows[h.key].rank == "1"
    assert report.results is not None
    assert report.results.endswith("results.sqlite")
    assert report.scenarios == ["fixture"]


def test_cost_chart_marks_the_cheapest_and_the_baseline(report: EstimateReport) -> None:
    frame = cost_chart_frame(report)
    priced = [c for c in report.configurations if c.best is not None]
    assert len(frame) == len(priced)
    assert (frame["role"] == "cheapest").sum() == len(report.headlines)
    assert (frame["$/month"] > 0).all()


def test_the_inputs_line_states_every_input(report: EstimateReport) -> None:
    line = inputs_line(report)
    for part in (
        "peak 300 req/s",
        "profile 'diurnal'",
        "SLO p95 ≤ 100 ms",
        "us-east-1 on-demand",
        f"catalog {report.pricing.snapshot_date}",
        "target utilization 0.65",
        "redundancy +1",
        "730 h/month",
    ):
        assert part in line


def test_more_traffic_costs_more(snap: StoreSnapshot, catalog: Catalog) -> None:
    low = report_for(snap, WhatIf(peak_rps=100), catalog)
    high = report_for(snap, WhatIf(peak_rps=5000), catalog)
    for h_low, h_high in zip(low.headlines, high.headlines, strict=True):
        assert h_high.monthly_usd > h_low.monthly_usd


def test_a_discount_lowers_every_cost(snap: StoreSnapshot) -> None:
    base = report_for(snap, WhatIf(), load_catalog(user_catalog=False))
    off = report_for(
        snap, WhatIf(discount_pct=50), load_catalog(discount_pct="50", user_catalog=False)
    )
    for a, b in zip(base.headlines, off.headlines, strict=True):
        assert b.monthly_usd == pytest.approx(a.monthly_usd / 2, rel=Decimal("0.001"))


def test_a_baseline_picked_by_key(snap: StoreSnapshot, catalog: Catalog) -> None:
    key = "flask | cpython-3.13 | gunicorn-sync w1"
    rep = report_for(snap, WhatIf(), catalog, baseline=[key])
    flask = next(c for c in rep.configurations if c.key == key)
    assert flask.is_baseline
    assert cost_rows(rep)[key].saving == "baseline"


def test_apps_filter_and_slo(snap: StoreSnapshot, catalog: Catalog) -> None:
    rep = report_for(snap, WhatIf(), catalog, apps=["flask"])
    assert {c.app for c in rep.configurations} == {"flask"}
    strict = report_for(snap, WhatIf(slo_p95_ms=80), catalog)
    assert {c.slo_p95_ms for c in strict.configurations} == {80}
    assert summaries_at(snap, None).summaries == snap.summaries


def test_filters_that_match_no_price_raise(snap: StoreSnapshot, catalog: Catalog) -> None:
    with pytest.raises(EstimateError, match="no EC2 price matches"):
        report_for(snap, WhatIf(arch="arm64", families=["c7a"]), catalog)


def test_compare_table_has_measured_and_cost_columns(
    report: EstimateReport, snap: StoreSnapshot
) -> None:
    rows = measured_rows(snap.summaries)
    frame = compare_frame(rows, report)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 8
    flask = frame[frame["app"] == "flask"]["$/month"].dropna().tolist()
    assert flask == sorted(flask)  # cheapest first within each app
    bounded = frame[frame["capacity (req/s per CPU)"].str.startswith("≥")]
    assert not bounded.empty
    # the recorded lower bounds: every step of their (or one repetition's) search met the SLO
    assert set(bounded["note"]) == {
        "capacity ≥, cost ≤: every capacity-search step met the SLO (raise search_max_steps "
        "or search_start_fraction to find the limit)",
        "capacity ≥, cost ≤: a repetition's capacity search did not reach the server's limit",
    }
    measured_only = compare_frame(rows, None)
    assert measured_only["$/month"].isna().all()
    assert measured_only["capacity (req/s per CPU)"].notna().all()


def test_difference_of_two_configurations(report: EstimateReport, snap: StoreSnapshot) -> None:
    a, b = "flask | cpython-3.11 | gunicorn-sync w1", "flask | cpython-3.13 | gunicorn-sync w1"
    diff = compare_configs(snap.runs, a, b)
    frame = difference_frame(diff, report)
    assert frame["metric"].tolist()[-1] == "cost: cheapest EC2 option"
    assert set(frame["significant"]) <= {"yes", "no", "—"}
    cap = frame[frame["metric"].str.startswith("capacity")].iloc[0]
    assert cap["B ÷ A"] == pytest.approx(cap["B"] / cap["A"])


def test_why_line_names_the_measurements_behind_the_cost(report: EstimateReport) -> None:
    from estimator.views.costs import why_line

    h = next(h for h in report.headlines if h.app == "flask")
    line = why_line(report, h.key)
    c = report.config(h.key)
    assert c is not None
    assert c.best is not None
    assert line.startswith(f"{c.cpu_ms_per_request.mean:.2f} CPU-ms per request")
    assert f"{c.best.peak_instances} at the peak" in line
    assert f"({c.best.binding} binds)" in line
    assert "; the baseline: " in line
    assert why_line(report, "no | such | config") == ""
