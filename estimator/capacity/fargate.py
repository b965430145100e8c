"""Fargate from the same measurements: for every task vCPU size and architecture, the workers
it runs, the smallest valid memory that holds them, its capacity (CPU behaves like a cgroup
quota, so fractional sizes use the quota curve), tasks per hour and vCPU-/GB-hours a month."""

from __future__ import annotations

import math
from decimal import Decimal

from pydantic import Field

from estimator._model import Model
from estimator.capacity.assumptions import Assumptions
from estimator.capacity.fleet import FleetPlan, plan_fleet
from estimator.capacity.hardware import (
    FARGATE_SIZES,
    Arch,
    FargateTask,
    target_rule_text,
    target_vcpu_share,
)
from estimator.capacity.inputs import MeasuredInputs
from estimator.capacity.instance import InstanceCapacity, build, measured
from estimator.capacity.limits import Target, workers_by_rule
from estimator.capacity.speeds import target_cpu_key
from estimator.capacity.traffic import TrafficProfile
from estimator.store.summary import ConfigSummary

NOT_MODELLED = [
    "Fargate bills per second with a 1-minute minimum; hourly counts make that moot",
    "ephemeral storage above the included 20 GB and sidecar containers are not counted "
    "(raise memory_headroom for sidecars)",
    "task memory is taken as all available to the app (no OS reserve inside a task)",
]


class FargateCandidate(Model):
    task: FargateTask
    capacity: InstanceCapacity
    fleet: FleetPlan
    vcpu_hours_per_month: Decimal = Field(description="autoscaled tasks × vCPU")
    gb_hours_per_month: Decimal = Field(description="autoscaled tasks × GB")
    fixed_vcpu_hours_per_month: Decimal = Field(description="peak tasks all month × vCPU")
    fixed_gb_hours_per_month: Decimal = Field(description="peak tasks all month × GB")


class FargatePlan(Model):
    config_key: str
    candidates: list[FargateCandidate] = Field(description="one per vCPU size and arch that fits")
    not_fitting: list[str] = Field(description="sizes where one worker does not fit, and why")
    traffic: TrafficProfile
    assumptions: Assumptions
    notes: list[str]


def _memory_gb(sizes: tuple[float, ...], needed_mib: float) -> float | None:
    """The smallest valid memory (GB = 1024 MiB) holding `needed_mib`."""
    for gb in sizes:
        if gb * 1024 >= needed_mib - 1e-6:
            return gb
    return None


def task_candidate(
    inputs: MeasuredInputs,
    vcpu: float,
    arch: Arch,
    traffic: TrafficProfile,
    a: Assumptions,
) -> FargateCandidate | str:
    """The cheapest-memory task of `vcpu` for this config, or why none fits."""
    sizes = FARGATE_SIZES[vcpu]
    m_w = inputs.worker_uss_mb.mean * (1 + a.memory_headroom)
    m_0 = max(0.0, inputs.shared_mb.mean) * (1 + a.memory_headroom)
    w_fit_max = math.floor((sizes[-1] * 1024 - m_0) / m_w + 1e-9)
    workers = min(workers_by_rule(inputs, vcpu, a), w_fit_max)
    label = f"{vcpu:g} vCPU {arch}"
    if workers < 1:
        return (
            f"{label}: one worker ({m_w:,.0f} MiB) + shared ({m_0:,.0f} MiB) exceed its largest "
            f"memory, {sizes[-1]:g} GB"
        )
    memory = _memory_gb(sizes, m_0 + workers * m_w)
    assert memory is not None  # workers <= what fits in the largest size
    task = FargateTask(vcpu=vcpu, memory_gb=memory, arch=arch)
    name = f"fargate-{arch}"
    speed, key = a.speed_for([name, target_cpu_key(name), "fargate", arch])
    per_vcpu = target_vcpu_share("fargate", arch, a.smt_yield)
    cores_text = (
        f"{vcpu:g} Graviton vCPU"
        if arch == "arm64"
        else f"{vcpu:g} vCPU × (1 + {a.smt_yield:g}) ÷ 2 (x86 vCPUs are hyperthreads)"
    )
    target = Target(
        vcpus=vcpu,
        cores=vcpu * per_vcpu,
        quota_efficiency=a.quota_curve.efficiency(vcpu),
        memory_mib=memory * 1024,
        speed=speed,
    )
    capacity = build(inputs, task, target, a, speed_key=key, cores_text=cores_text)
    fleet = plan_fleet(capacity, traffic)
    v, g = Decimal(str(vcpu)), Decimal(str(memory))
    hours, fixed = (
        fleet.expected.autoscaled_instance_hours_per_month,
        fleet.expected.fixed_instance_hours_per_month,
    )
    return FargateCandidate(
        task=task,
        capacity=capacity,
        fleet=fleet,
        vcpu_hours_per_month=hours * v,
        gb_hours_per_month=hours * g,
        fixed_vcpu_hours_per_month=fixed * v,
        fixed_gb_hours_per_month=fixed * g,
    )


def plan_fargate(
    summary: ConfigSummary | MeasuredInputs,
    traffic: TrafficProfile,
    assumptions: Assumptions | None = None,
    archs: tuple[Arch, ...] = ("x86_64", "arm64"),
) -> FargatePlan:
    """Every Fargate vCPU size × arch that fits, with its usage for the estimate to price."""
    a = assumptions or Assumptions()
    inputs = measured(summary)
    candidates: list[FargateCandidate] = []
    misfits: list[str] = []
    for arch in archs:
        for vcpu in FARGATE_SIZES:
            result = task_candidate(inputs, vcpu, arch, traffic, a)
            if isinstance(result, str):
                misfits.append(result)
            else:
                candidates.append(result)
    notes = [
        target_rule_text(a.smt_yield),
        f"quota curve: {a.quota_curve.describe()}",
        "memory per size: the smallest valid size holding shared + workers, with "
        f"{a.memory_headroom:.0%} headroom",
        *NOT_MODELLED,
    ]
    return FargatePlan(
        config_key=inputs.key,
        candidates=candidates,
        not_fitting=misfits,
        traffic=traffic,
        assumptions=a,
        notes=notes,
    )
