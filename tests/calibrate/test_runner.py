"""The calibration protocol on scripted workers (no processes): warm-up and sizing, rounds
interleaved in rotating order, the CI stop rule and the budget; and the benchmark's unit."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from estimator.calibrate import CalibrateError, Protocol, Worker, measure
from estimator.calibrate._worker import counts, unit_requests
from estimator.calibrate.runner import ratio
from estimator.host import raw_host
from estimator.paths import LOADTESTS_DIR

CALLS: list[tuple[str, str]] = []


class Scripted(Worker):
    """Answers like the worker: `cpu_s` per unit from a sequence (CPU-seconds)."""

    def __init__(self, variant: str, per_unit: Iterator[float]):
        super().__init__(variant, "local", io.BytesIO(), io.BytesIO())
        self.per_unit = per_unit
        self.ready = {
            "benchmark": "shop-mix",
            "version": 1,
            "requests_per_unit": 92,
            "endpoint_counts": {"report": 5, "products": 87},
            "python": "3.11.7",
            "implementation": "cpython",
            "executable": "/x/python",
            "cpus": [1],
            "facts": raw_host(),
        }

    def call(self, **cmd: Any) -> dict[str, Any]:
        CALLS.append((self.variant, cmd["op"]))
        units = 10 if cmd["op"] == "warmup" else int(cmd["units"])
        cpu = units * next(self.per_unit)
        return {
            "units": units,
            "cpu_s": cpu,
            "wall_s": cpu,
            "endpoints": {"report": cpu * 0.4, "products": cpu * 0.6},
        }


def steady(value: float) -> Iterator[float]:
    while True:
        yield value


def wobbly(value: float, rel: float) -> Iterator[float]:
    sign = 1
    while True:
        yield value * (1 + sign * rel)
        sign = -sign


def test_steady_workers_stop_at_the_minimum_with_exact_scores() -> None:
    CALLS.clear()
    a, b = Scripted("cpython-3.11", steady(0.01)), Scripted("cpython-3.13", steady(0.008))
    scores = measure([a, b], Protocol(value_s=0.5, warmup_s=0.1, min_values=4))
    s11, s13 = scores
    assert (s11.n, s13.n) == (4, 4)
    assert s11.score == pytest.approx(92 / 0.01)  # requests per CPU-second
    assert s13.score == pytest.approx(92 / 0.008)
    assert s11.units_per_value == 50  # 0.5 s ÷ 10 ms
    assert s11.stop_reason == "every 95% CI within ±2.0% after 4 rounds"
    # CPU ms per request of one endpoint: its CPU ÷ its requests
    assert s11.endpoints_ms["report"] == pytest.approx(0.01 * 0.4 / 5 * 1000)
    assert ratio(s11, s13)[0] == pytest.approx(1.25)
    runs = [v for v, op in CALLS if op == "run"]
    # one sizing value each (thrown away), then rounds in rotating order
    a11, a13 = "cpython-3.11", "cpython-3.13"
    assert runs == [a11, a13, a11, a13, a13, a11, a11, a13, a13, a11]


def test_noisy_workers_run_until_the_ci_target() -> None:
    w = Scripted("cpython-3.11", wobbly(0.01, 0.05))
    (s,) = measure([w], Protocol(value_s=0.1, warmup_s=0.1, min_values=3, target=0.02))
    assert s.relative_half_width <= 0.02
    assert s.n > 3


def test_the_budget_ends_a_measurement_that_cannot_converge() -> None:
    w = Scripted("cpython-3.11", wobbly(0.01, 0.5))
    (s,) = measure(
        [w], Protocol(value_s=0.1, warmup_s=0.1, min_values=3, target=0.001, max_seconds=0.0)
    )
    assert s.n == 3
    assert "time budget" in s.stop_reason
    assert "not reached by cpython-3.11" in s.stop_reason


def test_a_failing_worker_is_one_message() -> None:
    w = Worker("cpython-3.11", "local", io.BytesIO(), io.BytesIO(b'{"error": "boom"}\n'))
    with pytest.raises(CalibrateError, match=r"cpython-3\.11 on local: the benchmark failed: boom"):
        w.start()
    gone = Worker("cpython-3.11", "local", io.BytesIO(), io.BytesIO(b""))
    with pytest.raises(CalibrateError, match="exited without an answer"):
        gone.start()


def test_the_unit_is_the_mix_locustfile_without_its_waits() -> None:
    """Same weights as loadtests/mix.py for every endpoint it runs in-process (the 50 ms
    /upstream waits are not CPU work)."""
    text = (LOADTESTS_DIR / "mix.py").read_text()
    weights = {
        m[3]: int(m[1])
        for m in re.finditer(r"@task\((\d+)\)\s+def (\w+).*?self\.(\w+)\(\)", text, re.S)
    }
    names = {
        "list_products": "products",
        "product": "product",
        "missing_product": "missing product",
        "order": "order",
        "place_order": "new order",
        "report": "report",
        "compute": "compute",
        "healthz": "healthz",
    }
    expected = {names[k]: v for k, v in weights.items() if k != "upstream"}
    assert counts(unit_requests()) == expected
    assert len(unit_requests()) == 92
    assert json.dumps(unit_requests())  # plain data: the same on every interpreter
