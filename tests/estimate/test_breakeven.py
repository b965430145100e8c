"""Break-even CPU speeds on the recorded runs of this machine (a KVM guest, AMD EPYC Zen 4
when they were recorded: host_reference=m7a), with published speeds: setting the moved CPU's
speed 5% past the break-even flips the recommendation, 5% short of it does not."""

from __future__ import annotations

import functools
import json

import pytest

from estimator.estimate import EstimateReport, EstimateRequest, estimate, profile_traffic
from estimator.estimate.models import BreakEven
from estimator.pricing import load_catalog
from estimator.store.summarize import summarize
from tests.fixtures import fixture_runs

HOST = "host_reference=m7a"


@functools.cache
def report(*assume: str, peak: float = 4000) -> EstimateReport:
    request = EstimateRequest(
        traffic=profile_traffic(peak, "diurnal"),
        profile="diurnal",
        region="us-east-1",
        user_catalog=False,
        assume=[HOST, *assume],
    )
    return estimate(summarize(fixture_runs()), load_catalog(user_catalog=False), request)


def winners(r: EstimateReport) -> dict[str, tuple[str, str]]:
    return {h.app: (h.key, h.instance_type) for h in r.headlines}


def _at(b: BreakEven, factor: float) -> EstimateReport:
    assert b.cpu_speed is not None
    key = b.cpu_key or b.family
    return report(f"cpu_speed_overrides.{key}={b.cpu_speed * factor!r}")


def test_every_headline_has_break_even_speeds_in_the_json() -> None:
    r = report()
    data = json.loads(r.model_dump_json())
    assert {h["app"] for h in data["headlines"]} == {"flask", "fastapi"}
    for h in data["headlines"]:
        assert h["break_even"], h["app"]
        for b in h["break_even"]:
            assert {"family", "cpu_speed", "runner_up_key", "runner_up_instance_type"} <= set(b)
        below = h["break_even"][0]
        assert below["direction"] == "below"
        assert below["family"] == h["instance_type"].split(".")[0]
        assert 0 < below["cpu_speed"] < below["current_cpu_speed"]
        assert below["runner_up_instance_type"] != h["instance_type"]


@pytest.mark.parametrize("app", ["flask", "fastapi"])
def test_the_recommendation_flips_exactly_at_the_break_even_speed(app: str) -> None:
    base = report()
    head = next(h for h in base.headlines if h.app == app)
    flips = [b for b in head.break_even if b.cpu_speed is not None]
    assert flips, "a break-even speed in the searched range"
    for b in flips:
        past, short = (0.95, 1.05) if b.direction == "below" else (1.05, 0.95)
        moved = winners(_at(b, past))[app]
        kept = winners(_at(b, short))[app]
        if b.direction == "below":
            assert moved == (b.runner_up_key, b.runner_up_instance_type)
            assert kept[1].split(".")[0] in b.families
        else:
            assert moved[1].split(".")[0] in b.families
            assert kept == (head.key, head.instance_type)


def test_a_cpu_that_cannot_win_says_so() -> None:
    """At 400 req/s the two-instance minimum of the smallest x86 type costs more than the
    Graviton fleet at any speed: no flip upward, and the report says how far it looked."""
    r = report(peak=400)
    for h in r.headlines:
        above = [b for b in h.break_even if b.direction == "above"]
        assert above
        for b in above:
            if b.cpu_speed is None:
                assert b.searched[1] == pytest.approx(20 * b.current_cpu_speed)
                assert b.runner_up_key is None


def test_the_report_states_the_vcpu_rule_and_each_speed_source() -> None:
    r = report()
    (hs,) = r.cpu_speeds
    assert hs.vcpu_rule.kind == "hyperthread"  # a KVM guest reporting 1 thread per core
    assert "hypervisor" in hs.vcpu_rule.reason
    assert r.assumptions.vcpu_rule == hs.vcpu_rule
    sources = {s.key: s.source for s in hs.speeds}
    assert sources["c6g"] == sources["m7a"] == "published"
    assert sources["lambda-x86_64"] == "assumed"
    c6g = next(s for s in hs.speeds if s.key == "c6g")
    assert "not a Python measurement" in c6g.detail
    # GB6 single-core: c6g ÷ the median of the EPYC 9R14 families (c7a, hpc7a, m7a, r7a)
    assert c6g.speed == pytest.approx(963 / ((1983 + 1990) / 2), rel=1e-6)
    rows = {row.name: row for row in r.assumption_rows}
    assert rows["vcpu_rule"].value.startswith("hyperthread: 0.625 core")
    assert "c6g 0.485 (published)" in rows["cpu_speeds"].value
    assert not rows["cpu_speeds"].overridden


def test_a_speed_set_by_hand_wins_and_is_labelled() -> None:
    r = report("cpu_speed_overrides.c6g=0.9")
    (hs,) = r.cpu_speeds
    c6g = next(s for s in hs.speeds if s.key == "c6g")
    assert (c6g.speed, c6g.source) == (0.9, "set by hand")
