"""Paired ratios of CPU per request between configurations measured side by side.

Inside one batch every configuration took a cost window in each round, minutes (or seconds)
apart from the others, so the machine's drift moves them together within a round: the ratio
B ÷ A of one round is far steadier than either figure alone. Per pair of configurations of
one batch, over the rounds where both had a cost window: the geometric mean of the per-round
ratios with its 95% t-interval (computed on log ratios, so A/B and B/A are exact inverses),
n = those rounds. Configurations of different batches (a resumed sweep, another repetition)
are not paired: their comparison falls back to the configurations' own intervals.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from pydantic import Field

from estimator._model import Model
from estimator.measure import RunResult
from estimator.stats import Estimate, estimate


class PairedRatio(Model):
    a: str = Field(description="config key of the denominator")
    b: str = Field(description="config key of the numerator")
    batch_id: str
    ratio: Estimate = Field(
        description="CPU per request, B ÷ A: geometric mean over the paired rounds and its "
        "95% CI (n = rounds; n = 1: interval unknown)"
    )
    rounds: list[int]

    @property
    def known(self) -> bool:
        return self.ratio.n >= 2

    @property
    def significant(self) -> bool:
        """B costs measurably more or less than A (the interval excludes 1)."""
        return self.known and (self.ratio.ci_high < 1.0 or self.ratio.ci_low > 1.0)


def _cost_by_round(run: RunResult) -> dict[int, float]:
    return {
        w.round: w.cpu_s_per_request
        for w in run.cost
        if w.round is not None and w.cpu_s_per_request is not None and w.cpu_s_per_request > 0
    }


def paired(run_a: RunResult, run_b: RunResult) -> PairedRatio | None:
    """B ÷ A over their common rounds (None: not of one batch, or no round in common)."""
    if run_a.batch_id is None or run_a.batch_id != run_b.batch_id:
        return None
    a, b = _cost_by_round(run_a), _cost_by_round(run_b)
    rounds = sorted(set(a) & set(b))
    if not rounds:
        return None
    logs = estimate([math.log(b[r] / a[r]) for r in rounds])
    ratio = Estimate(
        mean=math.exp(logs.mean),
        ci_low=math.exp(logs.ci_low),
        ci_high=math.exp(logs.ci_high),
        n=logs.n,
    )
    return PairedRatio(
        a=run_a.config_key, b=run_b.config_key, batch_id=run_a.batch_id, ratio=ratio, rounds=rounds
    )


def paired_cpu_ratios(runs: Sequence[RunResult]) -> list[PairedRatio]:
    """Every pair of successful configurations within each batch (A before B in key order)."""
    batches: dict[str, dict[str, RunResult]] = {}
    for run in runs:
        if run.status == "ok" and run.batch_id is not None:
            batches.setdefault(run.batch_id, {})[run.config_key] = run
    out: list[PairedRatio] = []
    for batch in batches.values():
        for key_a, key_b in itertools.combinations(sorted(batch), 2):
            pr = paired(batch[key_a], batch[key_b])
            if pr is not None:
                out.append(pr)
    return out


def paired_cpu_ratio(runs: Sequence[RunResult], key_a: str, key_b: str) -> PairedRatio | None:
    """B ÷ A from the newest batch that measured both (None: no batch did)."""
    found: list[tuple[float, PairedRatio]] = []
    by_batch: dict[str, dict[str, RunResult]] = {}
    for run in runs:
        if run.status == "ok" and run.batch_id is not None:
            by_batch.setdefault(run.batch_id, {})[run.config_key] = run
    for batch in by_batch.values():
        if key_a in batch and key_b in batch:
            pr = paired(batch[key_a], batch[key_b])
            if pr is not None:
                found.append((max(batch[key_a].started_at, batch[key_b].started_at), pr))
    return max(found, key=lambda f: f[0])[1] if found else None
