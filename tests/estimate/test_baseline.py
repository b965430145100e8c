"""Which configuration savings are measured against, and the savings themselves."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from estimator.display import headline_text
from estimator.errors import ConfigError
from estimator.estimate import EstimateError, estimate
from estimator.estimate.baseline import choose_baselines
from estimator.store.summary import ConfigSummary
from tests.capacity.factory import summary
from tests.estimate.helpers import M7G, catalog, request

AT = datetime(2026, 1, 1, tzinfo=UTC)


def cfg(
    app: str, variant: str, kind: str = "gunicorn-sync", workers: int = 1, **kw: object
) -> ConfigSummary:
    label = {
        "gunicorn-sync": f"gunicorn-sync w{workers}",
        "gunicorn-gthread": f"gunicorn-gthread w{workers}x4",
        "uvicorn": f"uvicorn w{workers}",
    }[kind]
    threads = 4 if kind == "gunicorn-gthread" else None
    return summary(
        key=f"{app} | {variant} | {label}",
        app=app,
        variant=variant,
        kind=kind,  # type: ignore[arg-type]
        workers=workers,
        threads=threads,
        server_cpus=workers,
        **kw,  # type: ignore[arg-type]
    )


def test_default_is_the_oldest_standard_cpython_with_sync_workers_fewest_first() -> None:
    configs = [
        cfg("shop", "cpython-3.13"),
        cfg("shop", "cpython-3.11", workers=2),
        cfg("shop", "cpython-3.11"),
        cfg("shop", "cpython-3.10+opt"),
        cfg("shop", "cpython-3.10t"),
        cfg("shop", "cpython-3.10", "gunicorn-gthread"),
        cfg("shop", "pypy-3.9"),
    ]
    # free-threaded builds are an alternative, not the status quo; +opt is still standard
    key, why = choose_baselines(configs, [])["shop"]
    assert key == "shop | cpython-3.10+opt | gunicorn-sync w1"
    assert why.startswith("default: the oldest CPython (cpython-3.10+opt) with gunicorn sync")
    rest = [c for c in configs if "3.10" not in c.variant]
    key, _ = choose_baselines(rest, [])["shop"]
    assert key == "shop | cpython-3.11 | gunicorn-sync w1"


def test_plain_build_preferred_over_modified_builds() -> None:
    configs = [
        cfg("a", "cpython-3.13+jit"),
        cfg("a", "cpython-3.13t"),
        cfg("a", "cpython-3.14+opt"),
        cfg("a", "cpython-3.14"),
    ]
    assert choose_baselines(configs, [])["a"][0] == "a | cpython-3.14 | gunicorn-sync w1"
    key, why = choose_baselines(configs[:2], [])["a"]
    assert key == "a | cpython-3.13+jit | gunicorn-sync w1"
    assert why.startswith("no standard (GIL, no JIT) CPython of a was measured")


def test_without_sync_workers_the_rule_relaxes_and_says_so() -> None:
    configs = [
        cfg("api", "cpython-3.13", "uvicorn"),
        cfg("api", "cpython-3.11", "uvicorn", workers=2),
    ]
    key, why = choose_baselines(configs, [])["api"]
    assert key == "api | cpython-3.11 | uvicorn w2"
    assert why.startswith("no gunicorn-sync configuration of api was measured")
    key, why = choose_baselines([cfg("api", "pypy-3.9")], [])["api"]
    assert why.startswith("no CPython configuration of api was measured")


def test_each_app_has_its_own_baseline() -> None:
    configs = [cfg("a", "cpython-3.13"), cfg("a", "cpython-3.11"), cfg("b", "cpython-3.13")]
    chosen = choose_baselines(configs, [])
    assert chosen["a"][0] == "a | cpython-3.11 | gunicorn-sync w1"
    assert chosen["b"][0] == "b | cpython-3.13 | gunicorn-sync w1"


def test_a_selector_without_the_app_picks_one_per_app() -> None:
    configs = [cfg(app, v) for app in ("a", "b") for v in ("cpython-3.11", "cpython-3.13")]
    chosen = choose_baselines(configs, ["3.13 sync"])
    assert chosen["a"] == ("a | cpython-3.13 | gunicorn-sync w1", "--baseline '3.13 sync'")
    assert chosen["b"][0] == "b | cpython-3.13 | gunicorn-sync w1"


def test_a_selector_for_one_app_leaves_the_others_on_the_default() -> None:
    configs = [cfg(app, v) for app in ("a", "b") for v in ("cpython-3.11", "cpython-3.13")]
    chosen = choose_baselines(configs, ["a 3.13"])
    assert chosen["a"][0] == "a | cpython-3.13 | gunicorn-sync w1"
    assert chosen["b"][0] == "b | cpython-3.11 | gunicorn-sync w1"


def test_selector_errors_are_one_line() -> None:
    configs = [cfg("a", "cpython-3.11"), cfg("a", "cpython-3.13")]
    with pytest.raises(ConfigError, match="no measured configuration matches 'pypy'"):
        choose_baselines(configs, ["pypy"])
    with pytest.raises(ConfigError, match="'sync' matches 2 configurations"):
        choose_baselines(configs, ["sync"])
    with pytest.raises(EstimateError, match="two baselines for app 'a'"):
        choose_baselines(configs, ["3.11", "3.13"])


def test_savings_against_the_baseline_by_hand() -> None:
    # baseline 3.11: D 4 ms → 5 × m7g.large at 1000 req/s = $297.84;
    # 3.13: D 2 ms, S 2.5 ms → X_cpu 650, X_conc 2 × 400 × 0.65 = 520 → 2 + 1 = 3 → $178.704
    base = cfg("a", "cpython-3.11")
    fast = cfg("a", "cpython-3.13", d_ms=2.0, s_ms=2.5, x_max=300.0)
    report = estimate([base, fast], catalog(M7G), request(1000), generated_at=AT)
    first, second = report.configurations
    assert first.key == fast.key
    assert first.monthly_usd == Decimal("178.704")
    assert second.monthly_usd == Decimal("297.840")
    assert first.saving is not None
    assert first.saving.baseline_key == base.key
    assert first.saving.usd == Decimal("119.136")
    assert first.saving.pct == Decimal(40)
    assert second.is_baseline
    assert second.saving is not None
    assert second.saving.usd == 0
    # one repetition: the saving's interval is not known, so no difference is claimed
    assert not first.saving.known
    assert (
        "no measurable difference (one measurement: no interval) vs the baseline a | cpython-3.11"
        in headline_text(report.headlines[0], report)
    )


def test_a_costlier_configuration_shows_a_negative_saving() -> None:
    base = cfg("a", "cpython-3.11", d_ms=2.0, s_ms=2.5, x_max=300.0)
    slow = cfg("a", "cpython-3.13")
    report = estimate([base, slow], catalog(M7G), request(1000), generated_at=AT)
    worse = report.config(slow.key)
    assert worse is not None
    assert worse.saving is not None
    assert worse.saving.usd == Decimal("-119.136")
    assert "; this is the baseline" in headline_text(report.headlines[0], report)


def test_an_unpriced_baseline_gives_no_saving_and_says_why() -> None:
    base = cfg("a", "cpython-3.11", m_w=50_000)
    other = cfg("a", "cpython-3.13")
    report = estimate([base, other], catalog(M7G), request(100), generated_at=AT)
    priced = report.config(other.key)
    assert priced is not None
    assert priced.saving is None
    assert priced.baseline_reason is not None
    assert "the baseline could not be priced" in priced.baseline_reason
    assert "no saving computed" in headline_text(report.headlines[0], report)
