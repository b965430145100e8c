"""The pure rules of the rounds: in which order the configurations take their windows, when a
configuration has measured enough, and whether one was still warming up.

**Order.** Round r uses row r of a Williams design (a Latin square balanced for first-order
carry-over): over n rounds (2n for an odd number of configurations), every configuration holds
every position equally often and follows every other one equally often, so none always runs
right after the same neighbour (whose leftovers in caches, or in the machine's turbo state,
would bias it). Configurations that stopped are skipped; the others keep their relative order.

**Stop rule** (pyperf's calibration, applied to rounds): a configuration stops once it has at
least `min_rounds` cost windows and the 95% CI half-width of its CPU per request, t(n−1)·s/√n,
is at most `cost_ci_target` of the mean; or at `max_rounds`. The batch's time budget stops
everyone still short of the target (decided by the batch, which knows the clock).

**Still warming.** A JIT (or anything that keeps getting cheaper) shows as CPU per request
falling round after round. The check regresses each configuration's log CPU per request on
the round number after removing the machine's drift (the mean log CPU per request of the
other configurations measured in the same round; rounds where no other was measured are
left out, or for a JIT counted against the others' mean): a significant fall (p < 0.05)
larger than `2 × cost_ci_target` over the rounds means it was not warmed up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from estimator._model import Model
from estimator.stats import CONFIDENCE, t_quantile, t_sf_two_sided

Series = Mapping[int, float]
"""A configuration's CPU per request by round number."""


def williams_rows(n: int) -> list[list[int]]:
    """Rows of a Williams design for `n` treatments (n rows if n is even, else 2n)."""
    if n < 1:
        raise ValueError("a design needs at least one treatment")
    base = [0]
    for j in range(1, n):
        base.append((j + 1) // 2 if j % 2 else n - j // 2)
    rows = [[(b + r) % n for b in base] for r in range(n)]
    if n % 2:
        rows += [list(reversed(row)) for row in rows]
    return rows


def round_order(keys: Sequence[str], round_index: int, active: set[str] | None = None) -> list[str]:
    """The order of `keys` in round `round_index` (0-based), restricted to `active`."""
    if not keys:
        return []
    rows = williams_rows(len(keys))
    row = rows[round_index % len(rows)]
    ordered = [keys[i] for i in row]
    return ordered if active is None else [k for k in ordered if k in active]


def relative_half_width(values: Sequence[float]) -> float | None:
    """95% CI half-width of the mean ÷ the mean; None with fewer than 2 values."""
    n = len(values)
    if n < 2:
        return None
    mean = math.fsum(values) / n
    if mean <= 0:
        return math.inf
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return t_quantile(CONFIDENCE, n - 1) * math.sqrt(var / n) / mean


class StopRule(Model):
    target: float
    min_rounds: int
    max_rounds: int


def stop_check(values: Sequence[float], rule: StopRule, *, warmed_up: bool = True) -> str | None:
    """'target', 'max_rounds' or 'not_warmed_up' once a configuration with these cost values
    (one per round) may stop; None while it should go on."""
    n = len(values)
    if not warmed_up and n >= rule.min_rounds:
        return "not_warmed_up"
    if n >= rule.max_rounds:
        return "max_rounds"
    hw = relative_half_width(values)
    if n >= rule.min_rounds and hw is not None and hw <= rule.target:
        return "target"
    return None


class Trend(Model):
    """Change of a configuration's CPU per request over its rounds, net of common drift."""

    rounds: int
    change: float
    """fitted change from its first to its last round, as a fraction (−0.12: 12% cheaper)"""
    p_value: float

    def still_warming(self, target: float) -> bool:
        return self.p_value < 1 - CONFIDENCE and self.change < -2 * target


def trend(key: str, series: Mapping[str, Series], *, alone: bool = False) -> Trend | None:
    """The trend of `series[key]` net of the other configurations' drift; None with fewer
    than 4 usable rounds. Rounds where no other configuration was measured are left out,
    unless `alone` (a JIT, which often goes on after the others reached their target): they
    then count with the others' mean drift."""
    own = series[key]
    if len(own) < 4:
        return None
    others = [s for k, s in series.items() if k != key]
    commons: dict[int, float] = {}
    for r in own:
        logs = [math.log(s[r]) for s in others if r in s and s[r] > 0]
        if logs:
            commons[r] = math.fsum(logs) / len(logs)
    typical = math.fsum(commons.values()) / len(commons) if commons else 0.0
    xs: list[float] = []
    ys: list[float] = []
    for r, value in sorted(own.items()):
        if value <= 0:
            continue
        if others and r not in commons and not alone:
            continue  # nobody else measured in this round: its drift is unknown
        xs.append(float(r))
        ys.append(math.log(value) - commons.get(r, typical))
    n = len(xs)
    if n < 4:
        return None
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    slope = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    resid = [y - my - slope * (x - mx) for x, y in zip(xs, ys, strict=True)]
    s2 = math.fsum(e * e for e in resid) / (n - 2)
    se = math.sqrt(s2 / sxx) if s2 > 0 else 0.0
    p = (0.0 if slope != 0 else 1.0) if se == 0 else t_sf_two_sided(slope / se, n - 2)
    change = math.exp(slope * (xs[-1] - xs[0])) - 1
    return Trend(rounds=n, change=change, p_value=p)
