"""Charts as specs: what each chart shows (bars, their interval whiskers, roles, tooltips),
computed once; `report.svg` draws a spec as inline SVG for the HTML report, and the
dashboard draws the same spec with altair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from estimator.display.phrases import saving_phrase, short
from estimator.display.text import usd, usd_range
from estimator.estimate import EstimateReport

Role = Literal["cheapest", "baseline", "other", "not ranked"]
ROLES: dict[Role, str] = {
    "cheapest": "cheapest of its app (its tie group shares the color)",
    "baseline": "baseline",
    "other": "other",
    "not ranked": "not ranked",
}


@dataclass(frozen=True)
class Bar:
    app: str
    key: str
    label: str
    interpreter: str
    server: str
    value: float
    low: float | None
    """None: not known (one measurement)."""
    high: float | None
    """None with a low end: no finite upper end."""
    role: Role
    tied_with_cheapest: bool
    lower_bound: bool
    value_text: str
    range_text: str
    saving_text: str
    option: str
    binding: str


@dataclass(frozen=True)
class ChartSpec:
    title: str
    axis: str
    bars: list[Bar]
    notes: list[str]


def cost_chart(report: EstimateReport) -> ChartSpec:
    """$/month of every priced configuration by app, with its interval (whiskers)."""
    bars = []
    for c in report.configurations:
        b = c.best
        if b is None:
            continue
        parts = c.key.split(" | ")
        role: Role = (
            "not ranked"
            if c.rank is None
            else "cheapest"
            if c.rank == 1
            else "baseline"
            if c.is_baseline
            else "other"
        )
        bars.append(
            Bar(
                app=c.app,
                key=c.key,
                label=short(c.key),
                interpreter=parts[1] if len(parts) > 1 else c.variant,
                server=" | ".join(parts[2:]) if len(parts) > 2 else c.server,
                value=float(b.monthly_usd),
                low=None if b.monthly_usd_low is None else float(b.monthly_usd_low),
                high=None if b.monthly_usd_high is None else float(b.monthly_usd_high),
                role=role,
                tied_with_cheapest=c.tie_group == 1 and c.rank != 1,
                lower_bound=b.lower_bound,
                value_text=usd(b.monthly_usd, bound=b.lower_bound),
                range_text=usd_range(
                    b.monthly_usd_low, b.monthly_usd_high, lower_bound=b.lower_bound
                ),
                saving_text=""
                if c.rank is None
                else saving_phrase(c.saving, is_baseline=c.is_baseline),
                option=f"{b.peak_instances} × {b.instance_type}",
                binding=b.binding,
            )
        )
    return ChartSpec(
        title=f"$ per month by configuration ({report.request.fleet})",
        axis="$/month (cheapest EC2 option)",
        bars=bars,
        notes=[
            "whiskers: the 95% interval (an arrow: no finite upper end; none: unknown, one "
            "measurement)",
            "hatched or faded: an upper bound (capacity measured as a lower bound)",
            "light green: tied within noise with the cheapest",
        ],
    )
