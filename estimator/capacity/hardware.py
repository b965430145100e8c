"""What the capacity model needs to know about a target machine.

The capacity stage runs before pricing, so it has its own hardware description; the estimate
stage maps each price-catalog row to a `HardwareShape`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from estimator._model import Model
from estimator.capacity.cpudata import clean_cpu, cpu_key
from estimator.capacity.errors import CapacityError
from estimator.host import HostFacts

Arch = Literal["x86_64", "arm64"]

_T_FAMILY = re.compile(r"^t\d")  # t2, t3, t3a, t4g; not trn1 (Trainium)

NO_SMT_X86_FAMILIES = frozenset({"m7a", "c7a", "r7a", "t2"})
"""x86 families where one vCPU is one physical core. AWS EC2 user guide, "Optimize CPU
options": every vCPU is a thread of a core 'except for T2 instances, M7a instances, ... and
64-bit ARM platforms such as ... Graviton'; threads per core cannot be changed for 'T2, C7a,
M7a, R7a' (lscpu on m7a/c7a.xlarge: 4 cores / 4 threads)."""

BURSTABLE_BASELINE: dict[str, float] = {
    "nano": 0.05,
    "micro": 0.10,
    "small": 0.20,
    "medium": 0.20,
    "large": 0.30,
    "xlarge": 0.40,
    "2xlarge": 0.40,
}
"""Baseline CPU utilisation per vCPU of the T3, T3a and T4g sizes (AWS EC2 user guide,
"Key concepts for burstable performance instances": credits earned per hour = vCPUs x
baseline x 60). Sustained use above it is throttled (standard mode) or billed as surplus
credits (unlimited mode)."""


NO_SMT_HOST_CPUS = frozenset({"amd-epyc-9r14", "amd-epyc-9r45", "amd-epyc-9r05"})
"""AWS-only AMD parts whose every EC2 family runs one thread per core (m7a/c7a/r7a/hpc7a,
m8a/c8a/r8a, m8azn: vcpus = physical_cores in the Spare Cores lscpu data): a VM naming one
of them gives its vCPUs whole cores."""

VcpuKind = Literal["core", "hyperthread"]


class VcpuRule(Model):
    """What one CPU of the measuring host is worth in full cores, and why."""

    kind: VcpuKind
    core_share: float = Field(gt=0, le=1, description="full cores one measuring CPU delivers")
    reason: str


def is_arm(host: HostFacts) -> bool:
    machine = (host.arch or "").lower()
    return machine in ("aarch64", "arm64") or machine.startswith("arm")


def host_vcpu_rule(
    host: HostFacts,
    smt_yield: float,
    setting: Literal["auto", "core", "hyperthread"] = "auto",
    core_share: float | None = None,
) -> VcpuRule:
    """The vCPU rule for a measuring host, decided from its facts (hypervisor flag, threads
    per core, CPU) unless set by hand. A hyperthread with its sibling busy delivers
    (1 + smt_yield) ÷ 2 of a core: the same as an x86 target vCPU, so on such a host a
    measured CPU-second is one x86 target vCPU-second."""
    ht = (1.0 + smt_yield) / 2.0
    if core_share is not None:
        kind: VcpuKind = "core" if core_share >= 1 else "hyperthread"
        return VcpuRule(kind=kind, core_share=core_share, reason="host_cpu_core_share set by hand")
    if setting != "auto":
        share = 1.0 if setting == "core" else ht
        return VcpuRule(kind=setting, core_share=share, reason=f"host_vcpu={setting} set by hand")
    if host.threads_per_core > 1:
        return VcpuRule(
            kind="hyperthread",
            core_share=ht,
            reason=f"the host reports {host.threads_per_core} threads per core: a measuring "
            "CPU is a hyperthread sharing its core",
        )
    if is_arm(host):
        return VcpuRule(
            kind="core", core_share=1.0, reason="an Arm host (no SMT): each CPU is a whole core"
        )
    if host.virtualization:
        if cpu_key(clean_cpu(host.cpu_model)) in NO_SMT_HOST_CPUS:
            return VcpuRule(
                kind="core",
                core_share=1.0,
                reason=f"a VM on {clean_cpu(host.cpu_model)}, a part AWS runs one thread per "
                "core (m7a/c7a/r7a class): each vCPU is a whole core",
            )
        return VcpuRule(
            kind="hyperthread",
            core_share=ht,
            reason="a VM (hypervisor flag) reporting 1 thread per core: its vCPU is most "
            "likely one hyperthread of the physical host's core, so a measured CPU-second "
            "is one x86 target vCPU-second",
        )
    return VcpuRule(
        kind="core",
        core_share=1.0,
        reason="bare metal reporting 1 thread per core (SMT off or absent): each CPU is a "
        "whole core",
    )


def target_vcpu_share(family: str, arch: Arch, smt_yield: float) -> float:
    """Full cores one vCPU of a target is worth with every vCPU busy: 1 on Graviton and on
    m7a/c7a/r7a/t2, else (1 + smt_yield) ÷ 2 (a hyperthread). The same rule for EC2, Fargate
    and Lambda."""
    if arch == "arm64" or family in NO_SMT_X86_FAMILIES:
        return 1.0
    return (1.0 + smt_yield) / 2.0


