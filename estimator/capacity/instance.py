"""Capacity of one instance (or Fargate task) for one measured configuration: the three
limits, which one binds, and the lines that say how each number was computed."""

from __future__ import annotations

from pydantic import Field

from estimator._model import Model
from estimator.capacity.assumptions import Assumptions
from estimator.capacity.hardware import FargateTask, HardwareShape
from estimator.capacity.inputs import Interval, MeasuredInputs, spread
from estimator.capacity.limits import (
    Evaluation,
    LimitName,
    Target,
    UtilSource,
    contradiction,
    evaluate,
)
from estimator.capacity.speeds import target_cpu_key
from estimator.measure.balance import BUSY_SOURCE
from estimator.store.summary import ConfigSummary


class Limit(Model):
    name: LimitName
    rps: float | None = Field(description="req/s this limit allows; None: not limiting")
    formula: str = Field(description="the arithmetic, with the numbers used")


class InstanceCapacity(Model):
    """Requests/s one target sustains for one configuration at the planned utilisation."""

    config_key: str
    target: HardwareShape | FargateTask = Field(discriminator="kind")
    fits: bool = Field(description="False: not even one worker fits in memory")
    capacity_rps: Interval = Field(
        description="0 when it does not fit; a lower bound has no upper end (high None)"
    )
    binding: LimitName
    limits: list[Limit]
    workers: int = Field(description="workers run: min(rule, what fits in memory)")
    workers_rule: int
    workers_fit: int
    slots: int | None = Field(description="concurrent requests held; None: async")
    cores_equivalent: float = Field(description="V_eff in full cores")
    quota_efficiency: float
    cpu_speed: float
    cpu_speed_key: str = Field(description="the cpu_speed_overrides key used, or 'default'")
    utilization: float = Field(description="planned utilisation: min(target, SLO-limited)")
    utilization_source: UtilSource
    cpu_utilization: float = Field(description="utilisation of the CPU limit (burstable cap)")
    slo_utilization: float = Field(
        description="measured: X_max ÷ host saturation; above 1 the measurements contradict "
        "each other (see notes)"
    )
    service_time_ms: float = Field(description="S on the target (wait + CPU at its speed)")
    memory_needed_gib: float = Field(description="shared + the rule's workers, with headroom")
    memory_available_gib: float = Field(description="target memory after the OS reserve")
    lower_bound: bool = Field(
        description="the capacity rests on a generator-bound measurement: at least this"
    )
    measured_lower_bound: bool = Field(description="the measurement was generator-bound")
    busy_fraction: float = Field(
        1.0,
        description="f: the share of the workers the measured run kept busy (its effective "
        "busy workers ÷ its workers), carried over to this target's workers",
    )
    balanced_capacity_rps: float | None = Field(
        None,
        description="the capacity if every worker took its part (f = 1): an extrapolation, "
        "not measured; None when the measured workers were evenly used",
    )
    inputs: MeasuredInputs
    assumptions: Assumptions
    notes: list[str]

    @property
    def verdict(self) -> str:
        if not self.fits:
            return "does not fit"
        bound = "≥ " if self.lower_bound else ""
        return f"{bound}{self.capacity_rps.value:,.1f} req/s ({self.binding} binds)"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.4g} ms"


def _rps(x: float | None) -> str:
    return "not limiting" if x is None else f"{x:,.1f} req/s"


def measured(summary: ConfigSummary | MeasuredInputs) -> MeasuredInputs:
    return summary if isinstance(summary, MeasuredInputs) else MeasuredInputs.from_summary(summary)


