"""Every page of the dashboard on recorded results (streamlit.testing.v1.AppTest): no
exception, and the what-if widgets change the numbers shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from estimator.measure import RunResult
from estimator.store.runs import Store
from tests.dashboard.conftest import captions, goto, metrics, ok
from tests.fixtures import fixture_runs
from tests.fixtures.workers import workers_run
from tests.report.reports import markdown_plain


def _dollars(text: str) -> float:
    return float(text.lstrip("≤ ").lstrip("$").replace(",", "").split("/")[0])


def test_empty_store_says_how_to_measure(open_app: Callable[..., AppTest], tmp_path: Path) -> None:
    store = tmp_path / "results.sqlite"
    at = open_app(store)
    assert [t.value for t in at.title] == ["No results yet"]
    assert [c.value for c in at.code] == [
        f"estimator run quick --results {store}",
        f"estimator dashboard --results {store}",
    ]
    assert not store.exists()
    goto(at, "pricing")  # the catalog needs no results
    assert at.dataframe[0].value.shape[0] > 20


def test_a_store_without_usable_runs_lists_the_failures(
    open_app: Callable[..., AppTest], tmp_path: Path
) -> None:
    store = tmp_path / "results.sqlite"
    run = fixture_runs()[0]
    with Store(store) as s:
        s.save(run.model_copy(update={"status": "failed", "failure": "server crashed at start"}))
    at = open_app(store)
    assert at.title[0].value == "No configuration can be compared yet"
    assert "server crashed at start" in "\n".join(m.value for m in at.markdown)
    assert at.code[0].value.endswith("--force")


def test_an_unreadable_store_is_one_error_line(
    open_app: Callable[..., AppTest], tmp_path: Path
) -> None:
    store = tmp_path / "results.sqlite"
    store.write_text("this is not SQLite " * 200)
    at = open_app(store, check=False)
    assert not at.exception
    assert [markdown_plain(e.value) for e in at.error] == [
        f"results store '{store}' is not a readable SQLite database (file is not a database); "
        "pass another --results PATH"
    ]


def test_overview_names_the_cheapest_configuration_per_app(app: AppTest) -> None:
    assert app.title[0].value == "Which configuration is cheapest?"
    costs = metrics(app, "Monthly cost")
    assert len(costs) == 2  # flask and fastapi
    assert all(c.lstrip("≤ ").startswith("$") for c in costs)
    markdown = "\n".join(m.value for m in app.markdown)
    assert "#### fastapi" in markdown
    assert "#### flask" in markdown
    assert len(metrics(app, "Saving vs baseline")) == 2
    text = captions(app)
    assert "Traffic: peak 200 req/s" in text
    assert "catalog 20" in text  # the catalog's date
    assert "SLO p95 ≤ 100 ms" in text
    assert app.get("vega_lite_chart"), "the $/month chart"


def test_more_peak_traffic_costs_more(app: AppTest) -> None:
    before = [_dollars(c) for c in metrics(app, "Monthly cost")]
    ok(app.number_input(key="whatif_peak_rps").set_value(3000).run())
    after = [_dollars(c) for c in metrics(app, "Monthly cost")]
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
    assert "Traffic: peak 3,000 req/s" in captions(app)


def test_a_discount_and_redundancy_change_the_cost(app: AppTest) -> None:
    before = [_dollars(c) for c in metrics(app, "Monthly cost")]
    ok(app.number_input(key="whatif_discount_pct").set_value(50.0).run())
    half = [_dollars(c) for c in metrics(app, "Monthly cost")]
    for b, h in zip(before, half, strict=True):
        assert abs(h - b / 2) <= 0.01
    assert "50.0% discount" in captions(app)
    ok(app.number_input(key="whatif_redundancy").set_value(3).run())
    more = [_dollars(c) for c in metrics(app, "Monthly cost")]
    assert all(m > h for m, h in zip(more, half, strict=True))


def test_what_if_settings_are_kept_across_pages(app: AppTest) -> None:
    ok(app.number_input(key="whatif_peak_rps").set_value(1234).run())
    ok(app.selectbox(key="whatif_profile").set_value("diurnal").run())
    for page in ("compare", "export", "overview"):
        goto(app, page)
        assert app.number_input(key="whatif_peak_rps").value == 1234
        assert app.selectbox(key="whatif_profile").value == "diurnal"
        assert "Traffic: peak 1,234 req/s, profile 'diurnal'" in captions(app), page


def test_an_uploaded_profile_drives_the_estimate(app: AppTest) -> None:
    ok(app.selectbox(key="whatif_profile").set_value("uploaded file").run())
    rates = [50.0] * 8 + [100.0] * 16
    app.file_uploader(key="whatif_upload").upload(
        "lb.json", json.dumps(rates).encode(), "application/json"
    )
    ok(app.run())
    assert "uploaded lb.json scaled to a 200 req/s peak" in captions(app)


def test_a_bad_upload_is_explained_in_the_sidebar(app: AppTest) -> None:
    ok(app.selectbox(key="whatif_profile").set_value("uploaded file").run())
    app.file_uploader(key="whatif_upload").upload("day.csv", b"1\n2\n", "text/csv")
    app.run()
    assert not app.exception
    errors = [e.value for e in app.sidebar.error]
    assert errors == ["traffic file 'day.csv': 2 rates; need 24, one per hour"]


def test_compare_table_filters_and_significance(app: AppTest) -> None:
    goto(app, "compare")
    table = app.dataframe[0].value
    assert len(table) == 8
    assert {"$/month", "capacity (req/s per CPU)", "p95 at steady load (ms)"} <= set(table.columns)
    assert table["capacity (req/s per CPU)"].str.startswith("≥").any()  # lower bounds marked
    ok(app.multiselect(key="compare_apps").set_value(["flask"]).run())
    table = app.dataframe[0].value
    assert set(table["app"]) == {"flask"}
    assert len(table) == 4
    pair = [
        "flask | cpython-3.11 | gunicorn-sync w1",
        "flask | cpython-3.13 | gunicorn-sync w1",
    ]
    ok(app.multiselect(key="compare_pair").set_value(pair).run())
    diff = app.dataframe[1].value
    assert diff["metric"].iloc[0] == "capacity (SLO-limited throughput)"
    assert set(diff["significant"]) <= {"yes", "no", "—"}
    assert "A = flask | cpython-3.11 | gunicorn-sync w1" in captions(app)


def test_a_stricter_slo_lowers_the_measured_capacities(app: AppTest) -> None:
    goto(app, "compare")
    before = app.dataframe[0].value.set_index(["app", "interpreter", "server config"])
    ok(app.number_input(key="whatif_slo_p95_ms").set_value(80.0).run())
    after = app.dataframe[0].value.set_index(["app", "interpreter", "server config"])
    assert "re-read at the what-if SLO p95 ≤ 80 ms" in captions(app)
    col = "capacity (req/s per CPU)"
    changed = [k for k in after.index if after.loc[k, col] != before.loc[k, col]]
    assert changed, "a stricter SLO must change some capacity"
    assert "SLO p95 ≤ 80 ms" in captions(app)


def _capacity(at: AppTest) -> str:
    (value,) = [m.value for m in at.metric if m.label.startswith("Capacity, req/s")]
    return value


def test_run_detail_switches_runs(app: AppTest) -> None:
    goto(app, "run_detail")
    assert app.title[0].value == "Run detail"
    box = app.selectbox(key="detail_run")
    assert len(box.options) == 16
    runs = {r.id: r for r in fixture_runs()}
    newest = max(runs.values(), key=lambda r: r.started_at)
    assert box.value == newest.id  # the newest successful run first
    assert newest.capacity is not None
    assert _capacity(app).lstrip("≥ ") == f"{newest.capacity.capacity_rps:,.1f}"
    other = next(
        r
        for r in runs.values()
        if r.capacity is not None
        and newest.capacity is not None
        and round(r.capacity.capacity_rps or 0, 1) != round(newest.capacity.capacity_rps or 0, 1)
    )
    ok(box.set_value(other.id).run())
    assert other.capacity is not None
    assert _capacity(app).lstrip("≥ ") == f"{other.capacity.capacity_rps:,.1f}"
    assert len(app.get("vega_lite_chart")) == 5  # throughput, p95, CPU, memory, generator
    assert app.dataframe[0].value["phase"].tolist() == [p.load.name for p in other.phases]
    assert f"Warm-up: {'converged' if other.warmup and other.warmup.converged else 'did not'}" in (
        captions(app)
    )


def test_run_detail_flags_generator_bound_runs(
    open_app: Callable[..., AppTest], tmp_path: Path
) -> None:
    store = tmp_path / "results.sqlite"
    run = fixture_runs()[0]
    phases = list(run.phases)
    # the recorded runs never saturated the generator: mark the last step as if it had
    phases[-1] = phases[-1].model_copy(update={"generator_bound": True})
    with Store(store) as s:
        s.save(run.model_copy(update={"phases": phases}))
    at = goto(open_app(store), "run_detail")
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"Generator-bound in {phases[-1].load.name}")
    assert metrics(at, "Generator-bound") == ["yes"]


def test_run_detail_shows_how_evenly_the_workers_shared_the_work(
    open_app: Callable[..., AppTest], tmp_path: Path
) -> None:
    store = tmp_path / "results.sqlite"
    with Store(store) as s:
        s.save(workers_run())
    at = goto(open_app(store), "run_detail")
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1
    assert "unevenly used" in warnings[0]
    assert warnings[0].startswith("workers: 3.0")
    assert any("load connections: one per simulated user" in m.value for m in at.markdown)
    workers = at.dataframe[0].value
    assert len(workers) == 9
    assert workers["kept-alive connections at the end"].tolist()[:3] == [14, 12, 10]
    assert "busy workers" in at.dataframe[1].value.columns


def test_pricing_filters(app: AppTest) -> None:
    goto(app, "pricing")
    region_only = app.dataframe[0].value
    assert set(region_only["region"]) == {"us-east-1"}
    ok(app.toggle(key="pricing_all").set_value(True).run())
    everything = app.dataframe[0].value
    assert len(everything) > len(region_only)
    assert len(set(everything["region"])) > 1
    ok(app.text_input(key="pricing_name").input("c7g").run())
    assert all("c7g" in t for t in app.dataframe[0].value["type"])
    ok(app.radio(key="whatif_arch").set_value("arm64").run())
    ok(app.toggle(key="pricing_all").set_value(False).run())
    assert set(app.dataframe[0].value["arch"]) == {"arm64"}


def test_export_offers_every_format(app: AppTest) -> None:
    goto(app, "export")
    labels = [b.label for b in app.download_button]
    assert labels == ["Download CSV", "Download JSON", "Download Markdown", "Download HTML"]
    assert "Traffic: peak 200 req/s" in captions(app)
    ok(app.multiselect(key="export_apps").set_value(["flask"]).run())
    assert "8 configurations" not in captions(app)
    assert "4 configurations, 1 apps priced." in captions(app)


def test_choosing_upload_asks_for_a_file_before_any_figure(app: AppTest) -> None:
    ok(app.selectbox(key="whatif_profile").set_value("uploaded file").run())
    assert [i.value for i in app.info] == [
        "hourly profile 'uploaded file': upload a traffic file in the sidebar (24 hourly "
        "rates, .json or .csv) to see the estimate"
    ]
    assert metrics(app, "Monthly cost") == []


def test_the_overview_shows_intervals_tie_groups_and_the_rule(app: AppTest) -> None:
    text = captions(app)
    assert text.count("95% range: ") == 2
    assert "Tied within noise" in text
    assert "tie rule: configurations whose $/month intervals overlap" in text
    markdown = "\n".join(m.value for m in app.markdown)
    goto(app, "compare")
    table = app.dataframe[0].value
    assert {"95% range", "tie group"} <= set(table.columns)
    # one line per tie group of two or more configurations, as the table groups them
    tied = {
        (a, g.split(" ")[0], g.split("tied: ")[1].rstrip(")"))
        for a, g in zip(table["app"], table["tie group"], strict=True)
        if isinstance(g, str) and "tied: " in g
    }
    assert tied, "the recorded runs include configurations tied within noise"
    for _, group, size in tied:
        assert markdown.count(f"tied within noise (group {group}, {size} configurations)") >= 1
    assert markdown.count("tied within noise (group ") == len(tied)


def test_the_overview_says_why(app: AppTest) -> None:
    whys = [c.value for c in app.caption if c.value.startswith("**Why:**")]
    assert len(whys) == 2
    assert all("CPU-ms per request" in w and "binds" in w for w in whys)


def test_picking_a_baseline_changes_the_saving(app: AppTest) -> None:
    before = metrics(app, "Saving vs baseline")
    ok(
        app.selectbox(key="whatif_baseline_flask")
        .set_value("flask | cpython-3.13 | gunicorn-sync w1")
        .run()
    )
    after = metrics(app, "Saving vs baseline")
    # each app's cheapest against its baseline: an interval, or no measurable difference
    for saving in [*before, *after]:
        assert saving == "no measurable difference" or saving.startswith(("saves ", "costs "))
    assert before[0] == after[0]  # fastapi's baseline did not change
    assert "baseline cpython-3.13 | gunicorn-sync w1" in captions(app)
    goto(app, "compare")
    table = app.dataframe[0].value
    picked = table[table["server config"] == "gunicorn-sync w1"]
    flask = picked[(picked["app"] == "flask") & (picked["interpreter"] == "cpython-3.13")]
    assert list(flask["vs baseline"]) == ["baseline"]


def test_the_empty_store_sidebar_has_only_the_price_settings(
    open_app: Callable[..., AppTest], tmp_path: Path
) -> None:
    at = open_app(tmp_path / "results.sqlite")
    keys = {w.key for w in at.sidebar.number_input} | {w.key for w in at.sidebar.selectbox}
    assert "whatif_peak_rps" not in keys
    assert {"whatif_region", "whatif_discount_pct"} <= keys


def test_run_detail_of_a_failed_run(open_app: Callable[..., AppTest], tmp_path: Path) -> None:
    store = tmp_path / "results.sqlite"
    runs = fixture_runs()
    failed = runs[1].model_copy(
        update={
            "id": "f0000000dead",
            "status": "failed",
            "failure": "server exited at start-up (exit code 3)",
            "phases": [],
            "capacity": None,
            "resources": [],
            "started_at": runs[-1].started_at + 60,
        }
    )
    with Store(store) as s:
        s.save(runs[0])
        s.save(failed)
    at = goto(open_app(store), "run_detail")
    box = at.selectbox(key="detail_run")
    assert box.format_func(failed.id).endswith("f0000000 (failed)")
    box.set_value(failed.id).run()
    assert not at.exception
    assert [markdown_plain(e.value) for e in at.error] == [
        "This run failed: server exited at start-up (exit code 3)"
    ]
    assert [i.value for i in at.info] == [
        "This run recorded no time series (it stopped before load started)."
    ]
    assert _capacity(at) == "—"


def _one_of_each(run: RunResult) -> RunResult:
    """The run cut to one window of each kind and its capacity's best step: the measured
    figures have n = 1 (what one repetition gave before measurements came in rounds), the
    capacity's range n = 2 (that step and the steady window)."""
    kept, seen = [], set()
    for p in run.phases:
        if p.load.kind == "warmup" or p.load.kind not in seen:
            kept.append(p)
            seen.add(p.load.kind)
    cap = run.capacity
    assert cap is not None
    best = [s for s in cap.steps if s.achieved_rps == cap.capacity_rps][:1]
    return run.model_copy(
        update={"phases": kept, "capacity": cap.model_copy(update={"steps": best})}
    )


