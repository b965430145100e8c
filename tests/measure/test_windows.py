"""CPU per request of a window, and the seeds that give every configuration the same
request sequence in a round."""

from __future__ import annotations

from typing import cast

import pytest

from estimator.measure.windows import cpu_per_request, in_flight, window_seed
from estimator.sample.cpu import CpuWindow
from estimator.sample.slots import SlotSampler, SlotTick
from estimator.scenario import ServerConfig
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


class FakeSlots:
    """What `in_flight` asks of a slot sampler."""

    def __init__(self, failed: BaseException | None = None) -> None:
        self.failed = failed

    def ticks(self, t0: float, t1: float) -> list[SlotTick]:
        return [SlotTick(t0 + 0.04 * i, {1: 1, 2: i % 2}) for i in range(10)]


def test_busy_slots_are_judged_only_when_every_slot_was_offered_work() -> None:
    window = next(w for r in fixture_runs() for w in r.cost)
    sync4 = ServerConfig(kind="gunicorn-sync", workers=4)
    offered = window.load.model_copy(update={"users": 8})
    use, problem = in_flight(cast(SlotSampler, FakeSlots()), offered, sync4)
    assert problem is None
    assert use is not None
    assert use.per_worker == {1: 1.0, 2: 0.5}
    assert use.ticks == 10
    # three users for four slots: a slot idles whatever the balance, so no figure
    few = window.load.model_copy(update={"users": 3})
    assert in_flight(cast(SlotSampler, FakeSlots()), few, sync4) == (None, None)


def test_a_sampler_that_failed_gives_no_figure_and_says_why() -> None:
    window = next(w for r in fixture_runs() for w in r.cost)
    slots = FakeSlots(failed=PermissionError("/proc/42/fd"))
    use, problem = in_flight(
        cast(SlotSampler, slots), window.load, ServerConfig(kind="gunicorn-sync", workers=4)
    )
    assert use is None
    assert problem is not None
    assert problem.startswith("requests in flight per worker not read (PermissionError:")
    assert "CPU shares instead" in problem
