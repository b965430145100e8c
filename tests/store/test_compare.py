from __future__ import annotations

import pytest

from estimator.errors import ConfigError
from estimator.store.compare import compare_configs, select_config
from tests.fixtures import fixture_runs

KEYS = [
    "flask | cpython-3.11 | gunicorn-sync w1",
    "flask | cpython-3.13 | gunicorn-sync w1",
    "flask | cpython-3.11 | gunicorn-gthread w1x4",
]


def test_select_by_words() -> None:
    assert select_config("flask 3.13", KEYS) == KEYS[1]
    assert select_config("3.11 gthread", KEYS) == KEYS[2]
    assert select_config(KEYS[0], KEYS) == KEYS[0]
    with pytest.raises(ConfigError, match="matches 2 configurations"):
        select_config("flask 3.11", KEYS)
    with pytest.raises(ConfigError, match="no measured configuration matches 'django'"):
        select_config("django", KEYS)


def test_compare_two_configs_has_every_metric() -> None:
    result = compare_configs(fixture_runs(), "flask 3.11 sync", "flask 3.11 gthread")
    assert result.a == "flask | cpython-3.11 | gunicorn-sync w1"
    names = [m.metric for m in result.metrics]
    assert names == [
        "capacity_rps",
        "cpu_ms_per_request",
        "latency_mean_ms",
        "p95_ms",
        "worker_uss_mib",
    ]
    for m in result.metrics:
        assert len(m.a) == len(m.b) == 2
        assert m.test is not None
        assert m.ratio == pytest.approx((sum(m.b) / 2) / (sum(m.a) / 2))
    with pytest.raises(ConfigError, match="both selectors pick"):
        compare_configs(fixture_runs(), "flask 3.11 sync", "flask | cpython-3.11 | gunicorn-sync")


def test_one_repetition_says_so() -> None:
    runs = [r for r in fixture_runs() if r.cell.repetition == 0]
    result = compare_configs(runs, "flask 3.11 sync", "flask 3.13 sync")
    assert all(m.test is None for m in result.metrics)
    assert "significance needs at least 2" in result.metrics[0].verdict
