"""`estimator diff BASE.json HEAD.json`: the cost change of every configuration between two
JSON reports (matched by configuration key), the inputs that changed between them, and whether
any increase is over a threshold (for CI, like `infracost diff`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.estimate import ConfigEstimate, EstimateReport
from estimator.estimate.options import Exact
from estimator.money import cents

Status = Literal["changed", "unchanged", "added", "removed", "no longer priced", "newly priced"]


PCT_STEP = Decimal("0.0001")
"""Percent changes to four decimals: exact enough, and free of 28-digit division noise."""


class ConfigDiff(Model):
    key: str
    status: Status
    base_usd: Exact | None
    head_usd: Exact | None
    change_usd: Exact | None
    change_usd_low: Exact | None = Field(
        description="HEAD's low end − BASE's high end; None: not known or no finite end"
    )
    change_usd_high: Exact | None = Field(description="HEAD's high end − BASE's low end")
    known: bool = Field(description="both costs have a known interval")
    base_lower_bound: bool = Field(description="BASE's cost is at most its figure")
    head_lower_bound: bool = Field(description="HEAD's cost is at most its figure")
    change_pct: Exact | None = Field(description="None: no base cost to compare with")
    base_option: str | None = Field(description="e.g. '3 × m7g.large'")
    head_option: str | None
    over_threshold: bool


class ReportDiff(Model):
    base: str
    head: str
    threshold_pct: Exact | None
    rows: list[ConfigDiff]
    input_changes: list[str]

    @property
    def over(self) -> list[ConfigDiff]:
        return [r for r in self.rows if r.over_threshold]

    @property
    def failed(self) -> bool:
        return bool(self.over)


def _option(c: ConfigEstimate | None) -> str | None:
    if c is None or c.best is None:
        return None
    return f"{c.best.peak_instances} × {c.best.instance_type}"


def _row(
    key: str, base: ConfigEstimate | None, head: ConfigEstimate | None, threshold: Decimal | None
) -> ConfigDiff:
    b = base.monthly_usd if base else None
    h = head.monthly_usd if head else None
    bo = base.best if base else None
    ho = head.best if head else None
    change = pct = low = high = None
    known = bool(bo and ho and bo.monthly_usd_low is not None and ho.monthly_usd_low is not None)
    if known and bo and ho:
        if ho.monthly_usd_low is not None and bo.monthly_usd_high is not None:
            low = ho.monthly_usd_low - bo.monthly_usd_high
        if ho.monthly_usd_high is not None and bo.monthly_usd_low is not None:
            high = ho.monthly_usd_high - bo.monthly_usd_low
    status: Status
    if base is None:
        status = "added"
    elif head is None:
        status = "removed"
    elif b is not None and h is None:
        status = "no longer priced"
    elif b is None and h is not None:
        status = "newly priced"
    elif b is None or h is None:
        status = "unchanged"
    else:
        change = h - b
        pct = (change * 100 / b).quantize(PCT_STEP) if b else None
        status = "unchanged" if cents(h) == cents(b) else "changed"
    over = threshold is not None and (
        status == "no longer priced"
        or (
            status == "changed"
            and change is not None
            and change > 0
            and (pct is None or pct > threshold)
        )
    )
    return ConfigDiff(
        key=key,
        status=status,
        base_usd=b,
        head_usd=h,
        change_usd=change,
        change_usd_low=low if change is not None else None,
        change_usd_high=high if change is not None else None,
        known=known,
        base_lower_bound=bool(bo and bo.lower_bound),
        head_lower_bound=bool(ho and ho.lower_bound),
        change_pct=pct,
        base_option=_option(base),
        head_option=_option(head),
        over_threshold=over,
    )


def _changed(label: str, a: object, b: object) -> list[str]:
    return [] if a == b else [f"{label}: {a} → {b}"]


def input_changes(base: EstimateReport, head: EstimateReport) -> list[str]:
    """What differs in the inputs: a cost change may come from them, not from the code."""
    out: list[str] = []
    rb, rh = base.request.model_dump(mode="json"), head.request.model_dump(mode="json")
    for name in rb:
        if name == "traffic":
            tb, th = base.traffic, head.traffic
            if base.request.traffic.hourly_rps != head.request.traffic.hourly_rps:
                out.append(
                    f"traffic: peak {tb.peak_rps:,.1f} → {th.peak_rps:,.1f} req/s, "
                    f"{tb.requests_per_month:,.0f} → {th.requests_per_month:,.0f} requests/month"
                )
            continue
        out += _changed(name, rb[name], rh.get(name))
    out += _changed(
        "price catalog",
        base.pricing.snapshot_date.isoformat(),
        head.pricing.snapshot_date.isoformat(),
    )
    out += _changed("price sources", base.pricing.sources, head.pricing.sources)
    out += _changed("price overrides", base.pricing.notes, head.pricing.notes)
    ab = {a.name: a.value for a in base.assumption_rows}
    for a in head.assumption_rows:
        if a.name in ab and ab[a.name] != a.value:
            out.append(f"assumption {a.name}: {ab[a.name]} → {a.value}")
    hb = {h.model_dump_json() for h in base.hosts}
    hh = {h.model_dump_json() for h in head.hosts}
    if hb != hh:
        out.append("measurement hosts differ")
    runs_b = {k for c in base.configurations for k in c.run_ids}
    runs_h = {k for c in head.configurations for k in c.run_ids}
    if runs_b != runs_h:
        out.append(
            f"measurements: {len(runs_h - runs_b)} run(s) new in HEAD, "
            f"{len(runs_b - runs_h)} only in BASE"
        )
    out += _changed("estimator version", base.estimator_version, head.estimator_version)
    return out


def diff_reports(
    base: EstimateReport,
    head: EstimateReport,
    *,
    threshold_pct: Decimal | None = None,
    base_name: str = "BASE",
    head_name: str = "HEAD",
) -> ReportDiff:
    """Per configuration the change of its ranked $/month. Over the threshold: an increase of
    more than `threshold_pct` percent, or a configuration BASE priced and HEAD cannot."""
    bmap = {c.key: c for c in base.configurations}
    hmap = {c.key: c for c in head.configurations}
    keys = [*bmap, *(k for k in hmap if k not in bmap)]
    return ReportDiff(
        base=base_name,
        head=head_name,
        threshold_pct=threshold_pct,
        rows=[_row(k, bmap.get(k), hmap.get(k), threshold_pct) for k in keys],
        input_changes=input_changes(base, head),
    )
