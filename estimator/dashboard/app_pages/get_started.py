"""No results to compare yet: what to run, and why earlier runs did not count."""

import streamlit as st

from estimator.dashboard import state
from estimator.escape import streamlit_text as esc
from estimator.views.empty import empty_store_help

help_ = empty_store_help(state.snapshot())
st.title(help_.headline)
st.markdown(esc(help_.detail))
st.subheader("Produce results")
for i, command in enumerate(help_.commands, start=1):
    st.markdown(f"**{i}.** {'Measure' if i == 1 else 'Then open the dashboard on them'}:")
    st.code(command, language="bash")
st.caption(
    "Measuring starts the sample apps under each interpreter and server configuration on "
    "127.0.0.1 and load-tests them with locust; nothing leaves this machine."
)
if help_.problems:
    st.subheader("Why the runs in this store don't count")
    for line in help_.problems:
        st.markdown(f"- {esc(line)}")
