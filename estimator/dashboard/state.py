"""Shared by app.py and the pages: bounded cached loads, the what-if sidebar (keyed widgets
rendered on every run, so their values survive page changes) and error display. UI glue
only: every figure comes from `estimator.views` and the stages behind it."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pandas as pd
import streamlit as st

from estimator import paths
from estimator.capacity import TrafficProfile
from estimator.errors import EstimatorError
from estimator.escape import streamlit_text as esc
from estimator.estimate import EstimateReport
from estimator.measure import RunResult
from estimator.pricing import Catalog, load_catalog
from estimator.store.runs import Store
from estimator.views import costs, run_detail, speeds, whatif
from estimator.views.snapshot import StoreSnapshot, load_snapshot, signature

TTL_S = 600


def results_path() -> Path:
    """`estimator dashboard --results PATH` passes the store in ESTIMATOR_RESULTS."""
    return paths.default_results_path()


@st.cache_data(max_entries=4, ttl=TTL_S, show_spinner="Reading the results store…")
def _snapshot(path: str, sig: str) -> StoreSnapshot:
    return load_snapshot(Path(path))


def snapshot() -> StoreSnapshot:
    path = results_path()
    return _snapshot(str(path), signature(path))


@st.cache_data(max_entries=8, ttl=TTL_S, show_spinner="Loading prices…")
def _catalog(discount_pct: float) -> Catalog:
    return load_catalog(discount_pct=str(discount_pct) if discount_pct else None)


def catalog() -> Catalog:
    return _catalog(float(st.session_state.get(KEYS["discount"], 0.0)))


@st.cache_data(max_entries=16, ttl=TTL_S, show_spinner=False)
def _run(path: str, sig: str, run_id: str) -> RunResult:
    with Store(Path(path), create=False) as store:
        return store.get(run_id)


@st.cache_data(max_entries=16, ttl=TTL_S, show_spinner=False)
def _series(path: str, sig: str, run_id: str) -> pd.DataFrame:
    return run_detail.run_series(Path(path), run_id)


def run(run_id: str) -> RunResult:
    path = results_path()
    return _run(str(path), signature(path), run_id)


def series(run_id: str) -> pd.DataFrame:
    path = results_path()
    return _series(str(path), signature(path), run_id)


def fail(exc: EstimatorError) -> NoReturn:
    """One line naming the problem and the fix, never a traceback; then stop this run."""
    st.error(esc(exc.message), icon=":material/error:")
    st.stop()


# --- the what-if sidebar ---------------------------------------------------------------
KEYS = {
    "peak": "whatif_peak_rps",
    "profile": "whatif_profile",
    "upload": "whatif_upload",
    "slo": "whatif_slo_p95_ms",
    "util": "whatif_target_utilization",
    "redundancy": "whatif_redundancy",
    "region": "whatif_region",
    "purchase": "whatif_purchase",
    "fleet": "whatif_fleet",
    "arch": "whatif_arch",
    "families": "whatif_families",
    "burstable": "whatif_burstable",
    "discount": "whatif_discount_pct",
}
ANY_ARCH = "any"
AUTO_BASELINE = "auto"


def baseline_key(app: str) -> str:
    return f"whatif_baseline_{app}"


def baselines(snap: StoreSnapshot) -> tuple[str, ...]:
    """The baselines picked in the sidebar (exact configuration keys); 'auto' ones left out."""
    out = []
    for app in sorted({s.app for s in snap.summaries}):
        key = st.session_state.get(baseline_key(app), AUTO_BASELINE)
        if key != AUTO_BASELINE:
            out.append(key)
    return tuple(out)


def _uploaded() -> tuple[TrafficProfile | None, str | None]:
    """(the uploaded profile, an error message)."""
    file = st.session_state.get(KEYS["upload"])
    if file is None:
        return None, None
    try:
        return whatif.traffic_from_upload(file.name, file.getvalue()), None
    except EstimatorError as exc:
        return None, exc.message


def sidebar(cat: Catalog, snap: StoreSnapshot, measured_slo_ms: float | None) -> None:
    """The what-if inputs. Rendered from app.py on every run, so every page shares them."""
    d = whatif.WhatIf()
    if not snap.empty:
        _traffic_inputs(d, measured_slo_ms)
    _price_inputs(cat, d)
    if not snap.empty:
        _speed_inputs(cpu_sliders())
    _baseline_inputs(snap)


def _traffic_inputs(d: whatif.WhatIf, measured_slo_ms: float | None) -> None:
    sb = st.sidebar
    sb.header("What if…")
    sb.number_input(
        "Peak traffic (req/s)",
        min_value=1.0,
        max_value=1_000_000.0,
        value=d.peak_rps,
        step=50.0,
        format="%.0f",
        key=KEYS["peak"],
        help="The busiest hour's mean request rate. The hourly profile scales from it.",
    )
    sb.selectbox(
        "Hourly profile",
        whatif.PROFILE_CHOICES,
        index=whatif.PROFILE_CHOICES.index(d.profile),
        key=KEYS["profile"],
        help="A typical day's shape (fractions of the peak per hour; presets are shapes, not "
        "measurements). 'uploaded file' uses your own 24 hourly rates.",
    )
    if st.session_state.get(KEYS["profile"]) == whatif.UPLOADED:
        sb.file_uploader(
            "Traffic file (.json or .csv, 24 hourly rates)",
            type=["json", "csv", "txt"],
            key=KEYS["upload"],
        )
        _, error = _uploaded()
        if error:
            sb.error(esc(error))
    if measured_slo_ms is not None:
        sb.number_input(
            "SLO: p95 latency (ms)",
            min_value=1.0,
            max_value=60_000.0,
            value=measured_slo_ms,
            step=10.0,
            format="%.0f",
            key=KEYS["slo"],
            help=f"The runs were measured against p95 ≤ {measured_slo_ms:g} ms. A stricter SLO "
            "re-reads each run's capacity search; a looser one can only keep the measured "
            "capacity as a lower bound.",
        )
    sb.slider(
        "Target utilization",
        min_value=0.30,
        max_value=0.95,
        value=d.target_utilization,
        step=0.05,
        key=KEYS["util"],
        help="Share of an instance's capacity planned for at the hour's mean rate "
        "(headroom for bursts and queueing). The measured SLO may cap it lower.",
    )
    sb.number_input(
        "Redundancy (extra instances)",
        min_value=0,
        max_value=10,
        value=d.redundancy,
        step=1,
        key=KEYS["redundancy"],
        help="N+k: instances added to what the load needs.",
    )


def _price_inputs(cat: Catalog, d: whatif.WhatIf) -> None:
    sb = st.sidebar
    sb.subheader("Prices")
    regions = cat.regions
    sb.selectbox(
        "Region",
        regions,
        index=regions.index(d.region) if d.region in regions else 0,
        key=KEYS["region"],
    )
    region = st.session_state.get(KEYS["region"], d.region)
    purchases = sorted({s.purchase for s in cat.sources if s.region == region}) or ["on-demand"]
    sb.radio(
        "Purchase option",
        purchases,
        index=purchases.index("on-demand") if "on-demand" in purchases else 0,
        key=KEYS["purchase"],
        horizontal=True,
        help="Spot prices appear after `estimator pricing refresh --region R --spot`.",
    )
    sb.radio(
        "Fleet",
        ["autoscaled", "fixed"],
        key=KEYS["fleet"],
        horizontal=True,
        help="Autoscaled: instances follow the hourly traffic. Fixed: the peak count all month.",
    )
    sb.radio("Architecture", [ANY_ARCH, "x86_64", "arm64"], key=KEYS["arch"], horizontal=True)
    arch = st.session_state.get(KEYS["arch"], ANY_ARCH)
    families = sorted({it.family for it in cat.instances if arch in (ANY_ARCH, it.arch)})
    chosen = [f for f in st.session_state.get(KEYS["families"], []) if f in families]
    if chosen != st.session_state.get(KEYS["families"], []):
        st.session_state[KEYS["families"]] = chosen
    sb.multiselect(
        "Instance families",
        families,
        key=KEYS["families"],
        placeholder="all families",
        help="Only these EC2 families (empty: every family in the catalog).",
    )
    sb.checkbox(
        "Include burstable types (t3, t3a, t4g)",
        key=KEYS["burstable"],
        help="Planned at their CPU-credit baseline; the surplus credits AWS bills for a busy "
        "server in unlimited mode are not priced. Naming a T family above includes it too.",
    )
    sb.number_input(
        "Discount on list prices (%)",
        min_value=0.0,
        max_value=90.0,
        value=0.0,
        step=1.0,
        format="%.1f",
        key=KEYS["discount"],
        help="A negotiated discount (EDP, private pricing) applied to every list price.",
    )


def speed_key(cpu: str) -> str:
    return f"whatif_speed_{cpu}"


@st.cache_data(max_entries=8, ttl=TTL_S, show_spinner=False)
def _cpu_sliders(path: str, sig: str, region: str, discount: float) -> list[speeds.CpuSlider]:
    return speeds.cpu_sliders(_snapshot(path, sig), _catalog(discount), region)


def cpu_sliders() -> list[speeds.CpuSlider]:
    """One CPU-speed slider per CPU of the sidebar region's families, at its start."""
    path = results_path()
    region = st.session_state.get(KEYS["region"], whatif.DEFAULT_REGION)
    discount = float(st.session_state.get(KEYS["discount"], 0.0))
    try:
        return _cpu_sliders(str(path), signature(path), region, discount)
    except EstimatorError as exc:  # e.g. an unreadable calibration book: the pages say it too
        st.sidebar.error(esc(exc.message), icon=":material/error:")
        return []


