"""The vCPU rule decided from recorded host facts: bare metal, SMT-on bare metal, VMs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from estimator.capacity import Assumptions, TrafficProfile, plan_fargate, plan_lambda
from estimator.capacity.speeds import detect_host_cpu
from estimator.host import HostFacts, facts_from_raw
from tests.capacity.factory import summary

HOSTS = Path(__file__).parent / "hosts"
X86_FLAGS = "fpu vme de pse tsc msr ht syscall nx lm avx2 avx512f avx512_vnni"


def x86(
    vendor: str,
    family: int,
    model: int,
    name: str,
    siblings: list[str],
    *,
    hypervisor: bool = False,
) -> dict[str, Any]:
    flags = X86_FLAGS + (" hypervisor" if hypervisor else "")
    cpuinfo = (
        f"processor\t: 0\nvendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: {model}\n"
        f"model name\t: {name}\nstepping\t: 1\nflags\t\t: {flags}\n"
    )
    return {
        "cpuinfo": cpuinfo,
        "meminfo": "MemTotal:       65536000 kB\n",
        "thread_siblings": siblings,
        "logical_cpus": len(siblings),
        "kernel": "6.1.0",
        "hostname": "h",
        "machine": "x86_64",
        "processor": "",
    }


BARE_METAL_SMT = x86(
    "AuthenticAMD", 25, 1, "AMD EPYC 7763 64-Core Processor", ["0,64\n", "1,65\n", "0,64\n"]
)
BARE_METAL_NO_SMT = x86(
    "GenuineIntel", 6, 106, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", ["0\n", "1\n"]
)
M7A_VM = x86("AuthenticAMD", 25, 17, "AMD EPYC 9R14", ["0\n", "1\n"], hypervisor=True)
ZEN4_VM = x86("AuthenticAMD", 25, 17, "AMD EPYC", ["0\n", "1\n"], hypervisor=True)
"""The team's machine when the fixture runs were recorded: a KVM guest on Zen 4 whose
hypervisor shortens the model name to 'AMD EPYC'."""
GRAVITON2_VM = {
    "cpuinfo": "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes pmull "
    "sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n"
    "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\n"
    "CPU revision\t: 1\n",
    "meminfo": "MemTotal:        3900000 kB\n",
    "thread_siblings": ["0\n", "1\n"],
    "logical_cpus": 2,
    "kernel": "6.1.0",
    "hostname": "ip-10-0-0-1",
    "machine": "aarch64",
    "processor": "",
}


def recorded_vm() -> HostFacts:
    raw = json.loads((HOSTS / "kvm_vm_intel_masked.json").read_text())
    return facts_from_raw(raw)


def test_recorded_vm_facts_are_parsed() -> None:
    h = recorded_vm()
    assert (h.cpu_vendor, h.cpu_family, h.cpu_model_number) == ("GenuineIntel", 6, 167)
    assert (h.threads_per_core, h.virtualization, h.arch) == (1, "hypervisor", "x86_64")
    assert "amx_tile" in h.cpu_flags
    assert h.memory_gib == pytest.approx(23.54, abs=0.01)


@pytest.mark.parametrize(
    ("host", "kind", "share", "why"),
    [
        (facts_from_raw(BARE_METAL_NO_SMT), "core", 1.0, "bare metal"),
        (facts_from_raw(BARE_METAL_SMT), "hyperthread", 0.625, "2 threads per core"),
        (recorded_vm(), "hyperthread", 0.625, "a VM (hypervisor flag)"),
        (facts_from_raw(ZEN4_VM), "hyperthread", 0.625, "a VM (hypervisor flag)"),
        (facts_from_raw(M7A_VM), "core", 1.0, "one thread per core"),
        (facts_from_raw(GRAVITON2_VM), "core", 1.0, "Arm host"),
    ],
)
def test_vcpu_rule_from_host_facts(host: HostFacts, kind: str, share: float, why: str) -> None:
    rule = Assumptions().host_rule(host)
    assert rule.kind == kind
    assert rule.core_share == pytest.approx(share)
    assert why in rule.reason


def test_the_rule_can_be_overridden() -> None:
    vm = recorded_vm()
    core = Assumptions().with_overrides(["host_vcpu=core"]).host_rule(vm)
    assert (core.kind, core.core_share) == ("core", 1.0)
    assert "set by hand" in core.reason
    bare = facts_from_raw(BARE_METAL_NO_SMT)
    ht = Assumptions(host_vcpu="hyperthread", smt_yield=0.3).host_rule(bare)
    assert ht.core_share == pytest.approx(0.65)
    assert Assumptions(host_cpu_core_share=0.8).host_core_share(vm) == 0.8


def test_on_a_vm_a_measured_cpu_second_is_one_x86_target_vcpu_second() -> None:
    """Measured on the VM, an x86 hyperthreaded target serves per vCPU what the host did;
    a Graviton vCPU (a whole core, same speed) serves 1 ÷ 0.625 = 1.6 times that."""
    from estimator.capacity import HardwareShape, instance_capacity

    s = summary().model_copy(update={"host": recorded_vm()})
    a = Assumptions(slo_caps_utilization=False, workers_rule="fixed", workers_fixed=64)
    m6i = instance_capacity(s, HardwareShape.ec2("m6i.large", 2, 8, "x86_64", "intel"), a)
    m7g = instance_capacity(s, HardwareShape.ec2("m7g.large", 2, 8, "arm64", "aws"), a)
    cpu = {c.target.name: next(x.rps for x in c.limits if x.name == "cpu") for c in (m6i, m7g)}
    # D = 4 ms; 2 vCPUs at 0.65 utilisation: 2 × 0.65 ÷ 4 ms = 325 req/s on x86
    assert cpu["m6i.large"] == pytest.approx(325.0)
    assert cpu["m7g.large"] == pytest.approx(325.0 / 0.625)
    assert any("vCPU rule: hyperthread" in n for n in m6i.notes)


def test_lambda_and_fargate_count_an_x86_vcpu_by_one_rule() -> None:
    """Issue 12: Lambda counted an x86 vCPU as a full core while Fargate x86 counted
    (1 + smt_yield) ÷ 2. One rule now: an x86 vCPU is a hyperthread, an arm64 one a core."""
    bare = summary()  # bare metal, 1 thread per core: a measured CPU-second is a core-second
    traffic = TrafficProfile.constant(10)
    a = Assumptions(lambda_memory_mb=1769)
    x86_lambda = plan_lambda(bare, traffic, a, arch="x86_64")
    arm_lambda = plan_lambda(bare, traffic, a, arch="arm64")
    # S = 5 ms = 1 ms wait + D 4 ms; at one full vCPU the CPU part is D ÷ the vCPU's core share
    assert arm_lambda.duration_ms.value == pytest.approx(1 + 4.0)
    assert x86_lambda.duration_ms.value == pytest.approx(1 + 4.0 / 0.625)
    fargate = plan_fargate(bare, traffic, a)
    one = {c.task.arch: c for c in fargate.candidates if c.task.vcpu == 1.0}
    assert one["x86_64"].capacity.cores_equivalent == pytest.approx(0.625)
    assert one["arm64"].capacity.cores_equivalent == pytest.approx(1.0)
    for notes in (x86_lambda.notes, fargate.notes):
        assert any(n.startswith("vCPU rule: an x86 vCPU") for n in notes)


@pytest.mark.parametrize(
    ("raw", "key", "how"),
    [
        (M7A_VM, "amd-epyc-9r14", "by its model name"),
        (BARE_METAL_NO_SMT, "intel-xeon-platinum-8375c", "by its model name"),
        (BARE_METAL_SMT, "amd-epyc-7r13", "Zen 3 (Milan)"),
        (ZEN4_VM, "amd-epyc-9r14", "Zen 4 (Genoa)"),
        (GRAVITON2_VM, "aws-graviton2", "Arm CPU part 0xd0c"),
    ],
)
def test_host_cpu_is_recognised(raw: dict[str, Any], key: str, how: str) -> None:
    cpu = detect_host_cpu(facts_from_raw(raw))
    assert cpu.cpu_key == key
    assert how in cpu.how


def test_a_masked_model_name_is_recognised_by_its_flags() -> None:
    cpu = detect_host_cpu(recorded_vm())
    assert cpu.cpu_key == "intel-xeon-platinum-8488c"
    assert "amx_tile" in cpu.how
    assert "masked" in cpu.how


def test_an_unknown_cpu_says_how_to_fix_it() -> None:
    cpu = detect_host_cpu(summary().host)  # 'AMD EPYC', no vendor/family/model facts
    assert cpu.cpu_key is None
    assert "host_reference=" in cpu.how
