"""Data shaping for the dashboard: what each page shows, as typed models and tables, computed
from the store, the pricing catalog and the estimate stage. No Streamlit here: the pages under
`dashboard/pages/` only lay these out, and the tests check them without a browser."""
