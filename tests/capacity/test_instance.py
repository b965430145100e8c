"""Hand-computed capacities. Defaults of the factory: sync, 1 worker on 1 CPU, D = 4 ms,
S = 5 ms, X_max = 150 req/s, M_w = 30 MiB, M_0 = 20 MiB. Assumptions: u = 0.65, SMT yield
0.25, memory headroom 10%, OS reserve 0.5 GiB + 5%."""

from __future__ import annotations

import pytest

from estimator.capacity import (
    Assumptions,
    HardwareShape,
    InstanceCapacity,
    MeasuredInputs,
    instance_capacity,
)
from estimator.capacity.errors import CapacityError
from tests.capacity.factory import est, summary

M6I_L = HardwareShape.ec2("m6i.large", 2, 8, "x86_64", "intel")  # 1 core, HT
M6I_XL = HardwareShape.ec2("m6i.xlarge", 4, 16, "x86_64", "intel")  # 2 cores, HT
M7G_XL = HardwareShape.ec2("m7g.xlarge", 4, 16, "arm64", "aws")  # 4 Graviton cores
M7A_XL = HardwareShape.ec2("m7a.xlarge", 4, 16, "x86_64", "amd")  # 4 cores, no SMT
C7G_XL_8G = HardwareShape.ec2("c7g.xlarge", 4, 8, "arm64", "aws")
T3_L = HardwareShape.ec2("t3.large", 2, 8, "x86_64", "intel")


def limit(c: InstanceCapacity, name: str) -> float | None:
    return next(lim.rps for lim in c.limits if lim.name == name)


def test_cpu_binds_on_a_hyperthreaded_instance() -> None:
    c = instance_capacity(summary(), M6I_L)
    # ρ_SLO = 150 ÷ min(1 CPU ÷ 4 ms = 250, 1 worker × 1 slot ÷ 5 ms = 200) = 0.75 > 0.65
    assert c.slo_utilization == pytest.approx(0.75)
    assert (c.utilization, c.utilization_source) == (0.65, "target")
    # V_eff = 1 core + 0.25 × 1 extra thread = 1.25; X_cpu = 1.25 × 0.65 ÷ 4 ms
    assert c.cores_equivalent == pytest.approx(1.25)
    assert limit(c, "cpu") == pytest.approx(203.125)
    # per-cpu rule: 1 worker per measured CPU × 2 vCPUs = 2; X_conc = 2 × (1 ÷ 5 ms) × 0.65
    assert (c.workers_rule, c.workers) == (2, 2)
    assert limit(c, "concurrency") == pytest.approx(260.0)
    # (8 GiB − 0.9 GiB) = 7270.4 MiB; (7270.4 − 22) ÷ 33 = 219.6 → 219 fit: not limiting
    assert c.workers_fit == 219
    assert limit(c, "memory") is None
    assert (c.fits, c.binding) == (True, "cpu")
    assert c.capacity_rps.value == pytest.approx(203.125)
    assert c.verdict == "203.1 req/s (cpu binds)"
    assert c.slots == 2
    assert c.memory_needed_gib == pytest.approx((22 + 2 * 33) / 1024)
    assert c.memory_available_gib == pytest.approx(7.1)


def test_concurrency_binds_for_sync_workers_waiting_on_upstream() -> None:
    # D = 2 ms, S = 22 ms (20 ms upstream wait): one sync worker holds 1 ÷ 22 ms = 45.45/s
    s = summary(d_ms=2.0, s_ms=22.0, x_max=40.0)
    c = instance_capacity(s, M6I_L)
    assert c.slo_utilization == pytest.approx(40 / (1 / 0.022))  # 0.88
    assert limit(c, "cpu") == pytest.approx(1.25 * 0.65 / 0.002)  # 406.25
    assert limit(c, "concurrency") == pytest.approx(2 / 0.022 * 0.65)  # 59.09
    assert c.binding == "concurrency"
    assert "Little's law" in next(lim.formula for lim in c.limits if lim.name == "concurrency")


