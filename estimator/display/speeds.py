"""Words for the CPU-speed side of an estimate, for every output: the vCPU rule, each target's
speed and its source, and each app's break-even speeds. Only wording here: the numbers come
from the estimate stage (`estimate.speeds`, `estimate.breakeven`)."""

from __future__ import annotations

from collections.abc import Sequence

from estimator.capacity.speeds import FamilySpeed
from estimator.estimate import EstimateReport, Headline
from estimator.estimate.models import BreakEven

SOURCE_WORDS = {
    "set by hand": "set by hand (--assume cpu_speed_overrides)",
    "calibrated": "calibrated (estimator calibrate: the sample apps' request work)",
    "published": "published synthetic proxy, not a Python measurement",
    "assumed": "assumed (no published or calibrated figure)",
}


def _speed(x: float) -> str:
    return f"{x:.3g}×"


def _entry(report: EstimateReport, family: str) -> FamilySpeed | None:
    for hs in report.cpu_speeds:
        for s in hs.speeds:
            if s.key == family:
                return s
    return None


def _cpu_words(report: EstimateReport, b: BreakEven) -> str:
    entry = _entry(report, b.family)
    cpu = entry.cpu if entry and entry.cpu else b.family
    if len(b.families) > 1:
        return f"{cpu}, the CPU of {', '.join(b.families)},"
    return cpu


SHORT = {"published": "published proxy"}


def _source(report: EstimateReport, family: str) -> str:
    entry = _entry(report, family)
    return "" if entry is None else f", {SHORT.get(entry.source, entry.source)}"


def break_even_line(report: EstimateReport, h: Headline, b: BreakEven) -> str:
    cpu = _cpu_words(report, b)
    now = f"now {_speed(b.current_cpu_speed)}{_source(report, b.family)}"
    lo, hi = b.searched
    if b.direction == "below":
        if b.cpu_speed is None:
            return (
                f"{h.instance_type} stays the cheapest for {h.app} at any speed of {cpu} "
                f"down to {_speed(lo)} this host's core ({now})"
            )
        return (
            f"{h.instance_type} stays the cheapest for {h.app} unless {cpu} runs this app below "
            f"{_speed(b.cpu_speed)} this host's core ({now}); then {b.runner_up_key} on "
            f"{b.runner_up_instance_type} wins"
        )
    if b.cpu_speed is None:
        return (
            f"no option on {cpu} beats {h.instance_type} for {h.app} even at {_speed(hi)} this "
            f"host's core ({now}), nor on a CPU of that architecture needing less speed-up"
        )
    return (
        f"{b.runner_up_key} on {b.runner_up_instance_type} would beat {h.instance_type} for "
        f"{h.app} if {cpu} ran this app at {_speed(b.cpu_speed)} this host's core or faster "
        f"({now})"
    )


def break_even_lines(report: EstimateReport, h: Headline) -> list[str]:
    return [break_even_line(report, h, b) for b in h.break_even]


def vcpu_lines(report: EstimateReport) -> list[str]:
    """Per measuring host: its vCPU rule, the target side of the rule, and its CPU."""
    out = []
    for hs in report.cpu_speeds:
        r = hs.vcpu_rule
        out.append(
            f"vCPU rule on {hs.host.cpu_model} ({hs.host.logical_cpus} CPUs): {r.kind}, "
            f"{r.core_share:.3g} of a core per measuring CPU: {r.reason}"
        )
        out.append(hs.target_rule)
        cpu = hs.host_cpu
        known = f"{cpu.label}, recognised {cpu.how}" if cpu.cpu_key else cpu.how
        out.append(f"CPU speeds are relative to this host's core; its CPU: {known}")
    return out


def _group(speeds: Sequence[FamilySpeed]) -> dict[str, list[FamilySpeed]]:
    out: dict[str, list[FamilySpeed]] = {}
    for s in speeds:
        out.setdefault(s.source, []).append(s)
    return out


def speed_lines(report: EstimateReport) -> list[str]:
    """The vCPU rule and, per source, every target's speed (one line per source)."""
    out = vcpu_lines(report)
    for hs in report.cpu_speeds:
        for source, items in _group(hs.speeds).items():
            listed = ", ".join(f"{s.key} {_speed(s.speed)}" for s in items)
            out.append(f"  {SOURCE_WORDS.get(source, source)}: {listed}")
    return out


SPEED_COLUMNS = ("target", "CPU", "speed vs host core", "source", "how")


def speed_rows(report: EstimateReport) -> list[list[str]]:
    return [
        [s.key, s.cpu, f"{s.speed:.3g}", s.source, s.detail]
        for hs in report.cpu_speeds
        for s in hs.speeds
    ]
