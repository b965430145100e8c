"""The pure rules of the rounds: order, stop rule, still-warming check."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

import pytest

from estimator.measure.rounds import (
    StopRule,
    relative_half_width,
    round_order,
    stop_check,
    trend,
    williams_rows,
)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7])
def test_williams_rows_are_latin_and_balanced_for_carry_over(n: int) -> None:
    rows = williams_rows(n)
    assert len(rows) == (n if n % 2 == 0 else 2 * n)
    for row in rows:
        assert sorted(row) == list(range(n))  # each treatment once per round
    reps = len(rows) // n
    for pos in range(n):  # each treatment in each position equally often
        assert Counter(row[pos] for row in rows) == dict.fromkeys(range(n), reps)
    follows = Counter((row[i], row[i + 1]) for row in rows for i in range(n - 1))
    expected = dict.fromkeys(itertools.permutations(range(n), 2), reps)
    assert follows == expected  # every ordered pair adjacent equally often


def test_round_order_changes_every_round_and_skips_stopped_ones() -> None:
    keys = ["a", "b", "c", "d"]
    orders = [round_order(keys, r) for r in range(4)]
    assert len({tuple(o) for o in orders}) == 4
    assert {o[0] for o in orders} == set(keys)  # nobody always goes first
    # nobody always follows the same configuration
    for key in keys:
        before = {o[o.index(key) - 1] for o in orders if o.index(key) > 0}
        assert len(before) > 1
    assert round_order(keys, 1, active={"a", "c"}) == [k for k in orders[1] if k in {"a", "c"}]
    assert round_order(keys, 4) == orders[0]  # the design repeats


def test_relative_half_width_is_the_t_interval() -> None:
    assert relative_half_width([1.0]) is None
    values = [1.0, 1.1, 0.9, 1.05, 0.95]
    mean = sum(values) / 5
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 4)
    assert relative_half_width(values) == pytest.approx(2.7764451 * sd / math.sqrt(5) / mean)


RULE = StopRule(target=0.05, min_rounds=5, max_rounds=20)


def test_stop_rule_needs_min_rounds_and_the_target() -> None:
    tight = [1.0, 1.01, 0.99, 1.0, 1.005]
    assert stop_check(tight[:4], RULE) is None  # precise, but fewer than min_rounds
    assert stop_check(tight, RULE) == "target"
    noisy = [1.0, 1.3, 0.8, 1.2, 0.9]
    assert stop_check(noisy, RULE) is None  # ±20%: go on
    assert stop_check(noisy * 4, RULE) == "max_rounds"
    assert stop_check(noisy, RULE, warmed_up=False) == "not_warmed_up"
    assert stop_check(noisy[:3], RULE, warmed_up=False) is None


def test_stop_rule_reaches_the_target_as_rounds_accumulate() -> None:
    rng = random.Random(1)
    values: list[float] = []
    stop = None
    while stop is None:
        values.append(rng.gauss(1.0, 0.06))  # per-round CV 6%
        stop = stop_check(values, RULE)
    assert stop == "target"
    hw = relative_half_width(values)
    assert hw is not None
    assert hw <= 0.05
    assert 5 <= len(values) < 20  # ~8 rounds expected at 6% CV


def _series(slope: float, rounds: int = 10, noise: float = 0.02, seed: int = 0) -> dict[int, float]:
    rng = random.Random(seed)
    return {r: math.exp(slope * r + rng.gauss(0, noise)) for r in range(1, rounds + 1)}


def test_a_configuration_still_getting_cheaper_is_flagged() -> None:
    drift = _series(0.0, seed=1)
    series = {"jit": _series(-0.04, seed=2), "a": drift, "b": _series(0.0, seed=3)}
    t = trend("jit", series)
    assert t is not None
    assert t.change == pytest.approx(math.exp(-0.04 * 9) - 1, abs=0.06)
    assert t.still_warming(0.05)
    steady = trend("a", series)
    assert steady is not None
    assert not steady.still_warming(0.05)


def test_drift_shared_by_every_configuration_is_not_warm_up() -> None:
    # the machine gets 4% faster each round: every configuration falls alike
    series = {k: _series(-0.04, seed=i) for i, k in enumerate("abc")}
    for key in series:
        t = trend(key, series)
        assert t is not None
        assert not t.still_warming(0.05)


def test_trend_needs_four_rounds() -> None:
    assert trend("a", {"a": {1: 1.0, 2: 0.9, 3: 0.8}}) is None
    alone = trend("a", {"a": _series(-0.05, rounds=6)})  # no other configuration: raw trend
    assert alone is not None
    assert alone.still_warming(0.05)


def test_a_jit_going_on_alone_is_judged_against_the_others_mean() -> None:
    # the others stopped after round 5; the JIT kept getting cheaper until round 12
    others = {"a": _series(0.0, rounds=5, seed=4), "b": _series(0.0, rounds=5, seed=5)}
    jit = {r: math.exp(-0.03 * r) for r in range(1, 13)}
    series = {**others, "jit": jit}
    short = trend("jit", series)
    assert short is not None
    assert short.rounds == 5  # without `alone`, only the rounds shared with the others
    t = trend("jit", series, alone=True)
    assert t is not None
    assert t.rounds == 12
    assert t.still_warming(0.10)
