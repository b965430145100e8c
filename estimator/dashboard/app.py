"""The estimator dashboard: `estimator dashboard [--results PATH]` runs this with Streamlit.

The entry point of an `st.navigation` app: it reads the results store (cached), renders the
what-if sidebar every page shares, and runs the chosen page. With no usable results it offers
only the page that says how to produce them (and the price catalog).

The page files live in `app_pages/`, not `pages/`: Streamlit treats a `pages/` folder next to
the entry point as a legacy (v1) multipage app until `st.navigation` has run once in the
process, so the first request after start-up (e.g. a bookmarked /compare) would run the page
without this entry point (no sidebar, no layout), and `AppTest` reruns would do it every time."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from estimator.dashboard import state
from estimator.errors import EstimatorError
from estimator.escape import streamlit_text as esc

PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(
    page_title="estimator: what your Python backend costs",
    page_icon=":material/savings:",
    layout="wide",
)

try:
    snap = state.snapshot()
    cat = state.catalog()
except EstimatorError as exc:
    state.fail(exc)

if snap.empty:
    pages = [
        st.Page(
            PAGES / "get_started.py",
            title="Get started",
            icon=":material/rocket_launch:",
            default=True,
        ),
        st.Page(PAGES / "pricing.py", title="Pricing", icon=":material/sell:"),
    ]
else:
    pages = [
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/insights:", default=True),
        st.Page(PAGES / "compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page(PAGES / "run_detail.py", title="Run detail", icon=":material/timeline:"),
        st.Page(PAGES / "pricing.py", title="Pricing", icon=":material/sell:"),
        st.Page(PAGES / "export.py", title="Export", icon=":material/download:"),
    ]
page = st.navigation(pages)
state.sidebar(cat, snap, state.measured_slo(snap))
st.sidebar.caption(f"Results: {esc(snap.path)} · {len(snap.rows)} runs")
page.run()
