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


def test_compare_two_configs_has_every_metric_per_window() -> None:
    runs = fixture_runs()
    result = compare_configs(runs, "flask 3.11 sync", "flask 3.11 gthread")
    assert result.a == "flask | cpython-3.11 | gunicorn-sync w1"
    names = [m.metric for m in result.metrics]
    assert names == [
        "capacity_rps",
        "cpu_ms_per_request",
        "latency_mean_ms",
        "p95_ms",
        "worker_uss_mib",
    ]
    mine = [r for r in runs if r.config_key == result.a]
    by_name = {m.metric: m for m in result.metrics}
    assert len(by_name["capacity_rps"].a) == 2  # one per run
    assert len(by_name["cpu_ms_per_request"].a) == sum(len(r.cost) for r in mine)
    assert len(by_name["latency_mean_ms"].a) == sum(len(r.probes) for r in mine)
    for m in result.metrics:
        assert m.test is not None
        assert m.ratio == pytest.approx((sum(m.b) / len(m.b)) / (sum(m.a) / len(m.a)))
    with pytest.raises(ConfigError, match="both selectors pick"):
        compare_configs(runs, "flask 3.11 sync", "flask | cpython-3.11 | gunicorn-sync")


def test_configurations_of_one_batch_are_compared_round_by_round() -> None:
    result = compare_configs(fixture_runs(), "flask 3.11 sync", "flask 3.13 sync")
    cpu = next(m for m in result.metrics if m.metric == "cpu_ms_per_request")
    assert cpu.paired is not None
    assert cpu.verdict.startswith(f"paired over {cpu.paired.ratio.n} rounds of one batch")
    others = [m for m in result.metrics if m.metric != "cpu_ms_per_request"]
    assert all(m.paired is None for m in others)


def test_different_scenario_versions_are_not_compared() -> None:
    runs = fixture_runs()
    moved = [
        r.model_copy(
            update={"cell": r.cell.model_copy(update={"scenario_hash": "v2", "scenario": "b"})}
        )
        if r.config_key == KEYS[1]
        else r
        for r in runs
    ]
    with pytest.raises(ConfigError, match="different scenario versions"):
        compare_configs(moved, "flask 3.11 sync", "flask 3.13 sync")
    # one version in common: compared there, and said which
    both = [*moved, *(r for r in runs if r.config_key == KEYS[1])]
    result = compare_configs(both, "flask 3.11 sync", "flask 3.13 sync")
    assert result.scenario_hash == runs[0].cell.scenario_hash


def test_one_value_says_so() -> None:
    runs = [r for r in fixture_runs() if r.cell.repetition == 0]
    result = compare_configs(runs, "flask 3.11 sync", "flask 3.13 sync")
    capacity = next(m for m in result.metrics if m.metric == "capacity_rps")
    assert capacity.test is None
    assert "significance needs at least 2" in capacity.verdict