def _speed_inputs(sliders: list[speeds.CpuSlider]) -> None:
    """A slider per CPU: its speed vs the measuring host's core; and where rankings flip."""
    if not sliders:
        return
    box = st.sidebar.expander("CPU speed (vs this host's core)")
    box.caption(
        "Each CPU starts at its families' own speed: calibrated (`estimator calibrate`), else "
        "a published single-thread proxy (not a Python measurement), else assumed 1. Every "
        "family on a CPU moves with its slider."
    )
    for s in sliders:
        box.slider(
            esc(s.label),
            min_value=speeds.SLIDER_MIN,
            max_value=speeds.SLIDER_MAX,
            value=s.speed,
            step=0.01,
            key=speed_key(s.key),
            help=esc(s.help),
        )
    rep, _ = report()
    if rep is not None:
        for line in speeds.flip_lines(rep):
            box.caption(f"Flips: {esc(line)}")


def _chosen_speeds() -> dict[str, float]:
    if snapshot().empty:
        return {}
    sliders = cpu_sliders()
    chosen = {
        s.key: float(st.session_state[speed_key(s.key)])
        for s in sliders
        if speed_key(s.key) in st.session_state
    }
    return speeds.moved(sliders, chosen)


def _baseline_inputs(snap: StoreSnapshot) -> None:
    sb = st.sidebar
    apps = sorted({s.app for s in snap.summaries})
    if apps:
        sb.subheader("Baseline")
        for app in apps:
            keys = sorted(s.key for s in snap.summaries if s.app == app)
            sb.selectbox(
                f"Savings of {app} are measured against",
                [AUTO_BASELINE, *keys],
                key=baseline_key(app),
                help="auto: the oldest CPython with gunicorn sync workers and the fewest "
                "workers measured for this app.",
            )


