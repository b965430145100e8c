"""AWS Lambda from the same measurements: one request at a time per execution environment,
CPU in proportion to memory (1 vCPU at 1,769 MB), duration billed in 1 ms steps.

Duration at memory m: the wait part of the measured service time (S − D) unchanged, plus the
CPU part at the CPU share min(1, m ÷ 1769) (one request runs on one thread: more than one
vCPU does not shorten it). The CPU part on one full vCPU follows the vCPU rule of EC2 and
Fargate: D × host core share ÷ cpu speed is full-core time, ÷ (1 + smt_yield) ÷ 2 on x86 (a
hyperthread), ÷ 1 on arm64 (a Graviton core). Memory is the smallest size that holds the
process (shared + one worker, with headroom) and, by the measured p95/mean ratio at low load,
meets the p95 SLO.
"""

from __future__ import annotations

import math

from pydantic import Field

from estimator._model import Model
from estimator.capacity.assumptions import Assumptions
from estimator.capacity.hardware import Arch, target_rule_text, target_vcpu_share
from estimator.capacity.inputs import Interval, MeasuredInputs, Point, spread
from estimator.capacity.instance import measured
from estimator.capacity.speeds import target_cpu_key
from estimator.capacity.traffic import TrafficProfile
from estimator.store.summary import ConfigSummary

MIN_MB = 128
MAX_MB = 10240
MB_PER_VCPU = 1769
"""AWS Lambda developer guide, "Configure Lambda function memory": at 1,769 MB a function has
the equivalent of one vCPU."""

NOT_MODELLED = [
    "cold starts: init duration is billed (since 2025-08-01) but not measured here; each new "
    "execution environment adds the app's import time",
    "the adapter (Mangum, an API Gateway WSGI adapter or the Lambda Web Adapter) is not "
    "measured; its per-request overhead is not in the duration",
    "API Gateway, function URL or ALB request charges are not included",
    "ephemeral storage above the free 512 MB is not counted",
]


class LambdaPlan(Model):
    config_key: str
    arch: Arch
    fits: bool = Field(description="False: the process needs more than 10,240 MB")
    memory_mb: int
    memory_needed_mb: int = Field(description="shared + one worker, with headroom")
    memory_reason: str
    cpu_share: float = Field(description="vCPU share the memory gives, at most 1 per request")
    cpu_speed: float
    cpu_speed_key: str
    duration_ms: Interval
    billed_duration_ms: int = Field(description="per request, 1 ms steps (from the mean)")
    gb_seconds_per_request: float
    requests_per_month: float
    gb_seconds_per_month: Interval
    predicted_p95_ms: float
    slo_p95_ms: float
    meets_slo: bool
    peak_concurrency: int = Field(description="peak req/s × duration (Little's law)")
    over_concurrency_limit: bool
    traffic: TrafficProfile
    inputs: MeasuredInputs
    assumptions: Assumptions
    notes: list[str]
    not_modelled: list[str]


def _wait_and_cpu(
    inputs: MeasuredInputs, p: Point, a: Assumptions, speed: float, arch: Arch
) -> tuple[float, float]:
    """(wait seconds, CPU seconds on one full Lambda vCPU) per request: full-core seconds
    (measured × host core share ÷ speed) ÷ what a vCPU of `arch` is worth in cores."""
    h = a.host_core_share(inputs.host)
    per_vcpu = target_vcpu_share("lambda", arch, a.smt_yield)
    return max(0.0, p.s_ms / 1000 - p.d), p.d * h / speed / per_vcpu


def duration_s(wait: float, cpu: float, memory_mb: int) -> float:
    return wait + cpu / min(1.0, memory_mb / MB_PER_VCPU)


def billed_ms(duration: float) -> int:
    return max(1, math.ceil(duration * 1000 - 1e-9))


def _choose_memory(
    needed: int, wait: float, cpu: float, p95_ratio: float, slo_ms: float
) -> tuple[int, str]:
    target = slo_ms / 1000 / p95_ratio  # the mean duration that keeps p95 within the SLO
    if target <= wait + cpu:
        mem = max(needed, MB_PER_VCPU)
        return mem, (
            f"{mem} MB: even a full vCPU gives a mean {1000 * (wait + cpu):.4g} ms, over the "
            f"{1000 * target:.4g} ms that keeps p95 within {slo_ms:g} ms"
        )
    for_slo = math.ceil(MB_PER_VCPU * cpu / (target - wait) - 1e-9)
    if for_slo > needed:
        return for_slo, (
            f"{for_slo} MB: the least CPU share keeping the mean within {1000 * target:.4g} ms "
            f"(p95 ≈ {p95_ratio:.3g} × mean ≤ {slo_ms:g} ms); {needed} MB would hold the process"
        )
    return needed, f"{needed} MB: holds the process; CPU share already meets the SLO"


