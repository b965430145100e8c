"""Where a server runs: the CPUs it is pinned to, an optional CPU quota and memory limit
(asked for: `Placement`), and what was actually applied (`PlacementRecord`)."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, field_validator

from estimator._model import Model
from estimator.errors import ConfigError
from estimator.scenario import CpuLayout

QuotaMechanism = Literal["cgroup-v2 cpu.max", "cgroup-v1 cfs_quota_us"]


class Placement(Model):
    """What the server should get. The load generator runs on the other CPUs
    (`generator_cpus`)."""

    server_cpus: list[int] = Field(min_length=1, description="CPUs the server is pinned to")
    quota_cpus: float | None = Field(
        None, gt=0, description="CPU quota in CPUs (e.g. 0.5: half a CPU), via a cgroup"
    )
    memory_limit_mb: int | None = Field(None, gt=0, description="memory limit via a cgroup")

    @field_validator("server_cpus")
    @classmethod
    def _cpus(cls, v: list[int]) -> list[int]:
        if any(c < 0 for c in v):
            raise ValueError(f"CPU numbers start at 0, got {v}")
        if len(set(v)) != len(v):
            raise ValueError(f"CPUs are listed twice in {v}")
        return sorted(v)


class PlacementRecord(Model):
    """What was applied, for the results: a limit that could not be applied says why."""

    server_cpus: list[int]
    affinity_verified: bool = Field(
        description="every server process was checked to run on exactly server_cpus"
    )
    checked_pids: list[int] = Field(description="the processes whose affinity was checked")
    quota_cpus: float | None = Field(description="the quota asked for, in CPUs")
    quota_applied: bool
    quota_mechanism: QuotaMechanism | None = None
    quota_period_us: int | None = None
    quota_us: int | None = None
    quota_note: str = Field("", description="why the quota was not applied, or a caveat")
    memory_limit_mb: int | None = Field(description="the memory limit asked for")
    memory_limit_applied: bool
    memory_note: str = ""
    cgroups: list[str] = Field(default_factory=list, description="cgroup directories used")


def available_cpus() -> list[int]:
    """The CPUs this process may run on (respects taskset/cpuset)."""
    return sorted(os.sched_getaffinity(0))


def default_placement() -> Placement:
    """This machine's default: the server on the last CPU, the generator on the others."""
    return Placement(server_cpus=[available_cpus()[-1]])


def placement_for(layout: CpuLayout) -> Placement:
    """A scenario's CPU layout with the defaults filled in."""
    cpus = layout.server_cpus if layout.server_cpus is not None else [available_cpus()[-1]]
    return Placement(
        server_cpus=cpus, quota_cpus=layout.quota_cpus, memory_limit_mb=layout.memory_limit_mb
    )


def generator_cpus(placement: Placement) -> list[int]:
    """The CPUs left for the load generator. On a one-CPU machine that is the server's CPU
    too (they compete: the measure stage should say so)."""
    rest = [c for c in available_cpus() if c not in placement.server_cpus]
    return rest or available_cpus()


def check_cpus(placement: Placement) -> None:
    """Refuse CPUs this process cannot use (pinning to them would fail)."""
    allowed = available_cpus()
    missing = [c for c in placement.server_cpus if c not in allowed]
    if missing:
        raise ConfigError(
            f"server_cpus {placement.server_cpus}: CPU(s) {missing} are not available here "
            f"(this process may use {_ranges(allowed)}); pick CPUs from that set"
        )


def _ranges(cpus: list[int]) -> str:
    out: list[str] = []
    start = prev = cpus[0]
    for c in [*cpus[1:], None]:
        if c is not None and c == prev + 1:
            prev = c
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if c is not None:
            start = prev = c
    return ",".join(out)
