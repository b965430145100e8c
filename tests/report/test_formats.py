"""Every format: the same numbers, every input, assumption, catalog date and measurement host;
JSON reads back; HTML is one self-contained, well-formed page."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from estimator.display import host_line, usd
from estimator.estimate import EstimateReport
from estimator.money import cents
from estimator.report import FORMATS, ReportError, parse_report, render
from estimator.report.csv import COLUMNS, read_rows
from tests.report.reports import fixture_report, markdown_plain


@pytest.fixture
def report() -> EstimateReport:
    return fixture_report()


def test_registry_has_one_formatter_per_format() -> None:
    assert sorted(FORMATS) == ["csv", "html", "json", "md"]
    with pytest.raises(ReportError, match="'pdf' is unknown; use one of csv, json, md, html"):
        render(fixture_report(), "pdf")


def test_json_round_trips(report: EstimateReport) -> None:
    text = render(report, "json")
    back = parse_report(text, "test")
    assert back == report
    assert '"schema_version": 2' in text
    assert re.search(r'"monthly_usd": "\d+\.\d+"', text)


def test_fixture_report_ranks_and_prices_every_configuration(report: EstimateReport) -> None:
    assert len(report.configurations) == 8
    assert {c.app for c in report.configurations} == {"flask", "fastapi"}
    assert all(c.best is not None for c in report.configurations)
    assert sorted(c.rank or 0 for c in report.configurations) == [1, 1, 2, 2, 3, 3, 4, 4]
    assert [h.app for h in report.headlines] == ["fastapi", "flask"]
    assert all(
        c.baseline_key and "cpython-3.11 | gunicorn-sync w1" in c.baseline_key
        for c in report.configurations
    )


def test_csv_totals_equal_the_json_totals(report: EstimateReport) -> None:
    rows = read_rows(render(report, "csv"))
    assert list(rows[0]) == list(COLUMNS)
    assert [r["configuration"] for r in rows] == [c.key for c in report.configurations]
    for r, c in zip(rows, report.configurations, strict=True):
        b = c.best
        assert b is not None
        assert Decimal(r["monthly_usd"]) == cents(b.monthly_usd)
        assert Decimal(r["monthly_usd_fixed"]) == cents(b.monthly_usd_fixed)
        assert Decimal(r["usd_per_million_requests"]) == cents(b.usd_per_million_requests)
        assert int(r["peak_instances"]) == b.peak_instances
        assert r["instance_type"] == b.instance_type
        assert r["binding_limit"] == b.binding
        assert c.saving is not None
        assert Decimal(r["saving_usd"]) == cents(c.saving.usd)
        if c.fargate:
            assert Decimal(r["fargate_monthly_usd"]) == cents(c.fargate.monthly_usd)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_md_and_html_show_the_json_totals(report: EstimateReport, fmt: str) -> None:
    text = render(report, fmt)
    for c in report.configurations:
        b = c.best
        assert b is not None
        assert usd(b.monthly_usd, bound=b.lower_bound).replace("≤ ", "") in text
        assert usd(b.usd_per_million_requests) in text
        if c.aws_lambda:
            assert usd(c.aws_lambda.monthly_usd) in text
    for h in report.headlines:
        assert usd(h.monthly_usd) in text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_lists_inputs_assumptions_catalog_and_host(
    report: EstimateReport, fmt: str
) -> None:
    text = render(report, fmt)
    if fmt == "html":
        from html import unescape

        text = unescape(text)
    if fmt == "md":
        text = markdown_plain(text)
    assert "us-east-1" in text
    assert report.pricing.snapshot_date.isoformat() in text
    assert "2026-01-15T12:00:00" in text
    for a in report.assumption_rows:
        assert a.name in text
    host = report.hosts[0]
    if fmt == "json":
        assert host.cpu_model in text
        assert host.kernel in text
        assert '"peak_rps": 400.0' in text
    else:
        assert host_line(host) in text
        assert "--peak-rps 400 --profile diurnal" in text
        assert "fixture" in text


VOID = frozenset({"meta", "br", "rect", "img", "input", "link", "hr"})


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_html_is_self_contained_and_well_formed(report: EstimateReport) -> None:
    text = render(report, "html")
    checker = _Checker()
    checker.feed(text)
    assert checker.errors == []
    assert checker.stack == []
    assert {"svg", "table", "style", "details"} <= checker.tags
    assert "script" not in checker.tags
    assert not {"link", "img", "iframe"} & checker.tags
    assert not [v for k, v in checker.attrs if k in {"src", "href"}]
    assert "http://" not in text
    assert "https://" not in text
    assert "@import" not in text
    assert "url(" not in text


def test_html_escapes_what_it_shows(report: EstimateReport) -> None:
    c = report.configurations[0]
    odd = c.model_copy(update={"key": "app <b>&</b> | x", "baseline_key": None})
    tricky = report.model_copy(update={"configurations": [odd, *report.configurations[1:]]})
    text = render(tricky, "html")
    assert "<b>&</b>" not in text
    assert "app &lt;b&gt;&amp;&lt;/b&gt; | x" in text


def test_markdown_tables_escape_the_key_pipes(report: EstimateReport) -> None:
    text = render(report, "md")
    key = report.configurations[0].key
    assert key.replace("|", "\\|") in text
    table_lines = [line for line in text.splitlines() if line.startswith("| 1 |")]
    assert table_lines
    # 13 columns: 14 unescaped pipes per row
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 14 for line in table_lines)
