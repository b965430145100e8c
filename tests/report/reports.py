"""The report the golden files and format tests are built from: the recorded fixture runs
priced with the embedded snapshot, with fixed inputs (no clock, no user catalog, no version)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from estimator.estimate import EstimateReport, EstimateRequest, estimate, profile_traffic
from estimator.pricing import load_catalog
from estimator.stats import Estimate
from estimator.store.summarize import summarize
from tests.capacity.factory import summary
from tests.estimate.helpers import M6I, M7G, catalog, request
from tests.fixtures import fixture_runs

GENERATED_AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@functools.cache
def fixture_report() -> EstimateReport:
    runs = fixture_runs()
    request = EstimateRequest(
        traffic=profile_traffic(400, "diurnal"),
        profile="diurnal",
        region="us-east-1",
        user_catalog=False,
    )
    report = estimate(
        summarize(runs),
        load_catalog(user_catalog=False),
        request,
        scenarios=[r.cell.scenario for r in runs],
        results="tests/fixtures/runs.jsonl",
        generated_at=GENERATED_AT,
    )
    return report.model_copy(update={"estimator_version": "(golden)"})


def _e(mean: float, rel: float, n: int = 10) -> Estimate:
    return Estimate(mean=mean, ci_low=mean * (1 - rel), ci_high=mean * (1 + rel), n=n)


@functools.cache
def display_report() -> EstimateReport:
    """Hand-made measurements that show every wording: a distinguishable saving, a tie with
    the baseline, a configuration not warmed up (not ranked), a baseline whose capacity is a
    lower bound ('at most'), an app measured once (intervals unknown), workers unevenly used
    and a connection setting measured beside them that cuts the bill; Poisson arrivals."""
    poisson = {"arrivals": "poisson"}
    shop = [
        summary(
            key="shop | cpython-3.11 | gunicorn-sync w1",
            app="shop",
            d_ms=_e(4.0, 0.03),
            s_ms=_e(5.0, 0.03),
            x_max=_e(150.0, 0.04),
        ),
        summary(
            key="shop | cpython-3.12 | gunicorn-sync w1",
            app="shop",
            variant="cpython-3.12",
            d_ms=_e(4.05, 0.03),
            s_ms=_e(5.05, 0.03),
            x_max=_e(149.0, 0.04),
        ),
        summary(
            key="shop | cpython-3.13 | gunicorn-gthread w1x4",
            app="shop",
            variant="cpython-3.13",
            kind="gunicorn-gthread",
            threads=4,
            d_ms=_e(2.0, 0.03),
            s_ms=_e(2.5, 0.03),
            x_max=_e(300.0, 0.04),
        ),
        summary(
            key="shop | pypy-3.10 | gunicorn-sync w1",
            app="shop",
            variant="pypy-3.10",
            d_ms=_e(1.5, 0.2),
            s_ms=_e(2.0, 0.2),
            x_max=_e(400.0, 0.1),
        ).model_copy(update={"not_ranked_reason": "warm-up did not converge within 3 s"}),
    ]
    api = [
        summary(
            key="api | cpython-3.11 | gunicorn-sync w1",
            app="api",
            d_ms=_e(4.0, 0.03),
            s_ms=_e(5.0, 0.03),
            x_max=_e(100.0, 0.04),
            lower_bound=True,
        ),
        summary(
            key="api | cpython-3.13 | gunicorn-sync w1",
            app="api",
            variant="cpython-3.13",
            d_ms=_e(2.0, 0.03),
            s_ms=_e(2.5, 0.03),
            x_max=_e(300.0, 0.04),
        ),
    ]
    # /upstream-like: 50 ms waits, 9 single-thread workers; unevenly used under keep-alive,
    # nearly even with --reuse-port (both measured)
    wait = [
        summary(
            key=f"wait | cpython-3.12 | gunicorn-gthread w9x1{suffix}",
            app="wait",
            variant="cpython-3.12",
            kind="gunicorn-gthread",
            workers=9,
            threads=1,
            reuse_port=bool(suffix),
            d_ms=_e(0.5, 0.03),
            s_ms=_e(52.0, 0.02),
            x_max=_e(x, 0.05),
            busy_workers=_e(busy, 0.06),
            uneven=busy < 6,
        )
        for suffix, x, busy in (("", 58.0, 3.1), (" reuse-port", 150.0, 8.6))
    ]
    once = [
        summary(key="once | cpython-3.11 | gunicorn-sync w1", app="once"),
        summary(key="once | cpython-3.13 | gunicorn-sync w1", app="once", variant="cpython-3.13"),
    ]
    summaries = [s.model_copy(update=poisson) for s in [*shop, *api, *wait, *once]]
    report = estimate(
        summaries,
        catalog(M6I, M7G),
        request(1000),
        scenarios=["hand-made"],
        results="(hand-made summaries)",
        generated_at=GENERATED_AT,
    )
    return report.model_copy(update={"estimator_version": "(golden)"})


def markdown_plain(text: str) -> str:
    """Markdown with its escapes undone (backslash before punctuation, the three entities):
    the text a reader sees, to compare with the report's figures."""
    import html
    import re

    return html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text))
