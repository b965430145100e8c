"""Break-even CPU speeds of each app's recommendation (numbers only; reports word them).

The recommended instance's CPU speed relative to the measuring host is an assumption (a
published proxy until calibrated). For each app this finds:

- **below**: the speed of the recommended family's CPU (every priced family on the same CPU
  moves with it: c6g, m6g and r6g are one Graviton2) under which another CPU's option becomes
  the app's cheapest, and that option;
- **above**: the speed a CPU of the *other* architecture would need for its option to become
  the cheapest, and that option (of that architecture's CPUs, the one needing the least
  speed-up relative to its current speed; the cheapest one's, when none can win in range).

Everything else stays as estimated. The app's cheapest is decided exactly as the ranking does
(cost to the cent, then the tie-breakers, then the configuration key and type name), by
re-pricing only the options that can still change the answer: a CPU's options only get cheaper
as it gets faster, so an option that loses at the end of the searched range loses throughout.
The speed is bisected (relative precision 1e-4) between 1/50 and 20 times its current value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from estimator.capacity import HardwareShape, MeasuredInputs
from estimator.capacity.speeds import target_cpu_key
from estimator.estimate.context import Context
from estimator.estimate.instances import price_instances
from estimator.estimate.models import BreakEven, Direction
from estimator.estimate.options import InstanceOption
from estimator.estimate.ranking import sort_key
from estimator.estimate.speeds import speed_lookup
from estimator.pricing import InstanceType

RANGE = 20.0
PRECISION = 1e-4

Candidate = tuple[InstanceType, HardwareShape]
PairKey = tuple[Decimal, float, float, float, str, str]


@dataclass(frozen=True)
class Priced:
    """One configuration of the app as the estimate priced it."""

    key: str
    inputs: MeasuredInputs
    ctx: Context
    ranked: Sequence[tuple[str, InstanceOption]]
    """every option that fits and meets the SLO, cheapest first"""


def pair_key(option: InstanceOption, config_key: str, name: str) -> PairKey:
    c, t1, t2, t3, _ = sort_key(option, name)
    return (c, t1, t2, t3, config_key, name)


def _group(family: str, candidates: Sequence[Candidate]) -> tuple[str | None, set[str]]:
    cpu = target_cpu_key(family)
    if cpu is None:
        return None, {family}
    return cpu, {it.family for it, _ in candidates if target_cpu_key(it.family) == cpu}


def _at_speed(ctx: Context, families: set[str], speed: float) -> Context:
    a = ctx.assumptions
    overrides = {**a.cpu_speed_overrides, **dict.fromkeys(families, speed)}
    return Context(
        traffic=ctx.traffic,
        assumptions=a.model_copy(update={"cpu_speed_overrides": overrides}),
        fleet=ctx.fleet,
        requests=ctx.requests,
    )


Best = tuple[PairKey, str, str] | None
"""(ranking key, configuration key, instance type) of the cheapest; None: nothing priced."""


def _best_at(
    configs: Sequence[Priced],
    pairs: dict[str, list[Candidate]],
    families: set[str],
    speed: float,
) -> Best:
    best: Best = None
    for p in configs:
        cands = pairs.get(p.key)
        if not cands:
            continue
        ranked, _ = price_instances(p.inputs, cands, _at_speed(p.ctx, families, speed))
        if ranked:
            name, o = ranked[0]
            k = pair_key(o, p.key, name)
            if best is None or k < best[0]:
                best = (k, p.key, name)
    return best


def _bisect(wins: Callable[[float], bool], lo: float, hi: float) -> float:
    """The least speed in (lo, hi] at which `wins` holds, to PRECISION (it holds at hi, not
    at lo, and only gets truer with speed)."""
    while hi / lo > 1 + PRECISION:
        mid = math.sqrt(lo * hi)
        if wins(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _search(
    family: str,
    configs: Sequence[Priced],
    candidates: Sequence[Candidate],
    rival: Best,
    direction: Direction,
) -> BreakEven:
    """Move `family`'s CPU until its best option beats (above) or loses to (below) `rival`,
    the cheapest option on any other CPU."""
    cpu, group = _group(family, candidates)
    arch = next(it.arch for it, _ in candidates if it.family == family)
    current = speed_lookup(configs[0].ctx.assumptions, family, arch)
    lo, hi = (current / 50, current) if direction == "below" else (current, current * RANGE)

    def result(speed: float | None, winner: Best) -> BreakEven:
        return BreakEven(
            family=family,
            cpu_speed=speed,
            runner_up_key=winner[1] if winner else None,
            runner_up_instance_type=winner[2] if winner else None,
            direction=direction,
            current_cpu_speed=current,
            cpu_key=cpu,
            families=sorted(group),
            searched=(lo, hi),
        )

    # only options that beat the rival at the fast end of the range can matter
    mine = [c for c in candidates if c[0].family in group]
    pairs: dict[str, list[Candidate]] = {}
    for p in configs:
        ranked, _ = price_instances(p.inputs, mine, _at_speed(p.ctx, group, hi))
        keep = {n for n, o in ranked if rival is None or pair_key(o, p.key, n) < rival[0]}
        if keep:
            pairs[p.key] = [c for c in mine if c[0].name in keep]
    if not pairs or rival is None:
        return result(None, None)

    def wins(speed: float) -> bool:
        best = _best_at(configs, pairs, group, speed)
        return best is not None and best[0] < rival[0]

    if direction == "below":
        if wins(lo):
            return result(None, None)
        return result(_bisect(wins, lo, hi), rival)
    flip = _bisect(wins, lo, hi)
    return result(flip, _best_at(configs, pairs, group, flip))


def break_even(configs: Sequence[Priced], candidates: Sequence[Candidate]) -> list[BreakEven]:
    """The app's break-even speeds (see the module doc); empty when nothing is priced."""
    priced = [p for p in configs if p.ranked]
    if not priced:
        return []
    by_type = {it.name: it for it, _ in candidates}
    everything = [(pair_key(o, p.key, name), p.key, name) for p in priced for name, o in p.ranked]
    winner = min(everything)
    family = by_type[winner[2]].family
    _, group = _group(family, candidates)
    others = [e for e in everything if by_type[e[2]].family not in group]
    out = [_search(family, priced, candidates, min(others) if others else None, "below")]
    arch = by_type[winner[2]].arch
    other_arch = sorted(e for e in everything if by_type[e[2]].arch != arch)
    if not other_arch:
        return out
    # every CPU of the other architecture: the one that needs the least speed-up to win
    seen: set[str] = set()
    tries = []
    for e in other_arch:
        fam = by_type[e[2]].family
        _, cpu_group = _group(fam, candidates)
        if seen & cpu_group:
            continue
        seen |= cpu_group
        tries.append(_search(fam, priced, candidates, winner, "above"))
    flips = [b for b in tries if b.cpu_speed is not None]
    if flips:
        out.append(min(flips, key=lambda b: (b.cpu_speed or 0) / b.current_cpu_speed))
    else:
        out.append(tries[0])
    return out
