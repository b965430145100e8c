"""Which configuration is cheapest for my traffic, by how much, and why."""

import altair as alt
import streamlit as st

from estimator.dashboard import state
from estimator.escape import streamlit_text as esc
from estimator.views import costs, fmt

st.title("Which configuration is cheapest?")
rep, error = state.report()
if rep is None:
    state.no_report(error)
    st.stop()

t = rep.traffic
st.markdown(
    f"For **{t.peak_rps:,.0f} req/s at the peak hour** ({esc(t.profile or t.source)} profile), "
    f"**{esc(rep.request.region)}** {rep.request.purchase} prices and an {rep.request.fleet} "
    "fleet, per app:"
)
rows = costs.cost_rows(rep)
for h in rep.headlines:
    row = rows[h.key]
    with st.container(border=True):
        name, cost, per_m, saving = st.columns([5, 3, 3, 4])
        variant, server = h.key.split(" | ")[1:]
        name.markdown(f"#### {esc(h.app)}\n**{esc(variant)}** · **{esc(server)}**")
        name.caption(
            f"{h.peak_instances} × {esc(h.instance_type)} at the peak hour; "
            f"the {esc(row.binding)} limit binds"
        )
        cost.metric(
            "Monthly cost",
            costs.money_text(h.monthly_usd, h.lower_bound),
            help="'≤': the capacity behind it is a lower bound (the load generator saturated, "
            "or every step of the capacity search met the SLO), so the real cost is at most "
            "this.",
        )
        per_m.metric("Per million requests", fmt.usd(h.usd_per_million_requests))
        s = h.saving
        if s is None:
            saving.metric("Saving vs baseline", "—")
            saving.caption("the baseline could not be priced for these settings")
        elif s.baseline_key == h.key:
            saving.metric("Saving vs baseline", "$0")
            saving.caption("this is the baseline: no measured configuration is cheaper")
        else:
            saving.metric(
                "Saving vs baseline",
                f"{fmt.usd(s.usd)}/month",
                delta=f"{s.pct:.1f}%",
                help="Baseline cost − this configuration's cost, per month.",
            )
            saving.caption(
                f"baseline {esc(s.baseline_key.split(' | ', 1)[1])}: {esc(fmt.usd(s.baseline_usd))}"
            )
        st.caption("**Why:** " + esc(costs.why_line(rep, h.key)))

unpriced_apps = sorted({c.app for c in rep.configurations} - {h.app for h in rep.headlines})
for app in unpriced_apps:
    st.warning(f"{esc(app)}: no configuration could be priced for these settings.")

st.subheader("$/month by configuration")
frame = costs.cost_chart_frame(rep)
if frame.empty:
    st.info("No configuration could be priced with these settings.")
else:
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("interpreter:N", title=None, axis=alt.Axis(labelAngle=0)),
            xOffset="server config:N",
            y=alt.Y("$/month:Q", title="$/month (cheapest EC2 option)"),
            color=alt.Color("server config:N", legend=alt.Legend(orient="top")),
            stroke=alt.condition("datum.role == 'cheapest'", alt.value("#111"), alt.value(None)),
            strokeWidth=alt.value(2),
            tooltip=[
                "app",
                "interpreter",
                "server config",
                "cost",
                "fleet",
                "binding limit",
                "vs baseline",
            ],
        )
        .properties(height=280, width=alt.Step(46))
        .facet(column=alt.Column("app:N", title=None))
    )
    st.altair_chart(chart)
    st.caption(
        "Each bar: the cheapest EC2 option for that configuration; outlined: the cheapest of "
        "its app. Configurations that can't be priced (e.g. their measured p95 misses the "
        "SLO) have no bar; Compare lists them with the reason."
    )
state.inputs_caption(rep)

if rep.warnings:
    with st.expander(f"{len(rep.warnings)} warnings"):
        for w in rep.warnings:
            st.markdown(f"- {esc(w)}")
if rep.excluded:
    with st.expander(f"{len(rep.excluded)} configurations excluded"):
        for e in rep.excluded:
            st.markdown(f"- **{esc(e.key)}**: {esc(e.reason)}")
with st.expander("Assumptions and how the figures are computed"):
    st.dataframe(
        [r.model_dump() for r in rep.assumption_rows],
        hide_index=True,
        column_config={"why": st.column_config.TextColumn(width="large")},
    )
    for note in rep.notes:
        st.markdown(f"- {esc(note)}")
    st.markdown("**Prices:** " + esc(rep.pricing.source))
    for line in rep.pricing.sources:
        st.markdown(f"- {esc(line)}")
