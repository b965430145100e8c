from __future__ import annotations

import pytest

from estimator.load.search import LOWER_BOUND_WHY, lower_bound_why
from estimator.measure import RunResult
from estimator.views import fmt
from estimator.views.measured import (
    capacity_frame,
    latency_frame,
    measured_row,
    measured_rows,
    memory_frame,
)
from estimator.views.snapshot import StoreSnapshot


def test_capacity_per_cpu_divides_by_the_cpus_the_server_had(snap: StoreSnapshot) -> None:
    s = snap.summaries[0]
    row = measured_row(s)
    assert row.cpus == s.server_cpus == 1
    assert row.capacity_per_cpu.mean == pytest.approx(s.capacity_rps.mean / s.server_cpus)
    assert row.cpu_ms_per_request.mean == pytest.approx(s.cpu_s_per_request.mean * 1000)
    assert row.n == 2


def test_quota_runs_divide_by_the_quota(snap: StoreSnapshot) -> None:
    s = snap.summaries[0].model_copy(update={"quota_cpus": 0.5})
    assert measured_row(s).capacity_per_cpu.mean == pytest.approx(s.capacity_rps.mean * 2)


def test_filters_keep_only_matching_configurations(snap: StoreSnapshot) -> None:
    rows = measured_rows(snap.summaries, apps=["flask"], servers=["gunicorn-sync w1"])
    assert [(r.app, r.server) for r in rows] == [("flask", "gunicorn-sync w1")] * 2
    assert {r.variant for r in rows} == {"cpython-3.11", "cpython-3.13"}
    assert len(measured_rows(snap.summaries)) == 8


def test_lower_bounds_are_labelled_and_cis_start_at_zero(snap: StoreSnapshot) -> None:
    rows = measured_rows(snap.summaries)
    frame = capacity_frame(rows)
    bounded = [r for r in rows if r.lower_bound]
    assert bounded, "the recorded runs include max_steps (lower-bound) capacities"
    labels = dict(
        zip(
            frame["interpreter"] + frame["server config"] + frame["app"],
            frame["label"],
            strict=True,
        )
    )
    for r in bounded:
        assert labels[r.variant + r.server + r.app].startswith("≥ ")
    assert (frame["CI low"] >= 0).all()
    whys = set(frame[frame["measured as"] == "lower bound (≥)"]["why a lower bound"])
    # the recorded lower bounds: searches cut short by the time budget (both repetitions of
    # a configuration, or one of them)
    assert whys
    assert whys <= {*LOWER_BOUND_WHY.values(), lower_bound_why("mixed")}
    assert fmt.capacity(12.34, True) == "≥ 12.3"


def test_latency_percentiles_are_ordered_and_averaged(
    snap: StoreSnapshot, runs: list[RunResult]
) -> None:
    keys = [s.key for s in snap.summaries]
    frame = latency_frame(runs, keys)
    assert set(frame["percentile"]) == {"p50", "p90", "p95", "p99"}
    # every window at each run's lowest steady rate, over both repetitions
    lowest = {
        s.key: sum(
            1
            for r in runs
            if r.config_key == s.key
            for p in r.steady
            if p.load.target_rate == min(q.load.target_rate or 0.0 for q in r.steady)
        )
        for s in snap.summaries
    }
    for app, variant, server, count in zip(
        frame["app"], frame["interpreter"], frame["server config"], frame["windows"], strict=True
    ):
        assert count == lowest[f"{app} | {variant} | {server}"]
    for _, group in frame.groupby(["app", "interpreter", "server config"]):
        by = dict(zip(group["percentile"], group["ms"], strict=True))
        assert by["p50"] <= by["p90"] <= by["p95"] <= by["p99"]
    # p95 is the mean of the runs' p95 at their lowest steady rate: the summary's p95
    s = snap.summaries[0]
    row = frame[(frame["app"] == s.app) & (frame["interpreter"] == s.variant)]
    row = row[(row["server config"] == s.server.label) & (row["percentile"] == "p95")]
    assert row["ms"].item() == pytest.approx(s.p95_steady_ms.mean)
    assert latency_frame(runs, []).empty


def test_memory_frame_has_worker_and_shared_memory(snap: StoreSnapshot) -> None:
    frame = memory_frame(measured_rows(snap.summaries))
    assert len(frame) == 16
    assert set(frame["memory"]) == {"per worker (USS)", "shared (PSS − USS)"}
    assert (frame["MiB"] > 0).all()


def test_ci_text() -> None:
    from estimator.stats import Estimate

    assert fmt.ci(Estimate(mean=10, ci_low=-3, ci_high=23, n=2)) == "0.0–23.0 (n=2)"
    assert fmt.ci(Estimate(mean=10, ci_low=10, ci_high=10, n=1)) == "n=1, no CI"
