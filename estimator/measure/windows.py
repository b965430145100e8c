"""One window of load on one configuration, and its warm-up (a run of closed-loop windows).

A window: check the server is alive; read the CPU of its whole process tree (nanoseconds,
`estimator.sample.cpu`) and of the batch's other servers; run the phase with the sampler on
(memory, generator CPU, and CPU readings of processes born or gone meanwhile); the phase ends
with a drain, so the server is idle again; read the CPU again, and the connections each
server process still holds (kept-alive ones: `sample.connections`). Meanwhile, for sync and
threaded servers with several workers, the requests each worker holds are read 25 times a
second (`sample.slots`, `in_flight`). Per worker process, its CPU, busy slots and
connections make the window's balance (`measure.balance`). CPU per request = the tree's
CPU ÷ the successful requests it served (those of the window and those that completed while
it drained). The other servers' CPU over the same time is kept too (`neighbours_cpu_s`): an
idle server should cost nothing, and the results say so when one did.
"""

from __future__ import annotations

from collections.abc import Sequence

from estimator.errors import LoadError
from estimator.load import PhaseLoad, PhaseSpec, WarmupTracker
from estimator.measure.balance import window_balance
from estimator.measure.member import Member, is_jit
from estimator.measure.models import PhaseResult
from estimator.sample.connections import held_by
from estimator.sample.cpu import CpuAccount, CpuWindow, read_tree
from estimator.sample.slots import SlotSampler, SlotUse, slot_use
from estimator.scenario import ServerConfig
from estimator.serve import RunningServer

WARMUP_SEED_OFFSET = 7_919


def window_seed(base: int, round_no: int, slot: int) -> int:
    """The seed of a round's window: the same for every configuration of that round and slot
    (0: cost, 1: latency), so they get the same request sequence."""
    return base * 1_000_003 + round_no * 10 + slot


def cpu_per_request(cpu: CpuWindow, load: PhaseLoad) -> float | None:
    """CPU-seconds per *successful* request: failed requests cost CPU too, but a failure
    is not work done; the error rate is reported beside it. The reading spans the drain,
    so the requests completed while it drained count."""
    served = load.served_ok
    return cpu.cpu_s / served if served > 0 else None


def in_flight(
    slots: SlotSampler, load: PhaseLoad, config: ServerConfig
) -> tuple[SlotUse | None, str | None]:
    """The window's busy slots per worker, and a warning when they could not be read. Judged
    only when the window offered every slot work (users ≥ slots): with fewer users, slots idle
    whatever the balance."""
    if slots.failed is not None:
        return None, (
            f"requests in flight per worker not read ({type(slots.failed).__name__}: "
            f"{slots.failed}): busy workers from the CPU shares instead"
        )
    if load.users < (config.slots or 0):
        return None, None
    return slot_use(slots.ticks(load.started_at, load.ended_at), config.threads_per_worker), None


def run_window(
    member: Member, spec: PhaseSpec, round_no: int | None, neighbours: Sequence[Member] = ()
) -> PhaseResult:
    server, gen, sampler = member.server, member.gen, member.sampler
    assert server is not None
    assert gen is not None
    assert sampler is not None
    server.check_alive()
    others = [n.server.master_pid for n in neighbours if n.server is not None]
    before_others = [read_tree(pid) for pid in others]
    workers = set(server.worker_pids())
    start = read_tree(server.master_pid)
    slots = member.slots
    sampler.start()
    if slots is not None:
        slots.start()
    try:
        load = gen.run_phase(spec)
    finally:
        if slots is not None:
            slots.stop()
        sampler.stop()
    busy = None
    if slots is not None:
        busy, problem = in_flight(slots, load, member.cell.server)
        slots.clear()
        if problem is not None:
            member.warnings.append(problem)
            member.slots = None  # the later windows use the CPU shares
    end = read_tree(server.master_pid)
    held = held_by([k.pid for k in end.readings], server.port)
    after_others = [read_tree(pid) for pid in others]
    server.check_alive()
    workers |= set(server.worker_pids())
    account = CpuAccount(start)
    account.observe(sampler.cpu_readings(start.at, end.at))
    cpu = account.close(end, workers=workers)
    neighbours_s = sum(
        CpuAccount(a).close(b).cpu_s for a, b in zip(before_others, after_others, strict=True)
    )
    window = sampler.window(load.started_at, load.ended_at)
    placement = server.placement
    allotment = placement.quota_cpus if placement.quota_applied else None
    result = PhaseResult(
        load=load,
        server=window,
        cpu_s_per_request=cpu_per_request(cpu, load),
        generator_bound=window.generator_limited(allotment or float(len(placement.server_cpus))),
        round=round_no,
        cpu=cpu,
        neighbours_cpu_s=neighbours_s if others else None,
        balance=window_balance(cpu, held, busy),
    )
    member.windows.append(result)
    return result


