"""Download the report of what the other pages show: CSV, JSON, Markdown, HTML."""

import streamlit as st

from estimator.dashboard import state
from estimator.views import costs, export

st.title("Export the report")
snap = state.snapshot()
all_apps = sorted({s.app for s in snap.summaries})
apps = st.multiselect(
    "Apps in the report", all_apps, default=all_apps, key="export_apps", placeholder="pick apps"
)
if not apps:
    st.info("Pick at least one app.")
    st.stop()
rep, error = state.report(None if set(apps) == set(all_apps) else tuple(sorted(apps)))
if rep is None:
    state.no_report(error)
    st.stop()

st.write(
    "The same estimate as the Overview and Compare pages, for the sidebar's settings. Each "
    "file carries every input behind its numbers: traffic, SLO, region and purchase option, "
    "catalog date and sources, assumptions, measurement hosts and warnings."
)
state.inputs_caption(rep)
files = export.export_files(rep)
for col, f in zip(st.columns(len(files)), files, strict=True):
    col.download_button(
        f"Download {f.label}",
        data=f.data,
        file_name=f.filename,
        mime=f.mime,
        key=f"export_{f.format}",
        icon=":material/download:",
        width="stretch",
        help=f.description,
    )
    col.caption(f"{f.filename} · {len(f.data.encode()):,} bytes")
st.subheader("Preview")
md = next((f for f in files if f.format == "md"), None)
if md is not None:
    with st.container(border=True, height=700):
        st.markdown(md.data)
rows = costs.cost_rows(rep)
st.caption(f"{len(rows)} configurations, {len(rep.headlines)} apps priced.")
