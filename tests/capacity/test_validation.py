"""Predicting held-out runs by hand. Fitted: sync, 1 worker, 1 CPU, D = 4 ms, S = 5 ms,
X_max = 150 → ρ_SLO = 150 ÷ min(250, 200) = 0.75."""

from __future__ import annotations

import pytest

from estimator.capacity import Assumptions, predict_measured, predict_saturation, validation_table
from tests.capacity.factory import est, summary

FITTED = summary(key="sync w1")


def test_another_worker_count() -> None:
    held = summary(key="sync w2", workers=2, x_max=est(180.0, 170.0, 190.0))
    row = predict_measured(FITTED, held)
    # 2 workers × 200/s = 400 > 1 CPU ÷ 4 ms = 250: the CPU saturates; × 0.75 = 187.5
    assert row.predicted_rps == pytest.approx(187.5)
    assert row.binding == "cpu"
    assert row.error_pct == pytest.approx((187.5 - 180) / 180 * 100)  # +4.17%
    assert row.within_ci
    assert row.differs_in == "server gunicorn-sync w1 → gunicorn-sync w2"


def test_half_cpu_quota() -> None:
    held = summary(key="sync w1 q0.5", quota=0.5, x_max=est(63.0, 60.0, 66.0))
    row = predict_measured(FITTED, held)
    # 0.5 CPU × efficiency 0.84 × 0.75 ÷ 4 ms = 78.75
    assert row.predicted_rps == pytest.approx(78.75)
    assert row.error_pct == pytest.approx((78.75 - 63) / 63 * 100)
    assert not row.within_ci
    assert "quota none → 0.5" in row.differs_in


def test_upstream_endpoint_sync_to_gthread() -> None:
    fitted = summary(key="upstream sync", d_ms=2.0, s_ms=22.0, x_max=40.0)  # ρ = 0.88
    held = summary(
        key="upstream gthread",
        kind="gunicorn-gthread",
        threads=4,
        d_ms=2.1,
        s_ms=22.5,
        x_max=150.0,
    )
    row = predict_measured(fitted, held)
    # 4 slots ÷ 22 ms × 0.88 = 160 (the CPU would allow 500 × 0.88 = 440)
    assert row.predicted_rps == pytest.approx(160.0)
    assert row.binding == "concurrency"
    assert row.error_pct == pytest.approx(10 / 150 * 100)


def test_table_and_lower_bound_flag() -> None:
    held = [summary(key="b", workers=2, x_max=200.0, lower_bound=True), summary(key="c")]
    rows = validation_table(FITTED, held, Assumptions())
    assert [r.held_out_key for r in rows] == ["b", "c"]
    assert rows[0].measured_lower_bound
    assert rows[1].predicted_rps == pytest.approx(150.0)  # a repeat predicts itself
    assert rows[1].differs_in == "nothing (a repeat)"


def test_validation_uses_the_cost_window_d_that_pricing_uses() -> None:
    # defect: validation swapped in D at the capacity step while pricing uses the cost
    # windows' D. Fitted: cost-window D = 4 ms, D at the capacity step 3 ms, at half load 5 ms.
    fitted = FITTED.model_copy(
        update={"cpu_s_per_request_at_capacity": est(0.003), "cpu_s_per_request_steady": est(0.005)}
    )
    held = summary(key="sync w2", workers=2, x_max=est(180.0, 170.0, 190.0))
    row = predict_measured(fitted, held)
    assert row.d_source == "cost windows"
    assert row.predicted_rps == pytest.approx(187.5)  # as with no other D at all
    # on request, the capacity-step D: rho = 150 / min(333.3, 200) = 0.75; 0.75 x 333.3 = 250
    step = predict_measured(fitted, held, d_source="capacity step")
    assert step.predicted_rps == pytest.approx(250.0)
    # the half-load D: rho = 150 / min(200, 200) = 0.75; 0.75 x min(200, 200) = 150
    steady = predict_measured(fitted, held, d_source="steady")
    assert steady.predicted_rps == pytest.approx(150.0)
    assert steady.notes[0].startswith("D at the fitted run's lowest steady rate (5 ms)")


def test_validation_reports_the_rate_pricing_plans_for() -> None:
    # defect: validation used u = rho; pricing plans u = min(0.65, rho). On 2 workers / 1 CPU
    # the limit at u = 1 is 250 req/s: planned 0.65 x 250 = 162.5 <= the measured CI low 170
    held = summary(key="sync w2", workers=2, x_max=est(180.0, 170.0, 190.0))
    row = predict_measured(FITTED, held)
    assert row.planned_utilization == pytest.approx(0.65)
    assert row.planned_rps == pytest.approx(162.5)
    assert row.planned_within_measured
    tight = predict_measured(FITTED, held.model_copy(update={"capacity_rps": est(160, 150, 170)}))
    assert tight.planned_within_measured is False
    once = predict_measured(FITTED, held.model_copy(update={"capacity_rps": est(160.0)}))
    assert once.planned_within_measured is None  # one repetition: can't tell
    assert not once.within_ci


def test_validation_reports_an_uncapped_contradictory_rho() -> None:
    fitted = summary(key="fast", x_max=260.0)  # X_sat 200 req/s: rho = 1.3
    row = predict_measured(fitted, summary(key="again", x_max=260.0))
    assert row.slo_utilization == pytest.approx(1.3)
    assert row.predicted_rps == pytest.approx(260.0)
    assert any(n.startswith("contradiction:") for n in row.notes)


def test_validation_row_names_the_arrival_process() -> None:
    held = summary(key="w2", workers=2).model_copy(update={"arrivals": "poisson"})
    assert predict_measured(FITTED, held).arrivals == "poisson"


def test_saturation_prediction_counts_the_busy_workers() -> None:
    s = summary(
        kind="gunicorn-gthread",
        workers=9,
        threads=1,
        d_ms=0.5,
        s_ms=52.0,
        x_max=57.0,
        busy_workers=est(3.0, 2.7, 3.3),
        uneven=True,
    )
    p = predict_saturation(s)
    # min(1 CPU ÷ 0.5 ms = 2000, 9 × 3/9 × 1 ÷ 52 ms = 57.7)
    assert p.predicted_rps == pytest.approx(3 / 0.052)
    assert p.balanced_rps == pytest.approx(9 / 0.052)
    assert (p.binding, p.uneven) == ("concurrency", True)
    assert p.busy_fraction == pytest.approx(1 / 3)
    cpu_bound = predict_saturation(summary(workers=4, d_ms=4.0, s_ms=5.0, x_max=240.0))
    assert cpu_bound.predicted_rps == pytest.approx(250.0)  # 1 CPU ÷ 4 ms < 4 ÷ 5 ms
    assert (cpu_bound.binding, cpu_bound.busy_fraction) == ("cpu", 1.0)
