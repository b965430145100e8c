"""`diff_reports`: cost change per configuration, added/removed, the threshold, and the
inputs that changed between two reports."""

from __future__ import annotations

from decimal import Decimal

from estimator.estimate import EstimateReport
from estimator.report import diff_reports
from tests.report.reports import fixture_report


def scaled(report: EstimateReport, key: str, factor: str) -> EstimateReport:
    configs = []
    for c in report.configurations:
        if c.key != key:
            configs.append(c)
            continue
        b = c.options[0]
        changed = b.model_copy(update={"monthly_usd": b.monthly_usd * Decimal(factor)})
        configs.append(c.model_copy(update={"options": [changed, *c.options[1:]]}))
    return report.model_copy(update={"configurations": configs})


def without(report: EstimateReport, key: str) -> EstimateReport:
    kept = [c for c in report.configurations if c.key != key]
    return report.model_copy(update={"configurations": kept})


FIRST = fixture_report().configurations[0].key


def test_identical_reports_have_no_change() -> None:
    d = diff_reports(fixture_report(), fixture_report(), threshold_pct=Decimal(0))
    assert {r.status for r in d.rows} == {"unchanged"}
    assert all(r.change_usd == 0 for r in d.rows)
    assert d.input_changes == []
    assert not d.failed


def test_an_increase_over_the_threshold_fails() -> None:
    base = fixture_report()
    head = scaled(base, FIRST, "1.25")
    d = diff_reports(base, head, threshold_pct=Decimal(10))
    row = next(r for r in d.rows if r.key == FIRST)
    assert row.status == "changed"
    assert row.change_pct == Decimal(25)
    assert row.head_usd is not None
    assert row.base_usd is not None
    assert row.change_usd == row.head_usd - row.base_usd
    assert row.over_threshold
    assert d.failed
    assert [r.key for r in d.over] == [FIRST]


def test_an_increase_under_the_threshold_or_a_decrease_passes() -> None:
    base = fixture_report()
    assert not diff_reports(base, scaled(base, FIRST, "1.05"), threshold_pct=Decimal(10)).failed
    d = diff_reports(base, scaled(base, FIRST, "0.5"), threshold_pct=Decimal(0))
    assert not d.failed
    row = next(r for r in d.rows if r.key == FIRST)
    assert row.change_pct == Decimal(-50)


def test_without_a_threshold_nothing_fails() -> None:
    base = fixture_report()
    assert not diff_reports(base, scaled(base, FIRST, "3")).failed


def test_added_and_removed_configurations() -> None:
    base = fixture_report()
    d = diff_reports(without(base, FIRST), base, threshold_pct=Decimal(0))
    added = next(r for r in d.rows if r.key == FIRST)
    assert (added.status, added.base_usd, added.over_threshold) == ("added", None, False)
    d = diff_reports(base, without(base, FIRST), threshold_pct=Decimal(0))
    removed = next(r for r in d.rows if r.key == FIRST)
    assert (removed.status, removed.head_usd) == ("removed", None)


def test_a_configuration_head_cannot_price_counts_as_over() -> None:
    base = fixture_report()
    configs = [
        c.model_copy(update={"options": [], "unpriced_reason": "nothing fits"})
        if c.key == FIRST
        else c
        for c in base.configurations
    ]
    d = diff_reports(
        base, base.model_copy(update={"configurations": configs}), threshold_pct=Decimal(50)
    )
    row = next(r for r in d.rows if r.key == FIRST)
    assert row.status == "no longer priced"
    assert row.over_threshold


def test_input_changes_are_listed() -> None:
    base = fixture_report()
    head_request = base.request.model_copy(update={"region": "eu-west-1", "fleet": "fixed"})
    head = base.model_copy(update={"request": head_request, "estimator_version": "9"})
    changes = diff_reports(base, head).input_changes
    assert "region: us-east-1 → eu-west-1" in changes
    assert "fleet: autoscaled → fixed" in changes
    assert "estimator version: (golden) → 9" in changes


def test_diff_carries_the_change_interval_and_words_it_like_every_output() -> None:
    from io import StringIO

    from rich.console import Console

    from estimator.report.terminal import print_diff
    from tests.report.reports import display_report

    base = display_report()
    key = "shop | cpython-3.13 | gunicorn-gthread w1x4"
    head = scaled(base, key, "1.01")
    d = diff_reports(base, head)
    row = next(r for r in d.rows if r.key == key)
    assert row.known
    assert row.change_usd_low is not None
    assert row.change_usd_high is not None
    assert row.change_usd_low <= 0 <= row.change_usd_high  # inside the intervals: noise
    once = next(r for r in d.rows if r.key.startswith("once"))
    assert not once.known  # one repetition
    out = StringIO()
    print_diff(d, Console(file=out, width=250))
    text = out.getvalue()
    assert "no measurable difference" in text
    assert "no measurable difference (one measurement: no interval)" in text
