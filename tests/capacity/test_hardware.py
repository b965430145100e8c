from __future__ import annotations

import pytest
from pydantic import ValidationError

from estimator.capacity import FARGATE_SIZES, CapacityError, FargateTask, HardwareShape
from estimator.capacity.hardware import physical_cores_for


@pytest.mark.parametrize(
    ("family", "arch", "vcpu", "cores"),
    [
        ("m6i", "x86_64", 2, 1),  # Intel: 2 vCPUs per core
        ("m6a", "x86_64", 4, 2),  # AMD before Genoa: hyperthreaded too
        ("m7a", "x86_64", 4, 4),  # Genoa m7a/c7a/r7a: 1 vCPU = 1 core
        ("c7a", "x86_64", 1, 1),
        ("m7g", "arm64", 2, 2),  # Graviton: 1 vCPU = 1 core
        ("t3", "x86_64", 2, 1),
    ],
)
def test_physical_cores_rule(family: str, arch: str, vcpu: int, cores: int) -> None:
    assert physical_cores_for(family, arch, vcpu) == cores  # type: ignore[arg-type]


def test_shape_from_catalog_facts() -> None:
    m6i = HardwareShape.ec2("m6i.large", 2, 8, "x86_64", "intel")
    m7a = HardwareShape.ec2("m7a.large", 2, 8, "x86_64", "amd")
    t4g = HardwareShape.ec2("t4g.micro", 2, 1, "arm64", "aws")
    assert (m6i.family, m6i.physical_cores, m6i.hyperthreaded, m6i.threads_per_core) == (
        "m6i",
        1,
        True,
        2,
    )
    assert (m7a.physical_cores, m7a.hyperthreaded, m7a.burstable) == (2, False, False)
    assert (t4g.physical_cores, t4g.burstable, t4g.sustained_baseline()) == (2, True, 0.10)
    assert m6i.sustained_baseline() is None
    assert not HardwareShape.ec2("trn1.2xlarge", 8, 32, "x86_64", "intel").burstable


def test_burstable_baseline_table_and_override() -> None:
    assert HardwareShape.ec2("t3.large", 2, 8, "x86_64", "intel").sustained_baseline() == 0.30
    custom = HardwareShape(
        name="t3.large",
        vcpu=2,
        physical_cores=1,
        memory_gib=8,
        arch="x86_64",
        cpu_vendor="intel",
        burstable=True,
        baseline_utilization=0.5,
    )
    assert custom.sustained_baseline() == 0.5
    odd = HardwareShape.ec2("t9.huge", 2, 8, "x86_64", "intel")
    with pytest.raises(CapacityError, match=r"t9\.huge.*baseline_utilization"):
        odd.sustained_baseline()


def test_cores_must_divide_vcpus() -> None:
    with pytest.raises(ValidationError, match="physical_cores = 3 must divide vcpu = 4"):
        HardwareShape(
            name="x.large", vcpu=4, physical_cores=3, memory_gib=8, arch="x86_64", cpu_vendor="amd"
        )
    with pytest.raises(ValidationError):
        HardwareShape(
            name="x.large", vcpu=2, physical_cores=4, memory_gib=8, arch="x86_64", cpu_vendor="amd"
        )


def test_fargate_sizes_match_the_published_table() -> None:
    assert FARGATE_SIZES[0.25] == (0.5, 1.0, 2.0)
    assert FARGATE_SIZES[0.5] == (1.0, 2.0, 3.0, 4.0)
    assert FARGATE_SIZES[1.0] == (2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
    assert FARGATE_SIZES[2.0][0] == 4
    assert FARGATE_SIZES[2.0][-1] == 16
    assert len(FARGATE_SIZES[2.0]) == 13  # 1 GB steps
    assert FARGATE_SIZES[4.0][0] == 8
    assert FARGATE_SIZES[4.0][-1] == 30
    assert len(FARGATE_SIZES[4.0]) == 23
    assert FARGATE_SIZES[8.0] == tuple(
        float(g) for g in (16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60)
    )
    assert FARGATE_SIZES[16.0] == tuple(float(g) for g in range(32, 121, 8))
    assert FARGATE_SIZES[16.0][-1] == 120


@pytest.mark.parametrize(
    ("vcpu", "memory", "ok"),
    [
        (0.25, 0.5, True),
        (0.25, 3, False),
        (4, 30, True),
        (4, 31, False),
        (8, 20, True),
        (8, 18, False),  # 4 GB steps from 16
        (16, 40, True),
        (16, 36, False),  # 8 GB steps from 32
        (3, 8, False),  # no such vCPU size
    ],
)
def test_fargate_task_validity(vcpu: float, memory: float, ok: bool) -> None:
    if ok:
        task = FargateTask(vcpu=vcpu, memory_gb=memory, arch="arm64")
        assert task.name == f"fargate {vcpu:g} vCPU {memory:g} GB arm64"
    else:
        with pytest.raises(ValidationError, match="use one of"):
            FargateTask(vcpu=vcpu, memory_gb=memory, arch="arm64")