def test_gthread_threads_lift_the_concurrency_limit_fourfold() -> None:
    sync = instance_capacity(summary(d_ms=2.0, s_ms=22.0, x_max=40.0), M6I_L)
    gthread = summary(kind="gunicorn-gthread", threads=4, d_ms=2.0, s_ms=22.0, x_max=150.0)
    c = instance_capacity(gthread, M6I_L)
    # ρ = 150 ÷ (4 ÷ 22 ms = 181.8) = 0.825 → u 0.65; X_conc = 2 workers × 4 ÷ 22 ms × 0.65
    assert limit(c, "concurrency") == pytest.approx(2 * 4 / 0.022 * 0.65)  # 236.36
    assert c.slots == 8
    assert c.binding == "concurrency"
    assert c.capacity_rps.value == pytest.approx(4 * sync.capacity_rps.value)


def test_memory_binds_when_fewer_workers_fit_than_the_rule_wants() -> None:
    # M_w = 2000 → 2200 MiB with headroom; M_0 = 200 → 220. c7g.xlarge with 8 GiB:
    # 8 − (0.5 + 0.4) = 7.1 GiB = 7270.4 MiB; (7270.4 − 220) ÷ 2200 = 3.2 → 3 workers of 4
    c = instance_capacity(summary(m_w=2000.0, m_0=200.0), C7G_XL_8G)
    assert (c.workers_rule, c.workers_fit, c.workers) == (4, 3, 3)
    assert limit(c, "cpu") == pytest.approx(4 * 0.65 / 0.004)  # 650
    assert limit(c, "concurrency") == pytest.approx(4 * 200 * 0.65)  # 520
    assert limit(c, "memory") == pytest.approx(3 * 200 * 0.65)  # 390
    assert c.binding == "memory"
    assert c.capacity_rps.value == pytest.approx(390.0)


def test_nothing_fits_is_reported_not_divided_by() -> None:
    c = instance_capacity(summary(m_w=8000.0), C7G_XL_8G)  # 8800 MiB > 7248 free
    assert (c.fits, c.workers, c.binding) == (False, 0, "memory")
    assert c.capacity_rps.value == 0.0
    assert c.verdict == "does not fit"
    assert any(n.startswith("does not fit") for n in c.notes)
    tiny = HardwareShape.ec2("t3.nano", 2, 0.5, "x86_64", "intel")  # reserve 0.525 > 0.5 GiB
    assert instance_capacity(summary(), tiny).fits is False


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        (M6I_XL, 2.5 * 0.65 / 0.004),  # 2 cores + 0.25 × 2 threads = 2.5 → 406.25
        (M7G_XL, 4 * 0.65 / 0.004),  # 4 Graviton cores → 650
        (M7A_XL, 4 * 0.65 / 0.004),  # m7a: 4 cores, no SMT → 650
    ],
)
def test_hyperthreading_vs_graviton_vs_m7a(shape: HardwareShape, expected: float) -> None:
    # async: no slot limit; X_max = 200 so ρ = 200 ÷ 250 = 0.8 does not cap u
    s = summary(kind="uvicorn", x_max=200.0)
    c = instance_capacity(s, shape)
    assert c.slots is None
    assert limit(c, "cpu") == pytest.approx(expected)
    # 4 workers, each at most one CPU (the GIL): 4 × 250 × 0.65 = 650
    assert limit(c, "concurrency") == pytest.approx(650.0)
    assert c.capacity_rps.value == pytest.approx(expected)
    assert c.binding == "cpu"


def test_async_with_one_worker_is_held_to_one_cpu() -> None:
    a = Assumptions(workers_rule="fixed", workers_fixed=1)
    c = instance_capacity(summary(kind="uvicorn", x_max=200.0), M7G_XL, a)
    assert c.binding == "concurrency"
    assert c.capacity_rps.value == pytest.approx(250 * 0.65)


def test_cpu_speed_factor_per_family() -> None:
    s = summary(kind="uvicorn", x_max=200.0)
    a = Assumptions(cpu_speed_overrides={"m7g": 0.8})
    c = instance_capacity(s, M7G_XL, a)
    # D on m7g = 4 ms ÷ 0.8 = 5 ms: X_cpu = 4 × 0.65 ÷ 5 ms = 520, X_conc = 4 × 200 × 0.65
    assert (c.cpu_speed, c.cpu_speed_key) == (0.8, "m7g")
    assert c.capacity_rps.value == pytest.approx(520.0)
    assert instance_capacity(s, M7A_XL, a).cpu_speed_key == "default"


