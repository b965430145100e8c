"""Altair chart builders for the pages (presentation only: the data comes shaped from
`estimator.views`)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from estimator.views.measured import LOWER_BOUND

PHASE_COLORS = alt.Scale(
    domain=["warm-up", "service time (1 user)", "steady load", "capacity search"],
    range=["#bdbdbd", "#c7e9c0", "#9ecae1", "#fdae6b"],
)


def run_series(
    long: pd.DataFrame,
    phases: pd.DataFrame,
    metrics: list[str],
    title: str,
    *,
    unit: str,
    rule: float | None = None,
    rule_label: str = "",
    zero: bool = True,
    height: int = 210,
) -> alt.LayerChart:
    """Metrics over the run, phases shaded, generator-bound phases outlined in red, and an
    optional limit (the SLO, the generator-bound threshold) as a dashed line."""
    data = long[long["metric"].isin(metrics)]
    bands = (
        alt.Chart(phases)
        .mark_rect(opacity=0.35)
        .encode(
            x=alt.X("start (s):Q", title="seconds since the first phase"),
            x2="end (s):Q",
            color=alt.Color(
                "phase kind:N",
                scale=PHASE_COLORS,
                legend=None,  # the page says the colors once, above the charts
            ),
            tooltip=[
                "phase",
                "phase kind",
                "target (req/s)",
                "achieved (req/s)",
                "p95 (ms)",
                "generator-bound",
            ],
        )
    )
    bound = (
        alt.Chart(phases[phases["generator-bound"]])
        .mark_rect(fill=None, stroke="#d62728", strokeWidth=2)
        .encode(x="start (s):Q", x2="end (s):Q")
    )
    line = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x="t (s):Q",
            y=alt.Y("value:Q", title=unit, scale=alt.Scale(zero=zero)),
            color=alt.Color(
                "metric:N",
                scale=alt.Scale(range=["#1f3b73", "#2ca02c"]),
                legend=alt.Legend(title=None, orient="top") if len(metrics) > 1 else None,
            ),
            tooltip=[
                alt.Tooltip("t (s):Q", format=".1f"),
                "phase",
                "metric",
                alt.Tooltip("value:Q", format=",.2f"),
            ],
        )
    )
    layers: list[alt.Chart] = [bands, bound, line]
    if rule is not None:
        rule_df = pd.DataFrame({"y": [rule], "label": [rule_label]})
        layers.append(
            alt.Chart(rule_df)
            .mark_rule(color="#d62728", strokeDash=[4, 3])
            .encode(y="y:Q", tooltip=["label"])
        )
    # independent: the phases' colors and the metrics' colors are different scales
    chart = alt.LayerChart(
        layer=layers,
        height=height,
        width="container",
        title=alt.TitleParams(title, anchor="start", fontSize=14),
    )
    resolved: alt.LayerChart = chart.resolve_scale(color="independent")
    return resolved


def capacity_bars(frame: pd.DataFrame) -> alt.FacetChart:
    """Capacity per CPU grouped by interpreter, colored by server config, with 95% CIs."""
    base = alt.Chart().encode(
        x=alt.X("interpreter:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset="server config:N",
    )
    bars = base.mark_bar().encode(
        y=alt.Y("req/s per CPU:Q", title="capacity (req/s per CPU)"),
        color=alt.Color("server config:N"),
        opacity=alt.Opacity(
            "measured as:N",
            scale=alt.Scale(domain=["SLO-limited", LOWER_BOUND], range=[1.0, 0.45]),
        ),
        tooltip=[
            "app",
            "interpreter",
            "server config",
            "label",
            "CI low",
            "CI high",
            "measured as",
            "why a lower bound",
        ],
    )
    errs = base.mark_errorbar(ticks={"size": 12}, color="#333").encode(
        y=alt.Y("CI low:Q", title="capacity (req/s per CPU)"), y2="CI high:Q"
    )
    layered = alt.layer(bars, errs, data=frame).properties(width=320, height=300)
    faceted: alt.FacetChart = layered.facet(column=alt.Column("app:N", title=None))
    return faceted


def grouped_bars(
    frame: pd.DataFrame,
    y: str,
    y_title: str,
    color: str,
    tooltip: list[str],
    *,
    x: str = "interpreter",
) -> alt.FacetChart:
    """A value per `x` group, one bar per `color` value, one panel per app."""
    # long "interpreter · server w1x4" labels: one word per line, every label shown
    axis = alt.Axis(
        labelAngle=0,
        labelOverlap=False,
        labelExpr="split(replace(datum.label, ' · ', ' '), ' ')",
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", title=None, axis=axis),
            xOffset=f"{color}:N",
            y=alt.Y(f"{y}:Q", title=y_title),
            color=alt.Color(f"{color}:N", legend=alt.Legend(orient="top")),
            tooltip=tooltip,
        )
        .properties(height=260, width=430 if x == "configuration" else 320)
    )
    faceted: alt.FacetChart = chart.facet(column=alt.Column("app:N", title=None))
    return faceted


COST_COLORS = alt.Scale(
    domain=["cheapest", "tied", "baseline", "other", "not ranked"],
    range=["#2f855a", "#9ae6b4", "#8a94a6", "#3b6fd8", "#d6dbe3"],
)


def cost_bars(frame: pd.DataFrame) -> alt.FacetChart:
    """The display layer's $/month chart spec (`views.costs.cost_chart_frame`): one bar per
    configuration, colored by role (the cheapest, tied with it, baseline, other), whiskers
    from its 95% interval; an open upper end runs to the top of the axis."""
    data = frame.copy()
    data["color"] = data.apply(
        lambda r: "tied" if r["tied with the cheapest"] else r["role"], axis=1
    )
    top = float(data["$/month"].max()) * 2.5
    data["whisker high"] = data["high"].where(data["high"].notna(), top).clip(upper=top)
    tooltip = [
        "app",
        "interpreter",
        "server config",
        "cost",
        "95% range",
        "fleet",
        "binding limit",
        "vs baseline",
    ]
    base = alt.Chart().encode(
        x=alt.X("interpreter:N", title=None, axis=alt.Axis(labelAngle=0)),
        xOffset="server config:N",
    )
    bars = base.mark_bar().encode(
        y=alt.Y("$/month:Q", title="$/month (cheapest EC2 option)"),
        color=alt.Color("color:N", scale=COST_COLORS, legend=alt.Legend(orient="top", title=None)),
        opacity=alt.condition("datum['upper bound']", alt.value(0.45), alt.value(1.0)),
        tooltip=tooltip,
    )
    whiskers = (
        base.transform_filter("isValid(datum.low)")
        .mark_errorbar(ticks={"size": 8}, color="#333")
        .encode(y=alt.Y("low:Q", title="$/month (cheapest EC2 option)"), y2="whisker high:Q")
    )
    layered = alt.layer(bars, whiskers, data=data).properties(height=280, width=alt.Step(46))
    faceted: alt.FacetChart = layered.facet(column=alt.Column("app:N", title=None))
    return faceted