def check_any_success(windows: Sequence[PhaseLoad], server: RunningServer) -> None:
    """A warm-up in which every request failed (an app answering 500 to everything) is a
    failed run, not a capacity: its reasons say why."""
    total = sum(w.requests for w in windows)
    if total and sum(w.failures for w in windows) == total:
        reasons: dict[str, int] = {}
        for w in windows:
            for f in w.failure_reasons:
                key = f"{f.method} {f.name}: {f.reason}"
                reasons[key] = reasons.get(key, 0) + f.count
        top = "; ".join(f"{k} ×{n}" for k, n in sorted(reasons.items(), key=lambda x: -x[1])[:3])
        raise LoadError(
            f"every request failed during warm-up ({total} of {total}: {top or 'no reason'}) "
            f"against {server.url}; fix the app or the locustfile (see server.log)"
        )


def warm_up(member: Member, neighbours: Sequence[Member] = ()) -> None:
    """Closed-loop windows until CPU per request is steady (`WarmupTracker`), capped at
    `warmup_max_s` (`jit_warmup_max_s` and half the tolerance for a JIT). A JIT that does not
    converge is measured
    for the record (its minimum rounds) and not ranked. Without a JIT, a warm-up that did not
    converge is noise on a busy machine more often than warming: it gets a warning, and the
    rounds themselves tell (`rounds.trend`, checked when it is done)."""
    plan = member.cell.load
    jit = is_jit(member.variant)
    if jit:  # longer, and steady only within half the tolerance (a slow ramp hides in it)
        cap = max(plan.jit_warmup_max_s, plan.warmup_min_s)
        plan = plan.model_copy(
            update={"warmup_max_s": cap, "warmup_tolerance": plan.warmup_tolerance / 2}
        )
    tracker = WarmupTracker(plan)
    n = 0
    while not tracker.done:
        n += 1
        spec = PhaseSpec(
            name=f"warmup-{n}",
            kind="warmup",
            duration_s=plan.warmup_window_s,
            users=plan.users,
            seed=window_seed(plan.seed + WARMUP_SEED_OFFSET, n, 0),
        )
        result = run_window(member, spec, None, neighbours)
        tracker.add(result.load.throughput_rps, result.load.duration_s, result.cpu_s_per_request)
    warmup = tracker.result()
    member.warmup = warmup
    if not warmup.converged:
        member.warnings.append(f"warm-up did not converge: {warmup.reason}")
        if jit:
            member.warmed_up = False
            member.not_ranked_reason = f"not warmed up (a JIT): {warmup.reason}"
    elif warmup.warmup_s > 0.8 * plan.warmup_max_s:
        member.warnings.append(
            f"warm-up took {warmup.warmup_s:.0f} s of at most {plan.warmup_max_s:.0f} s: "
            "raise load.warmup_max_s (jit_warmup_max_s for a JIT) if it needs longer"
        )
