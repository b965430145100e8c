"""CPU per request of a window, and the seeds that give every configuration the same
request sequence in a round."""

from __future__ import annotations

import pytest

from estimator.measure.windows import cpu_per_request, window_seed
from estimator.sample.cpu import CpuWindow
from tests.fixtures import fixture_runs


def test_cpu_per_request_counts_successful_requests_only() -> None:
    window = next(w for r in fixture_runs() for w in r.cost if w.load.requests > 40)
    load = window.load.model_copy(
        update={"failures": 10, "drained_requests": 4, "drained_failures": 1}
    )
    cpu = CpuWindow(
        t0=0, t1=2, cpu_ns=900_000_000, processes=2, born=0, vanished=0, source="process-clock"
    )
    ok = load.requests - 10 + 4 - 1
    assert cpu_per_request(cpu, load) == pytest.approx(0.9 / ok)
    none_ok = load.model_copy(update={"failures": load.requests, "drained_requests": 0})
    assert cpu_per_request(cpu, none_ok) is None


def test_window_seeds_are_shared_within_a_round_and_differ_across() -> None:
    assert window_seed(1, 3, 0) == window_seed(1, 3, 0)
    seeds = {window_seed(1, r, slot) for r in range(1, 50) for slot in (0, 1)}
    assert len(seeds) == 98
    assert window_seed(2, 3, 0) != window_seed(1, 3, 0)
