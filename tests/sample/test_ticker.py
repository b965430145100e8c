"""The samplers' clock: ticks until stopped, counts overruns, keeps what ended it."""

from __future__ import annotations

import time

import pytest

from estimator.sample.ticker import Ticker


def test_ticks_until_stopped_and_counts_overruns() -> None:
    calls: list[float] = []

    def tick() -> None:
        calls.append(time.monotonic())
        if len(calls) <= 2:
            time.sleep(0.03)  # longer than the interval: two overruns

    t = Ticker(tick, 0.01, name="test-ticker")
    assert not t.stop()  # not running: nothing to stop
    t.start()
    with pytest.raises(RuntimeError, match="already running"):
        t.start()
    time.sleep(0.15)
    assert t.stop()
    n = len(calls)
    time.sleep(0.03)
    assert len(calls) == n  # stopped means stopped
    assert n >= 5
    assert t.overruns >= 2
    assert t.error is None
    assert not t.running


def test_an_exception_ends_the_thread_and_is_kept() -> None:
    def tick() -> None:
        raise OSError("gone")

    t = Ticker(tick, 0.01, name="test-ticker")
    t.start()
    time.sleep(0.05)
    assert not t.running
    assert isinstance(t.error, OSError)
    t.stop()
