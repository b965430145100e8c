"""Facts about the measuring machine, recorded with every run so results can be trusted (and
compared) later: CPU model and identity (vendor, family, model number, a few telling flags),
logical CPUs, SMT, hypervisor, kernel, memory.

Reading and parsing are apart: `raw_host()` only reads files (the calibration worker ships a
copy of the same reads to remote machines, see `estimator/calibrate/_worker.py`), and
`facts_from_raw()` turns what was read into `HostFacts`, so recorded facts of any machine
(bare metal, SMT on, a VM) can be replayed in tests."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from pydantic import Field

from estimator._model import Model

TELLING_FLAGS = (
    "hypervisor",
    "avx512f",
    "avx512_vnni",
    "avx512_vbmi2",
    "avx512_fp16",
    "amx_tile",
    "amx_fp16",
)
"""CPU flags kept in the facts: with a masked model name (a hypervisor reporting 'Intel Xeon
Processor') they still tell the microarchitecture generation apart."""


class HostFacts(Model):
    """The machine that measured (a reference for the CPU speed factor)."""

    cpu_model: str
    logical_cpus: int
    threads_per_core: int = Field(description="1: each logical CPU is a full core")
    kernel: str
    memory_gib: float | None = None
    hostname: str | None = None
    virtualization: str | None = Field(None, description="hypervisor, when the CPU says so")
    arch: str | None = Field(None, description="platform.machine(): x86_64, aarch64")
    cpu_vendor: str | None = Field(
        None, description="vendor_id (GenuineIntel, AuthenticAMD) or the Arm implementer code"
    )
    cpu_family: int | None = Field(None, description="x86 CPU family (6: Intel, 25: AMD Zen 3/4)")
    cpu_model_number: int | None = Field(
        None, description="x86 model number, or the Arm CPU part (0xd0c: Neoverse-N1)"
    )
    cpu_stepping: int | None = None
    cpu_flags: list[str] = Field(
        default_factory=list, description="the telling flags present (TELLING_FLAGS)"
    )


def _first_block(cpuinfo: str) -> dict[str, str]:
    """The first processor's 'key: value' lines (Arm kernels put some keys after it)."""
    out: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip()
        if sep and key and key not in out:
            out[key] = value.strip()
    return out


def _int(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(text, 0)
    except ValueError:
        return None


def _count_siblings(text: str) -> int:
    count = 0
    for part in text.strip().split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        count += int(hi) - int(lo) + 1 if hi else 1
    return count


def raw_host(
    proc: Path = Path("/proc"), sys_cpu: Path = Path("/sys/devices/system/cpu")
) -> dict[str, Any]:
    """What the facts are made of, read as text (nothing parsed but the sibling lists)."""

    def read(path: Path) -> str:
        try:
            return path.read_text()
        except OSError:
            return ""

    siblings = [read(p) for p in sorted(sys_cpu.glob("cpu[0-9]*/topology/thread_siblings_list"))]
    return {
        "cpuinfo": read(proc / "cpuinfo"),
        "meminfo": read(proc / "meminfo"),
        "thread_siblings": [s for s in siblings if s.strip()],
        "logical_cpus": os.cpu_count() or 1,
        "kernel": platform.release(),
        "hostname": platform.node(),
        "machine": platform.machine(),
        "processor": platform.processor(),
    }


def facts_from_raw(raw: dict[str, Any]) -> HostFacts:
    """`HostFacts` from `raw_host()`'s dictionary (of this machine or a recorded one)."""
    cpuinfo = str(raw.get("cpuinfo", ""))
    first = _first_block(cpuinfo)
    flags = set(first.get("flags", first.get("Features", "")).split())
    model = first.get("model name") or str(raw.get("processor") or raw.get("machine") or "")
    tpc = 1
    for text in raw.get("thread_siblings", []):
        try:
            tpc = max(tpc, _count_siblings(str(text)))
        except ValueError:
            continue
    mem = None
    for line in str(raw.get("meminfo", "")).splitlines():
        if line.startswith("MemTotal:"):
            mem = round(int(line.split()[1]) / 1024 / 1024, 2)
    arm = "CPU implementer" in first
    return HostFacts(
        cpu_model=model or "unknown",
        logical_cpus=int(raw.get("logical_cpus") or 1),
        threads_per_core=tpc,
        kernel=str(raw.get("kernel", "")),
        memory_gib=mem,
        hostname=str(raw.get("hostname") or "") or None,
        virtualization="hypervisor" if "hypervisor" in flags else None,
        arch=str(raw.get("machine") or "") or None,
        cpu_vendor=first.get("CPU implementer") if arm else first.get("vendor_id"),
        cpu_family=None if arm else _int(first.get("cpu family")),
        cpu_model_number=_int(first.get("CPU part")) if arm else _int(first.get("model")),
        cpu_stepping=None if arm else _int(first.get("stepping")),
        cpu_flags=[f for f in TELLING_FLAGS if f in flags],
    )


def host_facts(
    proc: Path = Path("/proc"), sys_cpu: Path = Path("/sys/devices/system/cpu")
) -> HostFacts:
    return facts_from_raw(raw_host(proc, sys_cpu))
