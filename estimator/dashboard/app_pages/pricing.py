"""The price catalog in use: date, sources, caveats, overrides; its EC2 rows for the sidebar's
region, architecture and families (or the whole catalog), and the serverless price sheets."""

import streamlit as st

from estimator.dashboard import state
from estimator.errors import EstimatorError
from estimator.escape import streamlit_text as esc
from estimator.views import pricing

cat = state.catalog()
wi = state.current_whatif(None)
st.title("Pricing")
st.markdown(f"**Catalog:** {esc(cat.source)}")

left, mid, right = st.columns([2, 3, 2])
everything = left.toggle(
    "Whole catalog",
    key="pricing_all",
    help="Off: the sidebar's region, purchase option, architecture and families (the prices "
    "the estimate uses). On: every region, architecture and family.",
)
name = mid.text_input("Type contains", key="pricing_name", placeholder="e.g. c7g or large")
max_hourly = right.number_input(
    "At most $/hour (0: any)",
    min_value=0.0,
    max_value=1000.0,
    value=0.0,
    step=0.05,
    format="%.2f",
    key="pricing_max",
)
try:
    listed = pricing.listing(
        cat,
        region=None if everything else wi.region,
        families=None if everything else wi.families,
        arch=None if everything else wi.arch,
        purchase=wi.purchase,
        max_usd_per_hour=pricing.decimal(max_hourly) if max_hourly > 0 else None,
    )
except EstimatorError as exc:
    state.fail(exc)

frame = pricing.ec2_frame(listed)
if name.strip():
    frame = frame[frame["type"].str.contains(name.strip(), case=False, regex=False)]
scope = (
    "all regions"
    if everything
    else ", ".join(f"{k} {v}" for k, v in listed.filters.items() if k != "max_price")
)
st.subheader(f"EC2 {listed.purchase}: {len(frame)} instance types ({scope})")
st.dataframe(
    frame,
    hide_index=True,
    column_config={
        "type": st.column_config.TextColumn(pinned=True),
        "$/hour": st.column_config.NumberColumn(format="$%.4f"),
        "$/month": st.column_config.NumberColumn(format="$%.2f"),
        "$/vCPU-month": st.column_config.NumberColumn(format="$%.2f"),
        "$/GiB-month": st.column_config.NumberColumn(format="$%.2f"),
        "GiB": st.column_config.NumberColumn(format="%.2f"),
        "cores": st.column_config.NumberColumn(help="physical cores behind the vCPUs"),
    },
)
st.caption(
    f"$/month = $/hour × {listed.hours_per_month} h. Burstable (T) types: base price only; "
    "the estimate plans them at their baseline CPU. Sorted by price."
)
st.subheader("Where these prices come from")
for line in listed.price_sources:
    st.markdown(f"- {esc(line)}")
for line in listed.notes:
    st.markdown(f"- **Override:** {esc(line)}")
with st.expander(f"{len(listed.caveats)} caveats"):
    for line in listed.caveats:
        st.markdown(f"- {esc(line)}")
if listed.missing:
    with st.expander(f"{len(listed.missing)} prices missing (left out, never counted as zero)"):
        st.dataframe([m.model_dump() for m in listed.missing], hide_index=True)
st.subheader("Serverless")
st.dataframe(
    pricing.serverless_frame(cat, None if everything else wi.region),
    hide_index=True,
)