def build(
    inputs: MeasuredInputs,
    model: HardwareShape | FargateTask,
    target: Target,
    a: Assumptions,
    *,
    speed_key: str,
    cores_text: str,
) -> InstanceCapacity:
    """Evaluate at the means and the CI corners and explain the result."""
    point = inputs.point()
    ev = evaluate(inputs, target, a, point)
    cap = spread(inputs, lambda p: evaluate(inputs, target, a, p).capacity, ev.capacity)
    balanced = None
    if inputs.workers_uneven:  # every worker busy, the measured capacity scaled with them
        even = point.model_copy(update={"busy": 1.0, "x_max": point.x_max / point.busy})
        balanced = evaluate(inputs, target, a, even).capacity
    slots = None if inputs.slots_per_worker is None else ev.workers * inputs.slots_per_worker
    needed = ev.memory_shared_mib + ev.workers_rule * ev.memory_per_worker_mib
    lower = inputs.capacity_is_lower_bound and ev.utilization_source == "slo"
    if lower and cap.known:
        cap = cap.model_copy(update={"high": None})  # at least this: no upper end
    return InstanceCapacity(
        config_key=inputs.key,
        target=model,
        fits=ev.fits,
        capacity_rps=cap,
        binding=ev.binding,
        limits=_limits(inputs, ev, target, cores_text),
        workers=ev.workers,
        workers_rule=ev.workers_rule,
        workers_fit=ev.workers_fit,
        slots=slots,
        cores_equivalent=target.cores,
        quota_efficiency=target.quota_efficiency,
        cpu_speed=target.speed,
        cpu_speed_key=speed_key,
        utilization=ev.utilization,
        utilization_source=ev.utilization_source,
        cpu_utilization=ev.cpu_utilization,
        slo_utilization=ev.slo_utilization,
        service_time_ms=ev.s_target * 1000,
        memory_needed_gib=needed / 1024,
        memory_available_gib=target.memory_mib / 1024,
        lower_bound=lower,
        measured_lower_bound=inputs.capacity_is_lower_bound,
        busy_fraction=point.busy,
        balanced_capacity_rps=balanced,
        inputs=inputs,
        assumptions=a,
        notes=[
            *_notes(inputs, ev, target, a, cap=cap, speed_key=speed_key, lower=lower),
            *_balance_notes(inputs, ev, balanced),
        ],
    )


def _limits(inputs: MeasuredInputs, ev: Evaluation, t: Target, cores_text: str) -> list[Limit]:
    eff = f" × quota efficiency {t.quota_efficiency:.3g}" if t.quota_efficiency != 1 else ""
    cpu = (
        f"X_cpu = V_eff {t.cores:.4g} ({cores_text}){eff} × utilisation "
        f"{ev.cpu_utilization:.3g} ÷ D {_ms(ev.d_target)} = {_rps(ev.x_cpu)}"
    )
    if inputs.slots_per_worker is None:
        per = f"min(async: no slot limit, {_rps(ev.per_worker)} per worker CPU)"
    else:
        per = f"min({inputs.slots_per_worker} slot(s) ÷ S {_ms(ev.s_target)}, worker CPU)"
    busy = f" × busy share f {inputs.busy_fraction():.3g}" if inputs.busy_fraction() < 1 else ""
    conc = (
        f"X_conc = {ev.workers_rule} worker(s){busy} × {_rps(ev.per_worker)} each ({per}) × "
        f"utilisation {ev.utilization:.3g} = {_rps(ev.x_conc)} (Little's law)"
    )
    if ev.x_mem is None:
        mem = f"X_mem: not limiting ({ev.workers_fit} worker(s) fit ≥ {ev.workers_rule} wanted)"
    else:
        mem = (
            f"X_mem = {ev.workers_fit} worker(s) that fit × {_rps(ev.per_worker)} × "
            f"utilisation {ev.utilization:.3g} = {_rps(ev.x_mem)}"
        )
    return [
        Limit(name="cpu", rps=ev.x_cpu, formula=cpu),
        Limit(name="concurrency", rps=ev.x_conc, formula=conc),
        Limit(name="memory", rps=ev.x_mem, formula=mem),
    ]


