"""Throughput under a fractional CPU quota (Fargate and Kubernetes CPU limits, cgroup quotas).

A CFS quota of q CPUs does not give q times the throughput of a whole CPU: throttling in
100 ms periods adds queueing. The curve maps a quota to the measured throughput ratio
(throughput at quota q ÷ throughput on one unrestricted CPU) and is interpolated linearly
through (0, 0); above its last point the ratio grows in proportion to q.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import Field, field_validator

from estimator._model import InputModel, Model
from estimator.capacity.errors import CapacityError
from estimator.store.summary import ConfigSummary


class QuotaPoint(InputModel):
    quota: float = Field(gt=0, le=1024, description="CPU quota, in CPUs")
    ratio: float = Field(gt=0, le=1024, description="throughput at this quota ÷ on one full CPU")


class QuotaCurve(Model):
    points: list[QuotaPoint] = Field(min_length=1)
    source: str = Field(description="where the points come from")

    @field_validator("points")
    @classmethod
    def _ordered(cls, v: list[QuotaPoint]) -> list[QuotaPoint]:
        quotas = [p.quota for p in v]
        if quotas != sorted(set(quotas)):
            raise ValueError(f"quotas must be distinct and ascending, got {quotas}")
        return v

    def ratio(self, quota: float) -> float:
        """Throughput at `quota` CPUs relative to one unrestricted CPU."""
        if quota <= 0:
            raise CapacityError(f"CPU quota = {quota}: must be > 0 CPUs")
        prev_q, prev_r = 0.0, 0.0
        for p in self.points:
            if quota <= p.quota:
                return prev_r + (p.ratio - prev_r) * (quota - prev_q) / (p.quota - prev_q)
            prev_q, prev_r = p.quota, p.ratio
        return quota * prev_r / prev_q

    def efficiency(self, quota: float) -> float:
        """ratio ÷ quota: the fraction of the quota's CPU time that turns into throughput."""
        return self.ratio(quota) / quota

    def describe(self) -> str:
        pts = ", ".join(f"{p.quota:g} CPU → {p.ratio:.3g}×" for p in self.points)
        return f"{pts} ({self.source})"


DEFAULT_QUOTA_CURVE = QuotaCurve(
    points=[
        QuotaPoint(quota=0.25, ratio=0.19),
        QuotaPoint(quota=0.5, ratio=0.42),
        QuotaPoint(quota=1.0, ratio=1.0),
    ],
    source="cgroup v1 quota runs on the team's 2-core AMD EPYC machine (design doc); "
    "replaced by the store's own quota runs when present",
)


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """Pool-adjacent-violators: the closest non-decreasing sequence (weighted least squares)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out: list[float] = []
    for mean, _w, count in blocks:
        out.extend([mean] * int(count))
    return out


def fit_quota_curve(pairs: Iterable[tuple[float, float]], source: str) -> QuotaCurve:
    """A curve from measured (quota in CPUs, throughput ratio) pairs.

    Repeated quotas are averaged; ratios are made non-decreasing in the quota (more CPU never
    lowers throughput; a dip is noise) by pooling adjacent violators; (1 CPU, 1.0) is added
    when no point reaches one CPU, since the ratio is relative to one unrestricted CPU."""
    groups: dict[float, list[float]] = defaultdict(list)
    for quota, ratio in pairs:
        if not quota > 0 or not ratio > 0:
            raise CapacityError(
                f"quota point ({quota}, {ratio}): quota and throughput ratio must both be > 0"
            )
        groups[float(quota)].append(float(ratio))
    if not groups:
        raise CapacityError(f"no quota measurements to fit a curve from ({source})")
    quotas = sorted(groups)
    means = [sum(groups[q]) / len(groups[q]) for q in quotas]
    ratios = _isotonic(means, [float(len(groups[q])) for q in quotas])
    points = [QuotaPoint(quota=q, ratio=r) for q, r in zip(quotas, ratios, strict=True)]
    if quotas[-1] < 1.0:
        points.append(QuotaPoint(quota=1.0, ratio=max(1.0, ratios[-1])))
    return QuotaCurve(points=points, source=source)


def quota_curve_from_summaries(summaries: Sequence[ConfigSummary]) -> QuotaCurve | None:
    """Fit the curve from the store's quota runs: each configuration measured under a quota
    is paired with the same app, variant and server measured without one (the reference on
    the fewest CPUs), ratio = X_max(quota) ÷ (X_max(reference) ÷ its CPUs). Generator-bound
    runs are skipped (their capacity is only a lower bound). None when no pair exists."""
    refs: dict[tuple[str, str, str], ConfigSummary] = {}
    for s in summaries:
        if s.quota_cpus is None and not s.capacity_is_lower_bound:
            k = (s.app, s.variant, s.server.label)
            if k not in refs or s.server_cpus < refs[k].server_cpus:
                refs[k] = s
    pairs: list[tuple[float, float]] = []
    used: list[str] = []
    for s in summaries:
        if s.quota_cpus is None or s.capacity_is_lower_bound:
            continue
        ref = refs.get((s.app, s.variant, s.server.label))
        if ref is None or ref.capacity_rps.mean <= 0:
            continue
        per_cpu = ref.capacity_rps.mean / ref.server_cpus
        pairs.append((min(s.quota_cpus, float(s.server_cpus)), s.capacity_rps.mean / per_cpu))
        used.append(s.key)
    if not pairs:
        return None
    return fit_quota_curve(pairs, f"fitted from {len(pairs)} measured quota run(s): {used}")