def test_faster_cpu_shortens_only_the_cpu_part_of_the_service_time() -> None:
    c = instance_capacity(summary(), M6I_L, Assumptions(cpu_speed=1.25))
    # D' = 3.2 ms; S' = 1 ms wait + 3.2 ms = 4.2 ms
    assert c.service_time_ms == pytest.approx(4.2)
    assert limit(c, "cpu") == pytest.approx(1.25 * 0.65 / 0.0032)  # 253.9
    assert limit(c, "concurrency") == pytest.approx(2 / 0.0042 * 0.65)  # 309.5


def test_measured_on_hyperthreads_converts_to_full_cores() -> None:
    c = instance_capacity(summary(threads_per_core=2), M6I_L)
    # the host CPU was a busy hyperthread: 0.625 of a core → D = 2.5 core-ms
    assert limit(c, "cpu") == pytest.approx(1.25 * 0.65 / 0.0025)  # 325


def test_slo_limited_utilisation_caps_the_target() -> None:
    # X_max = 100: ρ = 100 ÷ 200 = 0.5 < 0.65 → plan at 0.5
    c = instance_capacity(summary(x_max=100.0), M6I_L)
    assert (c.utilization, c.utilization_source) == (0.5, "slo")
    assert c.capacity_rps.value == pytest.approx(1.25 * 0.5 / 0.004)  # 156.25
    uncapped = instance_capacity(
        summary(x_max=100.0), M6I_L, Assumptions(slo_caps_utilization=False)
    )
    assert uncapped.capacity_rps.value == pytest.approx(203.125)


def test_lower_bound_carried_when_the_generator_bound_run_sets_the_utilisation() -> None:
    bound = instance_capacity(summary(x_max=100.0, lower_bound=True), M6I_L)
    assert (bound.lower_bound, bound.measured_lower_bound) == (True, True)
    assert bound.verdict.startswith("≥ ")
    # ρ = 0.75 > u: the generator bound does not change the figure
    unaffected = instance_capacity(summary(lower_bound=True), M6I_L)
    assert (unaffected.lower_bound, unaffected.measured_lower_bound) == (False, True)
    assert instance_capacity(summary(), M6I_L).measured_lower_bound is False


def test_burstable_types_are_planned_at_their_baseline() -> None:
    c = instance_capacity(summary(), T3_L)  # baseline 30% per vCPU
    assert c.cpu_utilization == 0.30
    assert c.capacity_rps.value == pytest.approx(1.25 * 0.30 / 0.004)  # 93.75
    unlimited = instance_capacity(summary(), T3_L, Assumptions(burstable_mode="unlimited"))
    assert unlimited.capacity_rps.value == pytest.approx(203.125)


@pytest.mark.parametrize(
    ("assumptions", "workers"),
    [
        (Assumptions(workers_rule="gunicorn"), 9),  # 2 × 4 + 1
        (Assumptions(workers_rule="fixed", workers_fixed=3), 3),
        (Assumptions(), 4),
    ],
)
def test_workers_rules(assumptions: Assumptions, workers: int) -> None:
    assert instance_capacity(summary(), M6I_XL, assumptions).workers_rule == workers


def test_per_cpu_rule_scales_the_measured_ratio() -> None:
    s = summary(workers=3, server_cpus=2, x_max=400)
    assert instance_capacity(s, M6I_XL).workers_rule == 6  # 3 ÷ 2 × 4


def test_capacity_spread_comes_from_the_inputs_cis() -> None:
    s = summary(d_ms=est(4.0, 3.8, 4.2))
    c = instance_capacity(s, M6I_L)
    assert c.capacity_rps.low == pytest.approx(1.25 * 0.65 / 0.0042)  # 193.45
    assert c.capacity_rps.high == pytest.approx(1.25 * 0.65 / 0.0038)  # 213.82
    assert c.capacity_rps.value == pytest.approx(203.125)


