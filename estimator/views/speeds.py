"""The what-if's CPU speeds: one slider per CPU (every catalog family on it moves together,
as the break-even speeds do: c6g, m6g and r6g are one Graviton2), starting at the estimate's
own speeds (calibrated, published proxy or assumed, relative to the measuring host's core),
and where each app's recommendation flips."""

from __future__ import annotations

import statistics

from pydantic import Field

from estimator._model import Model
from estimator.calibrate import load_book
from estimator.capacity import Assumptions
from estimator.display.speeds import break_even_lines
from estimator.estimate import EstimateReport
from estimator.estimate.speeds import for_host
from estimator.pricing import Catalog
from estimator.views.snapshot import StoreSnapshot

SLIDER_MIN = 0.1
SLIDER_MAX = 3.0
MOVED = 0.005
"""A slider further than this from its start counts as a what-if override."""


class CpuSlider(Model):
    key: str = Field(description="the cpu_speed_overrides key: a CPU, or a family")
    label: str
    families: list[str]
    speed: float = Field(description="its start: the families' median speed, on the slider")
    help: str


def _clamp(x: float) -> float:
    return min(max(round(x, 2), SLIDER_MIN), SLIDER_MAX)


def cpu_sliders(snap: StoreSnapshot, catalog: Catalog, region: str) -> list[CpuSlider]:
    """One slider per CPU of the region's EC2 families, for the store's first measuring host
    (none without measurements)."""
    if not snap.summaries:
        return []
    host = snap.summaries[0].host
    targets = {it.family: it.arch for it in catalog.instances if it.region == region}
    _, info, _ = for_host(Assumptions(), host, targets, load_book())
    groups: dict[str, list[tuple[str, float, str, str]]] = {}
    labels: dict[str, str] = {}
    for s in info.speeds:
        if s.key not in targets:
            continue
        key = s.cpu_key or s.key
        groups.setdefault(key, []).append((s.key, s.speed, s.source, s.detail))
        labels[key] = s.cpu or s.key
    out = []
    for key, members in sorted(groups.items(), key=lambda kv: kv[1][0][0]):
        fams = [m[0] for m in members]
        out.append(
            CpuSlider(
                key=key,
                label=f"{labels[key]}: {', '.join(fams)}",
                families=fams,
                speed=_clamp(statistics.median(m[1] for m in members)),
                help="; ".join(f"{m[0]} {m[1]:.3g}, {m[2]}: {m[3]}" for m in members),
            )
        )
    return out


def moved(sliders: list[CpuSlider], chosen: dict[str, float]) -> dict[str, float]:
    """The slider values that differ from their start."""
    start = {s.key: s.speed for s in sliders}
    return {k: v for k, v in sorted(chosen.items()) if k in start and abs(v - start[k]) > MOVED}


def flip_lines(report: EstimateReport) -> list[str]:
    """Where each app's ranking flips, in words."""
    return [line for h in report.headlines for line in break_even_lines(report, h)]
