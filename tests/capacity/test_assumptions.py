from __future__ import annotations

import pytest
from pydantic import ValidationError

from estimator.capacity import (
    DEFAULT_QUOTA_CURVE,
    Assumptions,
    CapacityError,
    with_measured_quota_curve,
)
from tests.capacity.factory import summary


def test_defaults_are_the_documented_ones() -> None:
    a = Assumptions()
    assert a.target_utilization == 0.65
    assert a.smt_yield == 0.25
    assert a.cpu_speed == 1.0
    assert (a.redundancy, a.min_instances) == (1, 1)
    assert a.workers_rule == "per-cpu"
    assert a.quota_curve == DEFAULT_QUOTA_CURVE
    assert a.reserve_gib(8) == pytest.approx(0.9)  # 0.5 + 5% of 8


def test_overrides_parse_values_keys_and_curves() -> None:
    a = Assumptions().with_overrides(
        [
            "target_utilization=0.7",
            "workers_rule=gunicorn",
            "cpu_speed_overrides.m7g=1.1",
            "cpu_speed_overrides.arm64=1.05",
            "slo_caps_utilization=false",
            "quota_curve=0.5:0.45,0.25:0.2",
        ]
    )
    assert a.target_utilization == 0.7
    assert a.workers_rule == "gunicorn"
    assert a.cpu_speed_overrides == {"m7g": 1.1, "arm64": 1.05}
    assert a.slo_caps_utilization is False
    assert [(p.quota, p.ratio) for p in a.quota_curve.points] == [(0.25, 0.2), (0.5, 0.45)]
    assert a.quota_curve.source == "set by hand"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("target_utilisation=0.7", "'target_utilisation' is unknown"),
        ("target_utilization", "expected name=value"),
        ("target_utilization=1.5", "target_utilization = 1.5"),
        ("smt_yield=lots", "smt_yield = 'lots'"),
        ("workers_rule=fixed", "needs workers_fixed"),
        ("redundancy.x=1", "'redundancy' has no keys"),
        ("cpu_speed_overrides.m7g=0", "speeds must be from 0.01 to 100"),
        ("quota_curve=0.5", "expected quota:ratio"),
        ("quota_curve=0.5:x", "expected quota:ratio"),
        ("quota_curve=0.5:0.4,0.5:0.5", "distinct and ascending"),
    ],
)
def test_bad_overrides_name_the_key_and_fix(item: str, message: str) -> None:
    with pytest.raises(CapacityError, match=message) as exc:
        Assumptions().with_overrides([item])
    assert "\n" not in str(exc.value)


def test_fixed_rule_needs_a_count() -> None:
    with pytest.raises(ValidationError, match="workers_fixed"):
        Assumptions(workers_rule="fixed")
    assert Assumptions(workers_rule="fixed", workers_fixed=3).workers_fixed == 3


def test_describe_lists_every_assumption_with_why_and_flags_overrides() -> None:
    rows = {r.name: r for r in Assumptions(smt_yield=0.3).describe()}
    assert set(rows) == set(Assumptions.model_fields)
    assert rows["smt_yield"].overridden
    assert rows["smt_yield"].value == "0.3"
    assert rows["smt_yield"].default == "0.25"
    assert not rows["target_utilization"].overridden
    assert all(r.why for r in rows.values())
    assert rows["workers_fixed"].value == "unset"
    assert rows["lambda_memory_mb"].value == "auto"
    assert "0.5 CPU → 0.42×" in rows["quota_curve"].value


def test_speed_lookup_prefers_the_most_specific_key() -> None:
    a = Assumptions(cpu_speed=0.9, cpu_speed_overrides={"m7g": 1.2, "arm64": 1.1})
    assert a.speed_for(["m7g", "arm64"]) == (1.2, "m7g")
    assert a.speed_for(["c7g", "arm64"]) == (1.1, "arm64")
    assert a.speed_for(["m6i", "x86_64"]) == (0.9, "default")


def test_host_core_share_follows_the_hosts_threads_per_core() -> None:
    a = Assumptions()
    bare = summary().host  # bare metal, 1 thread per core
    smt = bare.model_copy(update={"threads_per_core": 2})
    assert a.host_core_share(bare) == 1.0
    assert a.host_core_share(smt) == pytest.approx(0.625)  # (1 + 0.25) / 2
    assert Assumptions(host_cpu_core_share=0.8).host_core_share(smt) == 0.8


def test_store_quota_runs_replace_only_the_default_curve() -> None:
    runs = [summary(key="ref"), summary(key="q", quota=0.5, x_max=75.0)]  # 75 ÷ 150 = 0.5
    fitted = with_measured_quota_curve(Assumptions(), runs)
    assert fitted.quota_curve.ratio(0.5) == pytest.approx(0.5)
    assert "fitted from 1 measured quota run" in fitted.quota_curve.source
    by_hand = Assumptions().with_overrides(["quota_curve=0.5:0.3"])
    assert with_measured_quota_curve(by_hand, runs) == by_hand
    assert with_measured_quota_curve(Assumptions(), [summary()]) == Assumptions()
