"""The measurement protocol of `estimator calibrate`, over workers wherever they run.

Every variant's worker starts once and warms up (its first CPU-seconds, at least
`jit_warmup_s` for a JIT variant, are thrown away and size a *value*: the number of mix units
taking about `value_s` CPU-seconds). Then rounds:
each round asks every variant for one value, in an order rotated round by round, so drift of
the machine hits all variants alike. After `min_values` rounds, it stops when every variant's
95% CI half-width is at most `target` of its mean, or when `max_seconds` of wall time are
spent after those rounds (the scores then say so).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from estimator.calibrate.models import CalibrateError, VariantScore
from estimator.host import facts_from_raw
from estimator.stats import estimate


@dataclass
class Worker:
    """A running worker process: its pipes and what it said when ready."""

    variant: str
    machine: str
    stdin: IO[bytes]
    stdout: IO[bytes]
    variant_env: dict[str, str] = field(default_factory=dict)
    ready: dict[str, Any] = field(default_factory=dict)

    def _read(self) -> dict[str, Any]:
        line = self.stdout.readline()
        if not line:
            raise CalibrateError(
                f"{self.variant} on {self.machine}: the benchmark worker exited without an "
                "answer (its stderr is above); check that the variant's environment runs the "
                "Flask sample app"
            )
        try:
            msg: dict[str, Any] = json.loads(line)
        except json.JSONDecodeError:
            raise CalibrateError(
                f"{self.variant} on {self.machine}: unexpected worker output {line[:200]!r}"
            ) from None
        if "error" in msg:
            raise CalibrateError(
                f"{self.variant} on {self.machine}: the benchmark failed: {msg['error']}"
            )
        return msg

    def start(self) -> dict[str, Any]:
        self.ready = self._read()
        return self.ready

    def call(self, **cmd: Any) -> dict[str, Any]:
        try:
            self.stdin.write((json.dumps(cmd) + "\n").encode())
            self.stdin.flush()
        except BrokenPipeError:
            raise CalibrateError(
                f"{self.variant} on {self.machine}: the benchmark worker is gone"
            ) from None
        return self._read()

    def quit(self) -> None:
        try:
            self.stdin.write(b'{"op": "quit"}\n')
            self.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass


@dataclass(frozen=True)
class Protocol:
    value_s: float = 0.5
    """CPU-seconds one value takes (a whole number of mix units)."""
    warmup_s: float = 1.0
    """CPU-seconds run and thrown away first"""
    jit_warmup_s: float = 10.0
    """at least this for JIT variants (PyPy, +jit, +cinderx): their code gets compiled first"""
    min_values: int = 6
    target: float = 0.02
    """the 95% CI half-width to reach, as a share of the score"""
    max_seconds: float = 180.0
    """wall-clock budget for the rounds of all variants together"""


Progress = Callable[[str], None]


def _value(worker: Worker, units: int, per_unit: int) -> tuple[float, dict[str, float]]:
    out = worker.call(op="run", units=units)
    cpu = float(out["cpu_s"])
    if not cpu > 0:
        raise CalibrateError(f"{worker.variant}: a value took no CPU time; raise --value-seconds")
    return units * per_unit / cpu, {k: float(v) for k, v in out["endpoints"].items()}


def measure(
    workers: Sequence[Worker], protocol: Protocol, progress: Progress = lambda _: None
) -> list[VariantScore]:
    """Warm up every worker, then interleaved rounds until the CI target or the budget."""
    sizes: dict[str, int] = {}
    for w in workers:
        ready = w.ready or w.start()
        per = int(ready["requests_per_unit"])
        seconds = protocol.warmup_s
        if w.variant.startswith("pypy") or "+jit" in w.variant or "+cinderx" in w.variant:
            seconds = max(seconds, protocol.jit_warmup_s)
        warm = w.call(op="warmup", seconds=seconds)
        per_unit_s = float(warm["cpu_s"]) / max(1, int(warm["units"]))
        sizes[w.variant] = max(1, round(protocol.value_s / per_unit_s))
        _value(w, sizes[w.variant], per)  # one more, thrown away: sized values from here on
        progress(
            f"{w.variant}: warmed up ({warm['units']} units, {per_unit_s * 1000:.0f} ms CPU "
            f"each); a value is {sizes[w.variant]} units"
        )
    values: dict[str, list[float]] = {w.variant: [] for w in workers}
    spent: dict[str, dict[str, float]] = {w.variant: {} for w in workers}
    start = time.monotonic()
    reason = ""
    rounds = 0
    while True:
        order = [workers[(rounds + i) % len(workers)] for i in range(len(workers))]
        for w in order:
            per = int(w.ready["requests_per_unit"])
            v, endpoints = _value(w, sizes[w.variant], per)
            values[w.variant].append(v)
            for k, cpu in endpoints.items():
                spent[w.variant][k] = spent[w.variant].get(k, 0.0) + cpu
        rounds += 1
        widths = {k: estimate(v).relative_half_width for k, v in values.items()}
        progress(
            f"round {rounds}: "
            + ", ".join(
                f"{k} {estimate(v).mean:,.0f} ±{widths[k]:.1%}" if len(v) > 1 else k
                for k, v in values.items()
            )
        )
        if rounds >= protocol.min_values and all(x <= protocol.target for x in widths.values()):
            reason = f"every 95% CI within ±{protocol.target:.1%} after {rounds} rounds"
            break
        if rounds >= protocol.min_values and time.monotonic() - start > protocol.max_seconds:
            reason = (
                f"time budget of {protocol.max_seconds:g} s spent after {rounds} rounds; "
                f"CI target ±{protocol.target:.1%} not reached by "
                + ", ".join(k for k, x in widths.items() if x > protocol.target)
            )
            break
    now = datetime.now(UTC)
    out = []
    for w in workers:
        est = estimate(values[w.variant])
        per = int(w.ready["requests_per_unit"])
        n_requests = len(values[w.variant]) * sizes[w.variant] * per
        by_endpoint = {
            k: cpu * 1000 / (n_requests * _share(w, k)) for k, cpu in spent[w.variant].items()
        }
        out.append(
            VariantScore(
                variant=w.variant,
                score=est.mean,
                ci_low=est.ci_low,
                ci_high=est.ci_high,
                n=est.n,
                benchmark=f"{w.ready['benchmark']}/{w.ready['version']}",
                values=values[w.variant],
                units_per_value=sizes[w.variant],
                stop_reason=reason,
                endpoints_ms=dict(sorted(by_endpoint.items())),
                python=str(w.ready["python"]),
                implementation=str(w.ready["implementation"]),
                executable=str(w.ready["executable"]),
                packages={str(k): str(v) for k, v in w.ready.get("packages", {}).items()},
                variant_env=w.variant_env,
                cpu=[int(c) for c in w.ready["cpus"]],
                machine=w.machine,
                host=facts_from_raw(w.ready["facts"]),
                taken_at=now,
            )
        )
    return out


def _share(w: Worker, endpoint: str) -> float:
    """The endpoint's share of one unit's requests (the worker says)."""
    counts: dict[str, int] = w.ready.get("endpoint_counts", {})
    per = int(w.ready["requests_per_unit"])
    return counts.get(endpoint, per) / per


def ratio(a: VariantScore, b: VariantScore) -> tuple[float, float, float]:
    """b ÷ a with a 95% interval from the two CIs (relative half-widths added in
    quadrature: independent values)."""
    r = b.score / a.score
    rel = math.hypot(a.relative_half_width, b.relative_half_width)
    return r, r * (1 - rel), r * (1 + rel)
