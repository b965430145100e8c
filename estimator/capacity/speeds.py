"""CPU speed of each target relative to the measuring host's core, with where it comes from.

Sources, in the order they win: a speed set by hand (`cpu_speed_overrides`: a family, a CPU
such as 'aws-graviton2', an arch), a calibrated one (`estimator calibrate` scores of the
target and of the measuring host), a published proxy (single-thread scores of the family's CPU
÷ the host CPU's, `cpudata`), else the `cpu_speed` default ("assumed").

The host's CPU is recognised from its facts: its model name when it names a CPU of the table,
else vendor, family and model number, else (a hypervisor masking the name) its flags.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.capacity.cpudata import (
    BENCHMARKS,
    Benchmark,
    clean_cpu,
    cpu_key,
    cpu_score,
    family_scores,
)
from estimator.host import HostFacts

SpeedSource = Literal["set by hand", "calibrated", "published", "assumed"]

SERVERLESS_CPUS: dict[str, str] = {
    "lambda-arm64": "aws-graviton2",
    "fargate-arm64": "aws-graviton2",
}
"""AWS says which CPU serves arm64 Lambda functions and Fargate tasks (Graviton2: Lambda
developer guide, "Selecting and configuring an instruction set architecture"; the Fargate
Graviton2 launch, 2021); it does not say for x86, so their speed stays the default."""


class HostCpu(Model):
    """The measuring host's CPU as the speed table knows it."""

    cpu_key: str | None = Field(description="None: not recognised")
    label: str
    how: str = Field(description="how it was recognised, or why not")


class FamilySpeed(Model):
    """One target's CPU speed relative to a measuring-host core, and where it comes from."""

    key: str = Field(description="a family ('c6g'), or 'lambda-arm64', 'fargate-x86_64'…")
    cpu: str = Field(description="the target's CPU, when known")
    cpu_key: str | None
    speed: float = Field(gt=0)
    source: SpeedSource
    detail: str


# (vendor, x86 family, lowest model, highest model) → CPU key, microarchitecture
_X86: tuple[tuple[str, int, int, int, str, str], ...] = (
    ("AuthenticAMD", 23, 0x00, 0x0F, "amd-epyc-7571", "Zen (Naples)"),
    ("AuthenticAMD", 23, 0x30, 0x3F, "amd-epyc-7r32", "Zen 2 (Rome)"),
    ("AuthenticAMD", 25, 0x00, 0x0F, "amd-epyc-7r13", "Zen 3 (Milan)"),
    ("AuthenticAMD", 25, 0x10, 0x1F, "amd-epyc-9r14", "Zen 4 (Genoa)"),
    ("AuthenticAMD", 26, 0x00, 0x1F, "amd-epyc-9r45", "Zen 5 (Turin)"),
    ("GenuineIntel", 6, 85, 85, "intel-xeon-platinum-8259cl", "Skylake/Cascade Lake"),
    ("GenuineIntel", 6, 106, 106, "intel-xeon-platinum-8375c", "Ice Lake"),
    ("GenuineIntel", 6, 143, 143, "intel-xeon-platinum-8488c", "Sapphire Rapids"),
    ("GenuineIntel", 6, 207, 207, "intel-xeon-platinum-8559c", "Emerald Rapids"),
    ("GenuineIntel", 6, 173, 173, "intel-xeon-6975p-c", "Granite Rapids"),
)
_ARM_PARTS: dict[int, tuple[str, str]] = {
    0xD08: ("aws-graviton", "Cortex-A72 (Graviton)"),
    0xD0C: ("aws-graviton2", "Neoverse-N1 (Graviton2)"),
    0xD40: ("aws-graviton3", "Neoverse-V1 (Graviton3)"),
    0xD4F: ("aws-graviton4", "Neoverse-V2 (Graviton4)"),
}
_INTEL_FLAGS: tuple[tuple[str, str, str], ...] = (
    ("amx_fp16", "intel-xeon-6975p-c", "Granite Rapids"),
    ("amx_tile", "intel-xeon-platinum-8488c", "Sapphire Rapids class"),
    ("avx512_vbmi2", "intel-xeon-platinum-8375c", "Ice Lake class"),
    ("avx512_vnni", "intel-xeon-platinum-8259cl", "Cascade Lake class"),
    ("avx512f", "intel-xeon-platinum-8259cl", "Skylake class"),
)


def _known(key: str) -> bool:
    return any(s.cpu_key == key for s in family_scores().values())


