"""Each measuring host's vCPU rule and every priced target's CPU speed, with its source.

Per host: the published proxies (single-thread scores relative to the host's CPU), replaced
by calibrated ratios where `estimator calibrate` has scores of both the target family and a
machine like the host (ratio × the host's vCPU core share: both the host's scores and its CPU
costs were taken on one of its CPUs), and hand-set `cpu_speed_overrides` over both. Targets
with none of these keep `cpu_speed` ("assumed")."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from estimator._model import Model
from estimator.calibrate import CalibrationBook, ratios
from estimator.capacity import Arch, Assumptions
from estimator.capacity.hardware import VcpuRule, target_rule_text
from estimator.capacity.speeds import (
    FamilySpeed,
    HostCpu,
    cpu_label,
    published_speeds,
    target_cpu_key,
)
from estimator.host import HostFacts

SERVERLESS: dict[str, Arch] = {
    "fargate-x86_64": "x86_64",
    "fargate-arm64": "arm64",
    "lambda-x86_64": "x86_64",
    "lambda-arm64": "arm64",
}


class HostSpeeds(Model):
    """What one measuring host's measurements are scaled by, target by target."""

    host: HostFacts
    host_cpu: HostCpu
    vcpu_rule: VcpuRule
    target_rule: str = Field(description="the vCPU rule on the target side")
    speeds: list[FamilySpeed] = Field(description="every priced target, its speed and source")


def _lookup_keys(key: str, arch: Arch) -> list[str | None]:
    if key.startswith(("fargate-", "lambda-")):
        return [key, target_cpu_key(key), key.split("-", 1)[0], arch]
    return [key, target_cpu_key(key), arch]


def for_host(
    a: Assumptions, host: HostFacts, targets: Mapping[str, Arch], book: CalibrationBook
) -> tuple[Assumptions, HostSpeeds, list[str]]:
    """The assumptions for configurations measured on `host` (speeds and vCPU rule filled),
    what the report shows of them, and warnings (a calibration that could not be used)."""
    rule = a.host_rule(host)
    cpu, table = published_speeds(host, targets, a.speed_benchmark, a.host_reference)
    calibrated, warnings = ratios(book, host)
    for key, c in calibrated.items():
        if key not in targets:
            continue
        table[key] = FamilySpeed(
            key=key,
            cpu=cpu_label(key),
            cpu_key=target_cpu_key(key),
            speed=c.ratio * rule.core_share,
            source="calibrated",
            detail=f"{c.detail}; × host core share {rule.core_share:.3g} (vCPU rule: "
            f"{rule.kind}) = {c.ratio * rule.core_share:.3g}",
        )
    filled = a.model_copy(update={"cpu_speeds": table, "vcpu_rule": rule})
    shown = []
    for key, arch in sorted(targets.items()):
        speed, decided = filled.speed_for(_lookup_keys(key, arch))
        entry = table.get(key)
        if decided in a.cpu_speed_overrides:
            shown.append(
                FamilySpeed(
                    key=key,
                    cpu=entry.cpu if entry else cpu_label(key),
                    cpu_key=target_cpu_key(key),
                    speed=speed,
                    source="set by hand",
                    detail=f"cpu_speed_overrides.{decided} = {speed:g}",
                )
            )
        elif entry is not None:
            shown.append(entry)
        else:
            shown.append(
                FamilySpeed(
                    key=key,
                    cpu=cpu_label(key),
                    cpu_key=target_cpu_key(key),
                    speed=speed,
                    source="assumed",
                    detail=f"cpu_speed = {speed:g}: "
                    + (
                        "the host's CPU is not recognised, so no published score relates "
                        "the target to it"
                        if cpu.cpu_key is None
                        else "no published score for this target"
                    ),
                )
            )
    info = HostSpeeds(
        host=host,
        host_cpu=cpu,
        vcpu_rule=rule,
        target_rule=target_rule_text(a.smt_yield),
        speeds=shown,
    )
    return filled, info, warnings


def speed_lookup(a: Assumptions, key: str, arch: Arch) -> float:
    """The speed a target gets under `a` (as the capacity stage looks it up)."""
    return a.speed_for(_lookup_keys(key, arch))[0]