def current_whatif(measured_slo_ms: float | None) -> whatif.WhatIf:
    """The sidebar's values as a `WhatIf` (defaults before the sidebar first renders)."""
    ss = st.session_state
    d = whatif.WhatIf()
    uploaded, _ = _uploaded()
    arch = ss.get(KEYS["arch"], ANY_ARCH)
    slo = ss.get(KEYS["slo"], measured_slo_ms)
    return whatif.WhatIf(
        peak_rps=ss.get(KEYS["peak"], d.peak_rps),
        profile=ss.get(KEYS["profile"], d.profile),
        uploaded=uploaded,
        slo_p95_ms=slo if slo != measured_slo_ms else None,
        target_utilization=ss.get(KEYS["util"], d.target_utilization),
        redundancy=ss.get(KEYS["redundancy"], d.redundancy),
        region=ss.get(KEYS["region"], d.region),
        purchase=ss.get(KEYS["purchase"], d.purchase),
        fleet=ss.get(KEYS["fleet"], d.fleet),
        arch=None if arch == ANY_ARCH else arch,
        families=list(ss.get(KEYS["families"], [])),
        include_burstable=bool(ss.get(KEYS["burstable"], False)),
        discount_pct=ss.get(KEYS["discount"], 0.0),
        cpu_speeds=_chosen_speeds(),
    )


# --- the estimate ----------------------------------------------------------------------
@st.cache_data(max_entries=32, ttl=TTL_S, show_spinner="Estimating…")
def _report(
    path: str, sig: str, whatif_json: str, baseline: tuple[str, ...], apps: tuple[str, ...] | None
) -> EstimateReport:
    wi = whatif.WhatIf.model_validate_json(whatif_json)
    return costs.report_for(
        _snapshot(path, sig), wi, _catalog(wi.discount_pct), baseline=baseline, apps=apps
    )


def measured_slo(snap: StoreSnapshot) -> float | None:
    return max((s.slo_p95_ms for s in snap.summaries), default=None)


def report(
    apps: tuple[str, ...] | None = None,
) -> tuple[EstimateReport | None, EstimatorError | None]:
    """The estimate for the sidebar's settings, or why there is none."""
    snap = snapshot()
    path = results_path()
    try:
        wi = current_whatif(measured_slo(snap))
        return _report(
            str(path), signature(path), wi.model_dump_json(), baselines(snap), apps
        ), None
    except EstimatorError as exc:
        return None, exc


def no_report(exc: EstimatorError | None) -> None:
    """Say why there are no costs: a hint while an upload is awaited, else the error."""
    if isinstance(exc, whatif.UploadMissing):
        st.info(esc(exc.message), icon=":material/upload_file:")
    else:
        st.error(esc(exc.message) if exc else "no estimate", icon=":material/error:")


@st.cache_data(max_entries=8, ttl=TTL_S, show_spinner=False)
def _summaries(path: str, sig: str, slo_p95_ms: float | None) -> costs.Summaries:
    return costs.summaries_at(_snapshot(path, sig), slo_p95_ms)


def summaries() -> costs.Summaries:
    """The per-configuration summaries at the sidebar's SLO."""
    snap = snapshot()
    path = results_path()
    wi = current_whatif(measured_slo(snap))
    return _summaries(str(path), signature(path), wi.slo_p95_ms)


def inputs_caption(rep: EstimateReport) -> None:
    st.caption(esc(costs.inputs_line(rep)))