def detect_host_cpu(host: HostFacts) -> HostCpu:
    """Which CPU of the score table the host has (see the module doc)."""
    name = clean_cpu(host.cpu_model)
    key = cpu_key(name)
    if _known(key):
        return HostCpu(cpu_key=key, label=name, how="by its model name")
    vendor, fam, model = host.cpu_vendor, host.cpu_family, host.cpu_model_number
    if vendor == "0x41" and model in _ARM_PARTS:
        k, arch_name = _ARM_PARTS[model]
        return HostCpu(cpu_key=k, label=arch_name, how=f"by its Arm CPU part {model:#x}")
    for v, f, lo, hi, k, uarch in _X86:
        if (vendor, fam) == (v, f) and model is not None and lo <= model <= hi:
            return HostCpu(
                cpu_key=k,
                label=f"{name} ({uarch})",
                how=f"by vendor, family and model ({vendor} {fam}/{model}): {uarch}, as on "
                f"AWS's {k}",
            )
    if vendor == "GenuineIntel" and fam == 6:
        for flag, k, uarch in _INTEL_FLAGS:
            if flag in host.cpu_flags:
                return HostCpu(
                    cpu_key=k,
                    label=f"{name} ({uarch})",
                    how=f"by its CPU flags ({flag}; model {model} and name '{host.cpu_model}' "
                    f"are masked by the hypervisor): {uarch}, as on AWS's {k}",
                )
    return HostCpu(
        cpu_key=None,
        label=name,
        how=f"'{host.cpu_model}' is not recognised (no vendor/family/model facts match): set "
        "host_reference=<family> (e.g. host_reference=m7i), or calibrate target families with "
        "`estimator calibrate`",
    )


def host_reference(host: HostFacts, reference: str | None) -> HostCpu:
    """The host's CPU, from `reference` (a family or CPU key) when set, else detected."""
    if reference is None:
        return detect_host_cpu(host)
    fam = family_scores().get(reference)
    key = fam.cpu_key if fam else reference
    if not _known(key):
        return HostCpu(
            cpu_key=None,
            label=reference,
            how=f"host_reference={reference} is neither a family nor a CPU of the score table",
        )
    label = fam.cpu if fam else key
    return HostCpu(cpu_key=key, label=label, how=f"host_reference={reference} set by hand")


def published_speeds(
    host: HostFacts, targets: Iterable[str], benchmark: Benchmark, reference: str | None = None
) -> tuple[HostCpu, dict[str, FamilySpeed]]:
    """Each target's published single-thread score ÷ the host CPU's, in one column."""
    cpu = host_reference(host, reference)
    out: dict[str, FamilySpeed] = {}
    if cpu.cpu_key is None:
        return cpu, out
    base = cpu_score(cpu.cpu_key, benchmark)
    if base is None:
        return cpu, out
    base_score, base_families = base
    bench = BENCHMARKS[benchmark]
    scores = family_scores()
    for key in sorted(set(targets)):
        fam = scores.get(key)
        target_key = fam.cpu_key if fam else SERVERLESS_CPUS.get(key)
        if target_key is None:
            continue
        if fam is not None:
            value, label = fam.score(benchmark), fam.cpu
            what = f"{key} ({fam.cpu}, median of {'/'.join(fam.sizes)})"
        else:
            found = cpu_score(target_key, benchmark)
            value, label = (found[0] if found else None), target_key
            what = f"{key} (runs on {target_key}: AWS documentation)"
        if not value:
            continue
        out[key] = FamilySpeed(
            key=key,
            cpu=label,
            cpu_key=target_key,
            speed=value / base_score,
            source="published",
            detail=f"published synthetic proxy, not a Python measurement: {bench} {value:,.0f} "
            f"for {what} ÷ {base_score:,.0f} for the host's CPU {cpu.label} "
            f"({', '.join(base_families)}; recognised {cpu.how})",
        )
    return cpu, out


def cpu_label(key: str) -> str:
    """The CPU of a family or serverless target as the score table names it ('' unknown)."""
    cpu = target_cpu_key(key)
    for s in family_scores().values():
        if s.cpu_key == cpu:
            return s.cpu
    return ""


def target_cpu_key(key: str) -> str | None:
    """The CPU of a family or serverless target, when the table knows it."""
    fam = family_scores().get(key)
    return fam.cpu_key if fam else SERVERLESS_CPUS.get(key)
