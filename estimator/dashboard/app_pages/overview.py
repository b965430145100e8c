"""Which configuration is cheapest for my traffic, by how much, and why."""

import streamlit as st

from estimator import display
from estimator.dashboard import charts, state
from estimator.display import phrases
from estimator.display.speeds import break_even_lines
from estimator.escape import streamlit_text as esc
from estimator.views import costs

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
            esc(
                f"{h.peak_instances} × {h.instance_type} at the peak hour ({row.peak_range} at "
                f"the ends of the interval); the {row.binding} limit binds"
            )
        )
        cost.metric(
            "Monthly cost",
            row.monthly,
            help="'≤': the capacity behind it is a lower bound (the load generator saturated, "
            "or every step of the capacity search met the SLO), so the real cost is at most "
            "this.",
        )
        cost.caption(esc(f"95% range: {row.monthly_range}"))
        per_m.metric("Per million requests", row.per_million)
        s = h.saving
        saving.metric("Saving vs baseline", row.saving)
        if s is not None and s.baseline_key != h.key:
            saving.caption(
                esc(f"baseline {phrases.short(s.baseline_key)}: {display.usd(s.baseline_usd)}")
            )
        elif s is None:
            saving.caption("the baseline could not be priced or ranked for these settings")
        if h.tied_with:
            st.caption(
                f"**Tied within noise** with {len(h.tied_with)} other(s): "
                + esc("; ".join(phrases.short(k) for k in h.tied_with))
            )
        st.caption("**Why:** " + esc(costs.why_line(rep, h.key)))
        for line in break_even_lines(rep, h):
            st.caption("**Break-even CPU speed:** " + esc(line))

unpriced_apps = sorted({c.app for c in rep.configurations} - {h.app for h in rep.headlines})
for app in unpriced_apps:
    st.warning(f"{esc(app)}: no configuration could be priced for these settings.")
for line in display.tie_lines(rep):
    st.markdown(f"- {esc(line)}")
for line in display.setting_lines(rep):
    st.markdown(f"- **Server setting:** {esc(line)}")
st.caption(esc(display.tie_rule_line(rep)))

st.subheader("$/month by configuration")
frame = costs.cost_chart_frame(rep)
if frame.empty:
    st.info("No configuration could be priced with these settings.")
else:
    st.altair_chart(charts.cost_bars(frame))
    st.caption(
        "Each bar: the cheapest EC2 option for that configuration; whiskers: its 95% range "
        "(an open end: no finite upper end; none: one measurement, range unknown); dark green: "
        "the cheapest of its app, light green: tied with it within noise; faded: an upper "
        "bound. Configurations that can't be priced have no bar; Compare lists them."
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
