"""Measured configurations side by side: capacity, latency, CPU and memory with their CIs,
the estimate's costs, charts, and whether two configurations really differ."""

import streamlit as st

from estimator import display
from estimator.dashboard import charts, state
from estimator.errors import EstimatorError
from estimator.escape import streamlit_text as esc
from estimator.store.compare import compare_configs
from estimator.views import costs, measured, table
from estimator.views.slo import runs_at_slo

st.title("Compare configurations")
snap = state.snapshot()
sums = state.summaries()
rep, error = state.report()
wi = state.current_whatif(state.measured_slo(snap))

all_rows = measured.measured_rows(sums.summaries)
f1, f2, f3 = st.columns(3)
apps = f1.multiselect(
    "Apps", sorted({r.app for r in all_rows}), key="compare_apps", placeholder="all apps"
)
variants = f2.multiselect(
    "Interpreters",
    sorted({r.variant for r in all_rows}),
    key="compare_variants",
    placeholder="all interpreters",
)
servers = f3.multiselect(
    "Server configs",
    sorted({r.server for r in all_rows}),
    key="compare_servers",
    placeholder="all server configs",
)
rows = measured.measured_rows(
    sums.summaries, apps=apps or None, variants=variants or None, servers=servers or None
)
if not rows:
    st.info("No measured configuration matches these filters.")
    st.stop()

if rep is None:
    state.no_report(error)
frame = table.compare_frame(rows, rep)
st.dataframe(
    frame,
    hide_index=True,
    column_config={
        "app": st.column_config.TextColumn(pinned=True),
        "interpreter": st.column_config.TextColumn(pinned=True),
        "server config": st.column_config.TextColumn(pinned=True),
        "$/month": st.column_config.NumberColumn(
            format="$%.2f", help="cheapest EC2 option for the sidebar's traffic and prices"
        ),
        "95% range": st.column_config.TextColumn(
            help="$/month at the ends of the measured inputs' 95% CIs (whole instances: a "
            "step function of capacity)"
        ),
        "tie group": st.column_config.TextColumn(
            help="configurations of an app in the same group are not distinguishable by cost"
        ),
        "vs baseline": st.column_config.TextColumn(help="monthly saving vs the app's baseline"),
        "binding limit": st.column_config.TextColumn(
            help="the limit that sets capacity per instance: cpu, concurrency or memory"
        ),
        "$ per 1M requests": st.column_config.NumberColumn(format="$%.3f"),
        "capacity (req/s per CPU)": st.column_config.TextColumn(
            help="highest rate meeting the SLO ÷ CPUs the server had; ≥: a lower bound "
            "(the search did not reach the server's limit: see the note)"
        ),
        "p95 at steady load (ms)": st.column_config.NumberColumn(format="%.1f"),
        "CPU-ms per request": st.column_config.NumberColumn(format="%.2f"),
        "MiB per worker (USS)": st.column_config.NumberColumn(format="%.1f"),
        "Fargate $/month": st.column_config.NumberColumn(format="$%.2f"),
        "Lambda $/month": st.column_config.NumberColumn(format="$%.2f"),
        "note": st.column_config.TextColumn(width="large"),
    },
)
slo_note = (
    f"re-read at the what-if SLO p95 ≤ {wi.slo_p95_ms:g} ms from each run's recorded steps"
    if wi.slo_p95_ms is not None
    else f"at the measured SLO p95 ≤ {state.measured_slo(snap):g} ms"
)
st.caption(
    "Measured on "
    + "; ".join(
        sorted({esc(f"{s.host.cpu_model} ({s.host.logical_cpus} CPUs)") for s in sums.summaries})
    )
    + f". Capacity: highest rate meeting the SLO ({slo_note}), per CPU the server was given; "
    "'≥' marks a lower bound (the load generator saturated, or every search step met the "
    "SLO: the limit was not reached). CI: 95% over the "
    "repetitions (n=1: none). p95 and CPU-ms per request at the lowest steady rate; memory: "
    "median private memory (USS) per worker. Costs: the cheapest EC2 option for the sidebar's "
    "traffic and prices."
)
if rep is not None:
    state.inputs_caption(rep)
if sums.excluded:
    with st.expander(f"{len(sums.excluded)} configurations or runs left out"):
        for e in sums.excluded:
            st.markdown(f"- **{esc(e.key)}**: {esc(e.reason)}")

tab_cap, tab_lat, tab_mem, tab_cost = st.tabs(
    ["Capacity", "Latency percentiles", "Memory per worker", "Cost"]
)
with tab_cap:
    st.altair_chart(charts.capacity_bars(measured.capacity_frame(rows)))
    st.caption("Capacity per CPU with its 95% CI; faded bars are lower bounds (≥).")
with tab_lat:
    keys = [r.key for r in rows]
    lat = measured.latency_frame(snap.runs, keys)
    st.altair_chart(
        charts.grouped_bars(
            lat,
            "ms",
            "latency (ms)",
            "percentile",
            ["app", "interpreter", "server config", "percentile", "ms", "windows"],
            x="configuration",
        )
    )
    st.caption(
        "Latency percentiles at each run's lowest steady rate (successful requests), "
        "averaged over those windows."
    )
with tab_mem:
    st.altair_chart(
        charts.grouped_bars(
            measured.memory_frame(rows),
            "MiB",
            "MiB",
            "memory",
            ["app", "interpreter", "server config", "memory", "MiB"],
            x="configuration",
        )
    )
    st.caption(
        "Per worker: median private memory (USS) in the steady phases, mean over repetitions; "
        "shared: all server processes' PSS minus the workers' USS (the master and shared pages)."
    )
with tab_cost:
    if rep is None:
        state.no_report(error)
    else:
        cost = costs.cost_chart_frame(rep)
        cost = cost[cost["app"].isin({r.app for r in rows})]
        if cost.empty:
            st.info("No configuration could be priced with these settings.")
        else:
            st.altair_chart(charts.cost_bars(cost))
            st.caption(esc(display.tie_rule_line(rep)))

st.subheader("Do two configurations really differ?")
keys = [r.key for r in rows]
picked = st.multiselect(
    "Pick two configurations",
    keys,
    default=keys[:2] if len(keys) >= 2 else None,
    max_selections=2,
    key="compare_pair",
)
if len(picked) == 2:
    try:
        diff = compare_configs(runs_at_slo(snap.runs, wi.slo_p95_ms), picked[0], picked[1])
    except EstimatorError as exc:
        st.error(esc(exc.message))
    else:
        st.dataframe(
            table.difference_frame(diff, rep),
            hide_index=True,
            column_config={
                "metric": st.column_config.TextColumn(pinned=True),
                "A": st.column_config.NumberColumn(format="%.2f"),
                "B": st.column_config.NumberColumn(format="%.2f"),
                "B ÷ A": st.column_config.NumberColumn(format="%.2f×"),
                "p-value": st.column_config.NumberColumn(format="%.3f"),
                "verdict": st.column_config.TextColumn(width="large"),
            },
        )
        st.caption(
            f"B ÷ A for each metric, A = {esc(diff.a)}, B = {esc(diff.b)}. Significance: "
            "Welch's t-test over the repetitions (p < 0.05); with one value on a side it "
            "can't be judged."
        )
else:
    st.caption("Pick two configurations to see their difference and whether it is significant.")