def target_rule_text(smt_yield: float) -> str:
    """The target side of the vCPU rule, as every plan states it."""
    ht = (1.0 + smt_yield) / 2.0
    return (
        f"vCPU rule: an x86 vCPU (EC2 except m7a/c7a/r7a/t2, Fargate, Lambda) is a hyperthread "
        f"worth (1 + smt_yield {smt_yield:g}) ÷ 2 = {ht:.3g} of a core; a Graviton (arm64) or "
        "m7a/c7a/r7a/t2 vCPU is a whole core"
    )


def physical_cores_for(family: str, arch: Arch, vcpu: int) -> int:
    """Physical cores of an EC2 type when the catalog does not say: a vCPU is a whole core on
    Graviton (arm64) and on m7a/c7a/r7a/t2; on other x86 families two vCPUs share a core."""
    if arch == "arm64" or family in NO_SMT_X86_FAMILIES:
        return vcpu
    return max(1, vcpu // 2)


class HardwareShape(Model):
    """One EC2 instance type as the model sees it (no price: that is the pricing stage's)."""

    kind: Literal["ec2"] = "ec2"
    name: str = Field(min_length=1, description="instance type, e.g. 'm7g.large'")
    vcpu: int = Field(ge=1)
    physical_cores: int = Field(ge=1)
    memory_gib: float = Field(gt=0)
    arch: Arch
    cpu_vendor: str = Field(description="'intel', 'amd' or 'aws' (Graviton)")
    burstable: bool = False
    baseline_utilization: float | None = Field(
        None,
        gt=0,
        le=1,
        description="sustained CPU per vCPU of a burstable type; None: the T3/T3a/T4g table",
    )

    @model_validator(mode="after")
    def _cores(self) -> HardwareShape:
        if self.physical_cores > self.vcpu or self.vcpu % self.physical_cores:
            raise ValueError(
                f"{self.name}: physical_cores = {self.physical_cores} must divide vcpu = "
                f"{self.vcpu} (1 or 2 threads per core); check the catalog row"
            )
        return self

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def threads_per_core(self) -> int:
        return self.vcpu // self.physical_cores

    @property
    def hyperthreaded(self) -> bool:
        """Two vCPUs per physical core (Intel and AMD x86 except m7a/c7a/r7a/t2)."""
        return self.vcpu > self.physical_cores

    def sustained_baseline(self) -> float | None:
        """The CPU fraction per vCPU a burstable type sustains without credits; None for a
        fixed-performance type."""
        if not self.burstable:
            return None
        if self.baseline_utilization is not None:
            return self.baseline_utilization
        size = self.name.split(".", 1)[-1]
        if size not in BURSTABLE_BASELINE:
            raise CapacityError(
                f"burstable type '{self.name}': baseline CPU of size '{size}' is unknown; "
                "set baseline_utilization on its HardwareShape"
            )
        return BURSTABLE_BASELINE[size]

    @classmethod
    def ec2(
        cls,
        name: str,
        vcpu: int,
        memory_gib: float,
        arch: Arch,
        cpu_vendor: str,
        *,
        physical_cores: int | None = None,
        burstable: bool | None = None,
    ) -> HardwareShape:
        """A shape from catalog facts, filling physical cores by `physical_cores_for` and
        burstable from the T family name when not given."""
        family = name.split(".", 1)[0]
        return cls(
            name=name,
            vcpu=vcpu,
            physical_cores=physical_cores or physical_cores_for(family, arch, vcpu),
            memory_gib=memory_gib,
            arch=arch,
            cpu_vendor=cpu_vendor,
            burstable=bool(_T_FAMILY.match(family)) if burstable is None else burstable,
        )


FARGATE_SIZES: dict[float, tuple[float, ...]] = {
    0.25: (0.5, 1.0, 2.0),
    0.5: (1.0, 2.0, 3.0, 4.0),
    1.0: tuple(float(g) for g in range(2, 9)),
    2.0: tuple(float(g) for g in range(4, 17)),
    4.0: tuple(float(g) for g in range(8, 31)),
    8.0: tuple(float(g) for g in range(16, 61, 4)),
    16.0: tuple(float(g) for g in range(32, 121, 8)),
}
"""Valid Fargate (Linux) task sizes: vCPU → memory in GB (GiB, as AWS counts them: 0.5 GB =
512 MiB). AWS ECS developer guide, "Task CPU and memory"."""


class FargateTask(Model):
    """One Fargate task size. CPU is enforced like a cgroup quota (see the quota curve); on
    x86 a vCPU is a hyperthread, as on EC2, on arm64 a Graviton core."""

    kind: Literal["fargate"] = "fargate"
    vcpu: float
    memory_gb: float
    arch: Arch

    @model_validator(mode="after")
    def _valid(self) -> FargateTask:
        sizes = FARGATE_SIZES.get(self.vcpu)
        if sizes is None:
            raise ValueError(
                f"Fargate vcpu = {self.vcpu} is not a task size; use one of "
                f"{[f'{v:g}' for v in FARGATE_SIZES]}"
            )
        if self.memory_gb not in sizes:
            raise ValueError(
                f"Fargate memory_gb = {self.memory_gb:g} is not valid with {self.vcpu:g} vCPU; "
                f"use one of {[f'{g:g}' for g in sizes]}"
            )
        return self

    @property
    def name(self) -> str:
        return f"fargate {self.vcpu:g} vCPU {self.memory_gb:g} GB {self.arch}"

    @property
    def memory_gib(self) -> float:
        return self.memory_gb