def _range_ms(d: Interval) -> str:
    if not d.known or d.low is None:
        return "range not known: one measurement"
    high = "no upper end" if d.high is None else f"{1000 * d.high:.4g} ms"
    return f"range {1000 * d.low:.4g} ms to {high}"


def plan_lambda(
    summary: ConfigSummary | MeasuredInputs,
    traffic: TrafficProfile,
    assumptions: Assumptions | None = None,
    arch: Arch = "x86_64",
) -> LambdaPlan:
    """Memory, duration, GB-seconds and requests a month for one configuration on Lambda."""
    a = assumptions or Assumptions()
    inputs = measured(summary)
    p = inputs.point()
    name = f"lambda-{arch}"
    speed, key = a.speed_for([name, target_cpu_key(name), "lambda", arch])
    wait, cpu = _wait_and_cpu(inputs, p, a, speed, arch)
    needed = max(MIN_MB, math.ceil((p.m_0 + p.m_w) * (1 + a.memory_headroom) - 1e-9))
    p95_ratio = max(1.0, inputs.p95_low_ms.mean / inputs.latency_low_ms.mean)
    slo = inputs.slo_p95_ms
    if a.lambda_memory_mb is not None:
        memory, reason = a.lambda_memory_mb, f"{a.lambda_memory_mb} MB: set by hand"
    else:
        memory, reason = _choose_memory(needed, wait, cpu, p95_ratio, slo)
    fits = needed <= min(memory, MAX_MB)
    if needed > MAX_MB:
        memory, reason = needed, f"does not fit: needs {needed} MB, Lambda's maximum is {MAX_MB}"
    elif needed > memory:
        reason += f"; does not fit: the process needs {needed} MB"

    def dur(q: Point) -> float:
        w, c = _wait_and_cpu(inputs, q, a, speed, arch)
        return duration_s(w, c, memory)

    d = spread(inputs, dur)
    billed = billed_ms(d.value)
    gbs = billed / 1000 * memory / 1024
    requests = traffic.requests_per_month

    def month_gbs(seconds: float | None) -> float | None:
        return None if seconds is None else requests * billed_ms(seconds) / 1000 * memory / 1024

    gbs_month = Interval(
        value=requests * gbs, low=month_gbs(d.low), high=month_gbs(d.high), known=d.known
    )
    share = min(1.0, memory / MB_PER_VCPU)
    p95 = d.value * 1000 * p95_ratio
    concurrency = math.ceil(traffic.peak_rps * d.value - 1e-9)
    notes = [
        target_rule_text(a.smt_yield),
        f"memory: {reason}",
        f"duration = wait {1000 * wait:.4g} ms + CPU {1000 * cpu:.4g} ms ÷ share {share:.3g} "
        f"= {1000 * d.value:.4g} ms ({_range_ms(d)}); billed {billed} ms",
        f"GB-s per request = {billed} ms × {memory} MB ÷ 1024 = {gbs:.6g}",
        f"p95 ≈ mean × {p95_ratio:.3g} (measured p95/mean at low load) = {p95:.4g} ms vs "
        f"SLO {slo:g} ms",
        f"peak concurrency = {traffic.peak_rps:,.1f} req/s × {1000 * d.value:.4g} ms = "
        f"{concurrency} environments (limit {a.lambda_concurrency_limit})",
    ]
    return LambdaPlan(
        config_key=inputs.key,
        arch=arch,
        fits=fits,
        memory_mb=memory,
        memory_needed_mb=needed,
        memory_reason=reason,
        cpu_share=share,
        cpu_speed=speed,
        cpu_speed_key=key,
        duration_ms=d.scaled(1000),
        billed_duration_ms=billed,
        gb_seconds_per_request=gbs,
        requests_per_month=requests,
        gb_seconds_per_month=gbs_month,
        predicted_p95_ms=p95,
        slo_p95_ms=slo,
        meets_slo=p95 <= slo * (1 + 1e-9),
        peak_concurrency=concurrency,
        over_concurrency_limit=concurrency > a.lambda_concurrency_limit,
        traffic=traffic,
        inputs=inputs,
        assumptions=a,
        notes=notes,
        not_modelled=NOT_MODELLED,
    )