def _notes(
    inputs: MeasuredInputs,
    ev: Evaluation,
    t: Target,
    a: Assumptions,
    *,
    cap: Interval,
    speed_key: str,
    lower: bool,
) -> list[str]:
    p = inputs.point()
    rule = a.host_rule(inputs.host)
    notes = []
    if (why := contradiction(inputs, p, a)) is not None:
        notes.append(f"contradiction: {why}")
    notes += [
        f"D = {_ms(p.d)} CPU per request measured × host core share {rule.core_share:.3g} "
        f"(vCPU rule: {rule.kind}) ÷ cpu speed {t.speed:.3g} ({speed_key}) = "
        f"{_ms(ev.d_target)} on the target",
        f"S = {_ms(p.s_ms / 1000)} at low load = wait {_ms(max(0.0, p.s_ms / 1000 - p.d))} + CPU;"
        f" on the target {_ms(ev.s_target)}",
        f"workers: rule '{a.workers_rule}' gives {ev.workers_rule}; {ev.workers_fit} fit in "
        f"memory (({t.memory_mib:,.0f} MiB available − shared "
        f"{ev.memory_shared_mib:,.0f} MiB) ÷ {ev.memory_per_worker_mib:,.0f} MiB per worker, "
        f"{a.memory_headroom:.0%} headroom included); running {ev.workers}",
        f"utilisation = min(target {a.target_utilization:.3g}, SLO-limited "
        f"{ev.slo_utilization:.3g} measured = X_max {p.x_max:,.1f} req/s ÷ host saturation) "
        f"= {ev.utilization:.3g}"
        + ("" if a.slo_caps_utilization else " (SLO cap disabled: target only)"),
    ]
    if t.cpu_cap is not None:
        notes.append(f"burstable: CPU planned at its sustained baseline {t.cpu_cap:.0%} per vCPU")
    if not ev.fits:
        notes.append(
            f"does not fit: one worker ({ev.memory_per_worker_mib:,.0f} MiB) + shared "
            f"({ev.memory_shared_mib:,.0f} MiB) exceed the {t.memory_mib:,.0f} MiB available"
        )
    else:
        if not cap.known:
            spread_text = "no spread known: an input comes from a single repetition"
        else:
            high = "no upper end" if cap.high is None else f"{cap.high:,.1f} req/s"
            spread_text = (
                f"{cap.low:,.1f} req/s to {high} over the ends of the inputs' "
                f"{inputs.confidence * 100:.4g}% CIs"
            )
        notes.append(f"capacity = {_rps(cap.value)}, {ev.binding} binds; {spread_text}")
    if lower:
        notes.append(
            "lower bound: the SLO-limited utilisation comes from a generator-bound run; "
            "the server can do at least this"
        )
    elif inputs.capacity_is_lower_bound:
        notes.append(
            "the measured capacity was generator-bound, but the planned utilisation is below "
            "what it showed, so this figure does not depend on it"
        )
    notes.extend(f"measurement warning: {w}" for w in inputs.warnings)
    return notes


def _balance_notes(inputs: MeasuredInputs, ev: Evaluation, balanced: float | None) -> list[str]:
    """How the measured balance of the workers enters the concurrency limit, in words."""
    busy = inputs.busy_workers
    if busy is None:
        return (
            [f"workers: {inputs.workers} measured; how evenly they were used was not recorded"]
            if inputs.workers > 1
            else []
        )
    if inputs.workers == 1:
        return []
    f = inputs.busy_fraction()
    measured = (
        f"workers: {busy.mean:.2g} of the {inputs.workers} measured were effectively busy (from "
        f"{BUSY_SOURCE}, in the closed-loop windows), f = {f:.3g}"
    )
    if not inputs.workers_uneven:
        return [f"{measured}: evenly used; the concurrency limit counts f of the workers busy"]
    text = (
        f"{measured}: the measured configuration was unevenly used. The concurrency limit "
        f"counts f of the {ev.workers_rule} worker(s) here busy, as measured; carrying the "
        f"measured imbalance to {ev.workers_rule} worker(s) is an extrapolation (it depends on "
        "the connections and the CPUs)"
    )
    if balanced is not None:
        text += f"; were every worker busy (f = 1) it would be {_rps(balanced)}: an extrapolation"
        text += (
            ", not measured (measure the config with `reuse_port = true` beside it to know)"
            if inputs.server_kind.startswith("gunicorn")
            else ", not measured"
        )
    return [text]


def instance_capacity(
    summary: ConfigSummary | MeasuredInputs,
    shape: HardwareShape,
    assumptions: Assumptions | None = None,
) -> InstanceCapacity:
    """Capacity of `shape` for one measured configuration."""
    a = assumptions or Assumptions()
    inputs = measured(summary)
    speed, key = a.speed_for([shape.family, target_cpu_key(shape.family), shape.arch])
    extra = shape.vcpu - shape.physical_cores
    cores = shape.physical_cores + a.smt_yield * extra
    cores_text = (
        f"{shape.physical_cores} core(s) + {a.smt_yield:g} × {extra} hyperthread(s)"
        if extra
        else f"{shape.physical_cores} core(s), 1 vCPU per core"
    )
    cap = shape.sustained_baseline() if a.burstable_mode == "baseline" else None
    free_gib = shape.memory_gib - a.reserve_gib(shape.memory_gib)
    target = Target(
        vcpus=float(shape.vcpu),
        cores=cores,
        quota_efficiency=1.0,
        memory_mib=max(0.0, free_gib) * 1024,
        speed=speed,
        cpu_cap=cap,
    )
    return build(inputs, shape, target, a, speed_key=key, cores_text=cores_text)