def test_a_ci_reaching_zero_is_evaluated_at_its_limit_not_at_the_mean() -> None:
    # defect: a CI low end <= 0 was replaced by the mean, so the high end collapsed to the
    # central 203.1 req/s. As D -> 0 the CPU limit vanishes and concurrency binds:
    # 2 workers x 1 slot / 5 ms x 0.65 = 260 req/s.
    s = summary(d_ms=est(4.0, -1.0, 9.0))
    c = instance_capacity(s, M6I_L)
    assert c.capacity_rps.known
    assert c.capacity_rps.high == pytest.approx(260.0)
    assert c.capacity_rps.low is not None
    assert c.capacity_rps.low < c.capacity_rps.value


def test_an_x_max_ci_reaching_zero_leaves_no_finite_low_end() -> None:
    # X_max -> 0 takes the SLO-limited utilisation, and the capacity, to 0
    c = instance_capacity(summary(x_max=est(150.0, -20.0, 320.0)), M6I_L)
    assert c.capacity_rps.low == 0.0
    assert c.capacity_rps.value == pytest.approx(203.125)


def test_an_async_d_ci_reaching_zero_has_no_upper_end() -> None:
    s = summary(kind="uvicorn", d_ms=est(4.0, -1.0, 9.0), x_max=est(150.0, 140.0, 160.0))
    c = instance_capacity(s, M6I_L, Assumptions(slo_caps_utilization=False))
    assert c.capacity_rps.known
    assert c.capacity_rps.high is None
    assert "no upper end" in "\n".join(c.notes)


def test_one_repetition_has_an_unknown_spread_never_a_zero_width_one() -> None:
    c = instance_capacity(summary(), M6I_L)  # n = 1
    assert not c.capacity_rps.known
    assert (c.capacity_rps.low, c.capacity_rps.high) == (None, None)
    assert any("single repetition" in n for n in c.notes)


def test_a_lower_bound_capacity_has_no_upper_end() -> None:
    c = instance_capacity(summary(x_max=est(100.0, 95.0, 105.0), lower_bound=True), M6I_L)
    assert c.lower_bound
    assert c.capacity_rps.high is None
    assert c.capacity_rps.low is not None
    assert c.capacity_rps.low > 0


def test_wider_confidence_widens_the_spread_monotonically() -> None:
    s = summary(d_ms=est(4.0, 3.8, 4.2))
    inputs = MeasuredInputs.from_summary(s)
    c95 = instance_capacity(inputs, M6I_L)
    c99 = instance_capacity(inputs.at_confidence(0.99), M6I_L)
    lo95, hi95, lo99, hi99 = (
        c95.capacity_rps.low,
        c95.capacity_rps.high,
        c99.capacity_rps.low,
        c99.capacity_rps.high,
    )
    assert lo95 is not None
    assert hi95 is not None
    assert lo99 is not None
    assert hi99 is not None
    assert lo99 < lo95 < c95.capacity_rps.value < hi95 < hi99
    assert "99% CIs" in "\n".join(c99.notes)


def test_measured_capacity_above_what_d_and_s_allow_is_reported_not_capped() -> None:
    # defect: rho_SLO was capped at 1 silently. X_sat = min(1 / 4 ms, 1 / 5 ms) = 200 req/s;
    # a measured X_max of 260 req/s contradicts D and S.
    c = instance_capacity(summary(x_max=260.0), M6I_L)
    assert c.slo_utilization == pytest.approx(1.3)
    assert (c.utilization, c.utilization_source) == (0.65, "target")
    assert any(n.startswith("contradiction:") and "1.3 > 1" in n for n in c.notes)
    assert not any("contradiction" in n for n in instance_capacity(summary(), M6I_L).notes)


def test_result_round_trips_through_json_and_explains_itself() -> None:
    c = instance_capacity(summary(warnings=["short run"]), M6I_L)
    again = InstanceCapacity.model_validate_json(c.model_dump_json())
    assert again == c
    text = "\n".join(c.notes)
    assert "D = 4 ms" in text
    assert "utilisation = min(target 0.65" in text
    assert "measurement warning: short run" in text


