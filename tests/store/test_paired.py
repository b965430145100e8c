"""Paired per-round ratios of CPU per request between configurations of one batch."""

from __future__ import annotations

import math

import pytest

from estimator.measure import RunResult
from estimator.stats import estimate
from estimator.store.paired import paired, paired_cpu_ratio, paired_cpu_ratios
from tests.fixtures import fixture_runs


def with_cost(run: RunResult, values: dict[int, float], batch: str | None = None) -> RunResult:
    """`run` with its cost windows' CPU per request replaced, by round."""
    phases = []
    for p in run.phases:
        if p.load.kind != "cost":
            phases.append(p)
        elif p.round in values:
            phases.append(p.model_copy(update={"cpu_s_per_request": values[p.round]}))
    missing = set(values) - {p.round for p in phases if p.load.kind == "cost"}
    template = run.cost[0]
    for r in sorted(missing):
        phases.append(template.model_copy(update={"round": r, "cpu_s_per_request": values[r]}))
    return run.model_copy(update={"phases": phases, "batch_id": batch or run.batch_id})


def _two() -> tuple[RunResult, RunResult]:
    runs = fixture_runs()
    a = runs[0]
    b = next(r for r in runs if r.batch_id == a.batch_id and r.config_key != a.config_key)
    return a, b


def test_ratio_is_the_geometric_mean_of_per_round_ratios_with_a_t_interval() -> None:
    a, b = _two()
    va = {1: 2.0, 2: 2.2, 3: 1.8, 4: 2.1, 5: 2.0}
    ratios = [1.10, 1.05, 1.12, 1.08, 1.06]
    vb = {r: va[r] * q for r, q in zip(va, ratios, strict=True)}
    pr = paired(with_cost(a, va), with_cost(b, vb))
    assert pr is not None
    logs = estimate([math.log(q) for q in ratios])
    assert pr.ratio.mean == pytest.approx(math.exp(logs.mean))
    assert pr.ratio.ci_low == pytest.approx(math.exp(logs.ci_low))
    assert pr.ratio.ci_high == pytest.approx(math.exp(logs.ci_high))
    assert pr.ratio.n == 5
    assert pr.rounds == [1, 2, 3, 4, 5]
    assert pr.significant  # 5-12% more, steadily: the interval excludes 1
    back = paired(with_cost(b, vb), with_cost(a, va))
    assert back is not None
    assert back.ratio.mean == pytest.approx(1 / pr.ratio.mean)
    assert back.ratio.ci_low == pytest.approx(1 / pr.ratio.ci_high)


def test_drift_common_to_a_round_cancels() -> None:
    a, b = _two()
    drift = {1: 1.0, 2: 1.3, 3: 0.8, 4: 1.2, 5: 0.9}  # the machine's speed, ±30%
    pr = paired(
        with_cost(a, {r: 2.0 * d for r, d in drift.items()}),
        with_cost(b, {r: 2.0 * 0.97 * d for r, d in drift.items()}),
    )
    assert pr is not None
    assert pr.ratio.mean == pytest.approx(0.97)
    assert pr.ratio.ci_high - pr.ratio.ci_low == pytest.approx(0.0, abs=1e-9)


def test_only_common_rounds_and_one_batch_are_paired() -> None:
    a, b = _two()
    pr = paired(with_cost(a, {1: 1.0, 2: 1.0, 3: 1.0}), with_cost(b, {2: 1.1, 3: 1.2, 4: 1.0}))
    assert pr is not None
    assert pr.rounds == [2, 3]
    assert paired(with_cost(a, {1: 1.0}), with_cost(b, {1: 1.0}, batch="other")) is None
    one = paired(with_cost(a, {1: 1.0}), with_cost(b, {1: 1.2}))
    assert one is not None
    assert one.ratio.n == 1
    assert not one.known
    assert not one.significant  # one round: interval unknown, never "significant"


def test_all_pairs_of_each_batch_and_the_newest_batch_for_one_pair() -> None:
    runs = fixture_runs()
    pairs = paired_cpu_ratios(runs)
    by_batch: dict[str, int] = {}
    for p in pairs:
        by_batch[p.batch_id] = by_batch.get(p.batch_id, 0) + 1
    assert set(by_batch.values()) == {6}
    key_a = "flask | cpython-3.11 | gunicorn-sync w1"
    key_b = "flask | cpython-3.13 | gunicorn-sync w1"
    pr = paired_cpu_ratio(runs, key_a, key_b)
    assert pr is not None
    newest = max((r for r in runs if r.config_key == key_a), key=lambda r: r.started_at).batch_id
    assert pr.batch_id == newest
    assert (pr.a, pr.b) == (key_a, key_b)
    assert paired_cpu_ratio(runs, key_a, "fastapi | cpython-3.11 | gunicorn-sync w1") is None
