"""Every choice the capacity model makes that is not measured: named, defaulted, overridable
(`Assumptions.with_overrides(["target_utilization=0.7"])`) and printed (`describe()`).

Each field's description says why its default is what it is; docs/model.md has the long form.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from estimator._model import InputModel, Model
from estimator.capacity.cpudata import Benchmark
from estimator.capacity.errors import CapacityError
from estimator.capacity.hardware import VcpuRule, host_vcpu_rule
from estimator.capacity.quota import (
    DEFAULT_QUOTA_CURVE,
    QuotaCurve,
    QuotaPoint,
    quota_curve_from_summaries,
)
from estimator.capacity.speeds import FamilySpeed
from estimator.errors import describe_validation_error
from estimator.host import HostFacts
from estimator.store.summary import ConfigSummary

WorkersRule = Literal["per-cpu", "gunicorn", "fixed"]


class Assumptions(InputModel):
    target_utilization: float = Field(
        0.65,
        ge=0.01,
        le=1,
        description="share of an instance's capacity planned for at the hour's mean rate: "
        "headroom for bursts inside the hour and queueing (M/M/c response time climbs "
        "steeply above ~70%); the middle of the 60-70% band of the design doc",
    )
    slo_caps_utilization: bool = Field(
        True,
        description="cap the utilisation by the one at which the measured config met its p95 "
        "SLO (X_max ÷ the measuring host's saturation rate): the SLO, not only the CPU, sets "
        "usable utilisation",
    )
    smt_yield: float = Field(
        0.25,
        ge=0,
        le=1,
        description="throughput the 2nd hyperthread of a core adds, relative to a full core "
        "(published range 15-30%); `calibrate` or a measurement may replace it",
    )
    host_vcpu: Literal["auto", "core", "hyperthread"] = Field(
        "auto",
        description="what one CPU of the measuring host is: 'auto' decides from its facts (a VM "
        "reporting 1 thread per core, or SMT on: a hyperthread worth (1 + smt_yield) / 2 of a "
        "core, so a measured CPU-second is one x86 target vCPU-second; bare metal without SMT, "
        "an Arm host or an m7a-class AMD part: a whole core)",
    )
    host_cpu_core_share: float | None = Field(
        None,
        gt=0,
        le=1,
        description="fraction of a full core one measuring CPU delivered, set by hand (wins "
        "over host_vcpu); None: from the vCPU rule",
    )
    cpu_speed: float = Field(
        1.0,
        ge=0.01,
        le=100,
        description="speed of a target core relative to a measuring-host core (>1: faster) for "
        "targets with no speed set by hand, calibrated or published",
    )
    cpu_speed_overrides: dict[str, float] = Field(
        default_factory=dict,
        description="cpu_speed set by hand per target: keys are a family ('m7g'), a CPU "
        "('aws-graviton2', 'amd-epyc-9r14': every family on it), 'fargate-<arch>', 'fargate', "
        "'lambda-<arch>', 'lambda' or an arch ('arm64'); most specific wins",
    )
    host_reference: str | None = Field(
        None,
        description="the EC2 family (or CPU key) whose CPU the measuring host has, for the "
        "published speeds; None: recognised from the host's CPU facts",
    )
    speed_benchmark: Benchmark = Field(
        "geekbench6_single",
        description="the published single-thread score the default speeds come from (one "
        "column for every family: Spare Cores data, estimator/capacity/data/CPU_SCORES.md)",
    )
    cpu_speeds: dict[str, FamilySpeed] = Field(
        default_factory=dict,
        description="each target's speed and its source (calibrated or published), filled by "
        "the estimate for its measuring host; cpu_speed_overrides win",
    )
    vcpu_rule: VcpuRule | None = Field(
        None, description="the vCPU rule applied to the measuring host, filled by the estimate"
    )
    worker_cpu_max: float = Field(
        1.0,
        gt=0,
        le=1024,
        description="CPUs one worker process can use: 1 with the GIL; raise for free-threaded "
        "builds whose threads run in parallel",
    )
    os_reserve_gib: float = Field(
        0.5,
        ge=0,
        le=1024,
        description="memory for the OS, agents and page cache on an instance (a minimal Linux "
        "AMI with an SSM/monitoring agent idles at a few hundred MiB)",
    )
    os_reserve_fraction: float = Field(
        0.05,
        ge=0,
        lt=1,
        description="plus this share of the instance memory (kernel structures, and the gap "
        "between nominal memory and what the kernel reports as MemTotal)",
    )
    memory_headroom: float = Field(
        0.10,
        ge=0,
        le=10,
        description="added to measured worker and shared memory: runs last minutes, long-lived "
        "workers grow (caches, fragmentation)",
    )
    workers_rule: WorkersRule = Field(
        "per-cpu",
        description="workers on a target: 'per-cpu' = measured workers ÷ measured CPUs × vCPUs "
        "(keeps the measured config's shape); 'gunicorn' = 2 × vCPUs + 1; 'fixed' = workers_fixed",
    )
    workers_fixed: int | None = Field(
        None,
        ge=1,
        le=10_000,
        description="workers per instance or task when workers_rule = 'fixed'",
    )
    redundancy: int = Field(
        1,
        ge=0,
        le=1000,
        description="instances added to what the load needs (N+1): losing one instance or an "
        "availability zone's worth must not breach the SLO",
    )
    min_instances: int = Field(
        1,
        ge=1,
        le=100_000,
        description="fewest instances the load may need before redundancy; with redundancy 1 "
        "the smallest fleet is 2 (two zones), the usual minimum for a stateless service",
    )
    burstable_mode: Literal["baseline", "unlimited"] = Field(
        "baseline",
        description="T instances: 'baseline' plans sustained load at their baseline CPU (above "
        "it they throttle or bill surplus credits); 'unlimited' ignores the baseline (surplus "
        "credits are not priced)",
    )
    quota_curve: QuotaCurve = Field(
        default=DEFAULT_QUOTA_CURVE,
        description="throughput at a fractional CPU quota (Fargate); the store's quota runs "
        "replace it via quota_curve_from_summaries()",
    )
    lambda_memory_mb: int | None = Field(
        None,
        ge=128,
        le=10240,
        description="Lambda memory size; None: the smallest that holds the process (with "
        "memory_headroom) and meets the p95 SLO",
    )
    lambda_concurrency_limit: int = Field(
        1000,
        ge=1,
        le=10_000_000,
        description="concurrent executions allowed per region (AWS default account quota); a "
        "plan above it is flagged",
    )

    @field_validator("cpu_speed_overrides")
    @classmethod
    def _speeds(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: s for k, s in v.items() if not 0.01 <= s <= 100}
        if bad:
            raise ValueError(f"speeds must be from 0.01 to 100, got {bad}")
        return v

    @model_validator(mode="after")
    def _fixed(self) -> Assumptions:
        if self.workers_rule == "fixed" and self.workers_fixed is None:
            raise ValueError("workers_rule = 'fixed' needs workers_fixed (e.g. workers_fixed=4)")
        return self

    def speed_for(self, keys: Sequence[str | None]) -> tuple[float, str]:
        """The CPU speed for the first key set by hand, else the first key's calibrated or
        published speed, else the default; with what decided it ('m7g', 'c6g: published',
        'default')."""
        for k in keys:
            if k is not None and k in self.cpu_speed_overrides:
                return self.cpu_speed_overrides[k], k
        if keys and keys[0] is not None and keys[0] in self.cpu_speeds:
            entry = self.cpu_speeds[keys[0]]
            return entry.speed, f"{entry.key}: {entry.source}"
        return self.cpu_speed, "default"

    def host_rule(self, host: HostFacts) -> VcpuRule:
        """The vCPU rule for a measuring host (docs/model.md, "vCPU rule")."""
        return host_vcpu_rule(host, self.smt_yield, self.host_vcpu, self.host_cpu_core_share)

    def host_core_share(self, host: HostFacts) -> float:
        """Full cores one CPU of the measuring host delivered."""
        return self.host_rule(host).core_share

    def reserve_gib(self, memory_gib: float) -> float:
        return self.os_reserve_gib + self.os_reserve_fraction * memory_gib

    def with_overrides(self, items: Sequence[str]) -> Assumptions:
        """Apply 'name=value' items (values as JSON, else text); 'cpu_speed_overrides.m7g=1.1'
        sets one key; 'quota_curve=0.25:0.19,0.5:0.42' sets the quota points."""
        data: dict[str, Any] = self.model_dump()
        for item in items:
            key, sep, raw = item.partition("=")
            key = key.strip()
            if not sep or not key:
                raise CapacityError(f"assumption '{item}': expected name=value, e.g. smt_yield=0.3")
            name, _, sub = key.partition(".")
            if name not in Assumptions.model_fields:
                known = ", ".join(Assumptions.model_fields)
                raise CapacityError(f"assumption '{name}' is unknown; use one of: {known}")
            if name == "quota_curve":
                data[name] = _parse_curve(raw).model_dump()
            elif sub:
                if not isinstance(data[name], dict):
                    raise CapacityError(f"assumption '{key}': '{name}' has no keys; use {name}=…")
                data[name] = {**data[name], sub: _parse_value(raw)}
            else:
                data[name] = _parse_value(raw)
        try:
            return Assumptions.model_validate(data)
        except ValidationError as exc:
            raise CapacityError(describe_validation_error(exc, "assumptions")) from None

    def describe(self) -> list[AssumptionRow]:
        """One row per assumption: value, default, whether it was overridden, and why."""
        default = Assumptions()
        rows = []
        for name, field in Assumptions.model_fields.items():
            value, base = getattr(self, name), getattr(default, name)
            rows.append(
                AssumptionRow(
                    name=name,
                    value=_show(name, value),
                    default=_show(name, base),
                    overridden=value != base and name not in DERIVED,
                    why=field.description or "",
                )
            )
        return rows


def with_measured_quota_curve(a: Assumptions, summaries: Sequence[ConfigSummary]) -> Assumptions:
    """`a` with the quota curve fitted from the store's quota runs, unless the curve was set by
    hand (anything but the default) or the store has no quota runs."""
    if a.quota_curve != DEFAULT_QUOTA_CURVE:
        return a
    fitted = quota_curve_from_summaries(summaries)
    return a if fitted is None else a.model_copy(update={"quota_curve": fitted})


class AssumptionRow(Model):
    name: str
    value: str
    default: str
    overridden: bool
    why: str


DERIVED = frozenset({"cpu_speeds", "vcpu_rule"})
"""Fields the estimate fills from the measuring host: shown, never 'overridden'."""


def _show(name: str, value: object) -> str:
    if isinstance(value, QuotaCurve):
        return value.describe()
    if isinstance(value, VcpuRule):
        return f"{value.kind}: {value.core_share:.3g} core per measuring CPU ({value.reason})"
    if name == "cpu_speeds" and isinstance(value, dict):
        if not value:
            return "none"
        return "; ".join(f"{k} {v.speed:.3g} ({v.source})" for k, v in sorted(value.items()))
    if value is None:
        return "unset" if name == "workers_fixed" else "auto"
    return str(value)


def _parse_value(raw: str) -> Any:
    raw = raw.strip()
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw
    except RecursionError:
        raise CapacityError(f"assumption value {raw[:40]!r}…: nested too deeply") from None


def _parse_curve(raw: str) -> QuotaCurve:
    points = []
    for part in raw.split(","):
        q, sep, r = part.partition(":")
        try:
            points.append(QuotaPoint(quota=float(q), ratio=float(r)))
        except (ValueError, ValidationError, OverflowError):
            raise CapacityError(
                f"quota_curve point '{part}': expected quota:ratio with both > 0, "
                "e.g. quota_curve=0.25:0.19,0.5:0.42,1:1"
            ) from None
        if not sep:
            raise CapacityError(f"quota_curve point '{part}': expected quota:ratio, e.g. 0.5:0.42")
    try:
        return QuotaCurve(points=sorted(points, key=lambda p: p.quota), source="set by hand")
    except ValidationError as exc:
        raise CapacityError(describe_validation_error(exc, "quota_curve")) from None