def test_measured_inputs_reject_unusable_summaries() -> None:
    with pytest.raises(CapacityError, match=r"cpu_s_per_request = 0\.0"):
        MeasuredInputs.from_summary(summary(d_ms=0.0))
    with pytest.raises(CapacityError, match="worker_uss_mb"):
        MeasuredInputs.from_summary(summary(m_w=0.0))
    inputs = MeasuredInputs.from_summary(summary())
    assert instance_capacity(inputs, M6I_L).capacity_rps.value == pytest.approx(203.125)


def _nine_single_thread_workers(
    busy: float | None, *, x_max: float, uneven: bool
) -> InstanceCapacity:
    """/upstream-like: D = 0.5 ms, S = 52 ms, gthread 9 × 1 on 1 CPU."""
    s = summary(
        kind="gunicorn-gthread",
        workers=9,
        threads=1,
        d_ms=est(0.5, 0.5, 0.5),  # n = 3, no spread: the busy workers' CI alone shows
        s_ms=52.0,
        x_max=x_max,
        busy_workers=None if busy is None else est(busy, busy - 0.3, busy + 0.3),
        uneven=uneven,
    )
    return instance_capacity(s, M6I_L)


def test_the_concurrency_limit_counts_the_busy_workers_measured() -> None:
    c = _nine_single_thread_workers(3.0, x_max=57.0, uneven=True)
    f = 3.0 / 9
    # ρ_SLO = 57 ÷ (9 workers × f × 1 ÷ 52 ms = 57.69) = 0.988: the host was saturated, not
    # SLO-limited; planned at the target 0.65
    assert c.slo_utilization == pytest.approx(57 / (9 * f / 0.052))
    assert c.utilization == 0.65
    # per-cpu rule: 9 workers per measured CPU × 2 vCPUs = 18; busy f of them
    assert c.workers_rule == 18
    assert limit(c, "concurrency") == pytest.approx(18 * f / 0.052 * 0.65)  # 75.0
    assert c.busy_fraction == pytest.approx(f)
    formula = next(lim.formula for lim in c.limits if lim.name == "concurrency")
    assert "× busy share f 0.333" in formula
    note = next(n for n in c.notes if n.startswith("workers: 3 of the 9 measured"))
    assert "unevenly used" in note
    assert "is an extrapolation" in note
    assert "reuse_port = true" in note
    # every worker busy (f = 1), the measured capacity scaled with them: an extrapolation
    assert c.balanced_capacity_rps == pytest.approx(18 / 0.052 * 0.65)
    # the CI of the busy workers is part of the capacity's spread
    assert c.capacity_rps.low == pytest.approx(18 * 2.7 / 9 / 0.052 * 0.65)
    assert c.capacity_rps.high == pytest.approx(18 * 3.3 / 9 / 0.052 * 0.65)


def test_without_the_busy_share_the_slo_limit_took_the_imbalance_for_queueing() -> None:
    """Before per-worker accounting the same run read as ρ_SLO = 0.33: planned at a third of
    every worker's rate, i.e. the same imbalance hidden in the utilisation and called SLO."""
    c = _nine_single_thread_workers(None, x_max=57.0, uneven=False)
    assert c.slo_utilization == pytest.approx(57 / (9 / 0.052))
    assert c.utilization_source == "slo"
    assert c.balanced_capacity_rps is None
    assert any("was not recorded" in n for n in c.notes)


def test_evenly_used_workers_count_as_measured_without_an_extrapolation() -> None:
    c = _nine_single_thread_workers(8.8, x_max=160.0, uneven=False)
    assert c.busy_fraction == pytest.approx(8.8 / 9)
    assert limit(c, "concurrency") == pytest.approx(18 * 8.8 / 9 / 0.052 * 0.65)
    assert c.balanced_capacity_rps is None
    note = next(n for n in c.notes if n.startswith("workers: 8.8 of the 9"))
    assert "evenly used" in note
    assert "extrapolation" not in note


def test_one_worker_has_nothing_to_balance() -> None:
    c = instance_capacity(summary(busy_workers=est(1.0, 1.0, 1.0)), M6I_L)
    assert c.busy_fraction == 1.0
    assert not any(n.startswith("workers: 1 of") for n in c.notes)