def test_every_page_with_one_repetition_and_one_configuration_per_app(
    open_app: Callable[..., AppTest], tmp_path: Path
) -> None:
    store = tmp_path / "results.sqlite"
    with Store(store) as s:
        for run in fixture_runs():
            cell = run.cell
            if (cell.repetition, cell.server.kind, cell.variant) == (
                0,
                "gunicorn-sync",
                "cpython-3.11",
            ):
                s.save(_one_of_each(run))
    at = open_app(store)
    assert metrics(at, "Saving vs baseline") == ["baseline", "baseline"]  # each app's only one
    # one repetition: the $/month interval is unknown, never zero width
    assert captions(at).count("95% range: unknown: one measurement") == 2
    goto(at, "compare")
    table = at.dataframe[0].value
    # the capacity's range comes from the search: its one step and the one steady window
    assert all(v.endswith("(n=2)") for v in table["capacity 95% CI"])
    assert set(table["vs baseline"]) == {"baseline"}
    ok(at.multiselect(key="compare_apps").set_value([]).run())
    ok(
        at.multiselect(key="compare_pair")
        .set_value(
            ["fastapi | cpython-3.11 | gunicorn-sync w1", "flask | cpython-3.11 | gunicorn-sync w1"]
        )
        .run()
    )
    assert set(at.dataframe[1].value["significant"]) <= {"can't tell (n < 2)", "—"}
    for page in ("run_detail", "pricing", "export", "overview"):
        goto(at, page)
