"""One run over time: throughput, p95, server CPU, memory per worker and the load
generator's CPU, with warm-up and capacity-search phases shaded."""

from typing import Any

import streamlit as st

from estimator.dashboard import charts, state
from estimator.escape import streamlit_text as esc
from estimator.views import fmt, run_detail

snap = state.snapshot()
st.title("Run detail")
rows = list(reversed(snap.rows))  # newest first
labels = {r.id: run_detail.run_label(r) for r in rows}
default = next((i for i, r in enumerate(rows) if r.status == "ok"), 0)
run_id = st.selectbox(
    "Run", list(labels), index=default, format_func=labels.__getitem__, key="detail_run"
)
run = state.run(run_id)
detail = run_detail.run_detail(run)

if detail.status != "ok":
    st.error(f"This run {detail.status}: {esc(detail.failure or 'no reason recorded')}")
if detail.generator_bound:
    bound = [p.name for p in detail.phases if p.generator_bound]
    st.warning(
        f"Generator-bound in {esc(', '.join(bound))}: the load generator's busiest process used "
        f"≥ {run_detail.GENERATOR_LIMIT:.0%} of a CPU, so the server was not the limit there. "
        "Capacities from these phases are lower bounds (shown as ≥), never server capacity."
    )

c1, c2, c3, c4 = st.columns(4)
c1.metric(
    "Capacity, req/s" + (" (lower bound)" if detail.capacity_lower_bound else ""),
    "—"
    if detail.capacity_rps is None
    else fmt.capacity(detail.capacity_rps, detail.capacity_lower_bound),
    help=esc(detail.capacity_detail),
)
c2.metric("SLO: p95, ms", f"≤ {detail.slo_p95_ms:g}")
c3.metric("Phases", f"{len(detail.phases)}")
c4.metric("Generator-bound", "yes" if detail.generator_bound else "no")
st.caption(f"Capacity search: {esc(detail.capacity_detail)}. Warm-up: {esc(detail.warmup)}.")

st.subheader("Workers and connections")
if detail.connections:
    st.markdown(esc(detail.connections))
if detail.workers:
    if detail.workers_uneven:
        st.warning(
            esc(detail.workers)
            + ". The capacity model counts the busy workers, not all of them; see the "
            "warnings below for what to try."
        )
    else:
        st.markdown(esc(detail.workers))
else:
    st.caption("How evenly the workers shared the work was not recorded for this run.")
workers = run_detail.worker_frame(detail)
if len(workers) > 1:
    st.bar_chart(workers, x="worker pid", y="share of the work", height=220)
    st.dataframe(
        workers,
        hide_index=True,
        column_config={
            "CPU (s)": st.column_config.NumberColumn(format="%.3f"),
            "share of the work": st.column_config.NumberColumn(format="percent"),
            "busy slots (mean)": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    st.caption(
        "Each worker process's CPU-seconds over the closed-loop cost windows (nanosecond "
        "counters, read before and after every window): a worker's share of the CPU is its "
        "share of the requests served. Even: every worker 1/W. Busy slots: the requests it "
        "held, read 25 times a second and capped at its threads, averaged (blank: not "
        "sampled, async workers or a run recorded before)."
    )

frame = state.series(run_id)
if frame.empty:
    st.info("This run recorded no time series (it stopped before load started).")
else:
    long = run_detail.series_long(frame, detail)
    phases = run_detail.phase_frame(detail)
    cols = run_detail.SERIES_COLUMNS
    limit = run_detail.GENERATOR_LIMIT
    panels: list[tuple[list[str], str, str, dict[str, Any]]] = [
        ([cols["rps"]], "Throughput", "req/s", {}),
        (
            [cols["p95_ms"]],
            f"p95 latency (dashed: the SLO, {detail.slo_p95_ms:g} ms)",
            "ms",
            {"rule": detail.slo_p95_ms, "rule_label": f"SLO p95 {detail.slo_p95_ms:g} ms"},
        ),
        ([cols["server_cpu"]], "Server CPU (all its processes)", "CPUs", {}),
        (
            [cols["worker_uss_mb"], cols["worker_pss_mb"]],
            "Memory per worker",
            "MiB",
            {"zero": False, "height": 250},
        ),
        (
            [cols["generator_cpu"]],
            f"Load generator CPU, busiest process (dashed: generator-bound at {limit:.0%})",
            "CPUs",
            {"rule": limit, "rule_label": f"generator-bound at {limit:.0%} of a CPU"},
        ),
    ]
    st.markdown(
        "Phases: :gray-background[warm-up] :green-background[service time (1 user)] "
        ":blue-background[steady load] "
        ":orange-background[capacity search] · a :red[red outline] marks a generator-bound "
        "phase · hover for each phase's target, achieved rate and p95"
    )
    for metrics, title, unit, extra in panels:
        st.altair_chart(charts.run_series(long, phases, metrics, title, unit=unit, **extra))
    st.caption(
        "Per-second samples: throughput and p95 from the load generator (successful "
        "requests), CPU and memory from psutil (USS: private memory per worker; PSS: with "
        "its share of shared pages)."
    )
st.subheader("Phases")
st.dataframe(
    run_detail.phase_frame(detail),
    hide_index=True,
    column_config={
        "start (s)": st.column_config.NumberColumn(format="%.1f"),
        "end (s)": st.column_config.NumberColumn(format="%.1f"),
        "target (req/s)": st.column_config.NumberColumn(format="%.1f"),
        "achieved (req/s)": st.column_config.NumberColumn(format="%.1f"),
        "p95 (ms)": st.column_config.NumberColumn(format="%.1f"),
        "generator CPU": st.column_config.NumberColumn(
            format="%.2f", help="busiest load-generator process, in CPUs"
        ),
        "busy workers": st.column_config.NumberColumn(
            format="%.1f",
            help="effective busy workers in the window: the requests each worker held (read "
            "25 times a second, capped at its threads) ÷ threads; else 1 ÷ Σ share² of the CPU",
        ),
    },
)
with st.expander("Measured on"):
    st.table({esc(k): [esc(v)] for k, v in detail.facts.items()})
if detail.warnings:
    with st.expander(f"{len(detail.warnings)} warnings"):
        for w in detail.warnings:
            st.markdown(f"- {esc(w)}")
