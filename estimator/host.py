"""Facts about the measuring machine, recorded with every run so results can be trusted (and
compared) later: CPU model, logical CPUs, SMT, kernel, memory."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from pydantic import Field

from estimator._model import Model


class HostFacts(Model):
    """The machine that measured (a reference for the CPU speed factor)."""

    cpu_model: str
    logical_cpus: int
    threads_per_core: int = Field(description="1: each logical CPU is a full core")
    kernel: str
    memory_gib: float | None = None
    hostname: str | None = None
    virtualization: str | None = Field(None, description="hypervisor, when the CPU says so")


def _cpu_model(cpuinfo: str) -> str:
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or platform.machine()


def _threads_per_core(sys_cpu: Path) -> int:
    """From the kernel's topology: the largest thread-sibling set (1 when unknown)."""
    best = 1
    for sib in sys_cpu.glob("cpu[0-9]*/topology/thread_siblings_list"):
        try:
            text = sib.read_text().strip()
        except OSError:
            continue
        count = 0
        for part in text.split(","):
            lo, _, hi = part.partition("-")
            count += int(hi) - int(lo) + 1 if hi else 1
        best = max(best, count)
    return best


def _memory_gib(meminfo: str) -> float | None:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 2)
    return None


def host_facts(
    proc: Path = Path("/proc"), sys_cpu: Path = Path("/sys/devices/system/cpu")
) -> HostFacts:
    def read(path: Path) -> str:
        try:
            return path.read_text()
        except OSError:
            return ""

    cpuinfo = read(proc / "cpuinfo")
    virtualization = "hypervisor" if " hypervisor" in cpuinfo else None
    return HostFacts(
        cpu_model=_cpu_model(cpuinfo),
        logical_cpus=os.cpu_count() or 1,
        threads_per_core=_threads_per_core(sys_cpu),
        kernel=platform.release(),
        memory_gib=_memory_gib(read(proc / "meminfo")),
        hostname=platform.node() or None,
        virtualization=virtualization,
    )
