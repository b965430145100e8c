from __future__ import annotations

import json
from decimal import Decimal

import pytest

from estimator.capacity import Assumptions
from estimator.errors import ConfigError
from estimator.estimate import PROFILES
from estimator.views.whatif import UPLOADED, UploadMissing, WhatIf, traffic_from_upload


def test_defaults_are_the_models_own() -> None:
    wi = WhatIf()
    assert wi.assume() == []  # nothing differs from the capacity model's assumptions
    req = wi.request()
    assert req.region == "us-east-1"
    assert req.purchase == "on-demand"
    assert req.discount_pct is None
    assert req.traffic.peak_rps == wi.peak_rps


def test_presets_scale_to_the_peak() -> None:
    wi = WhatIf(peak_rps=1000, profile="business-hours")
    traffic = wi.traffic()
    assert traffic.peak_rps == pytest.approx(1000)
    assert traffic.hourly_rps == pytest.approx([1000 * f for f in PROFILES["business-hours"]])


def test_changed_settings_become_assumptions_and_filters() -> None:
    wi = WhatIf(
        target_utilization=0.5,
        redundancy=2,
        arch="arm64",
        families=["c7g", "m7g"],
        discount_pct=12.5,
        purchase="on-demand",
        fleet="fixed",
    )
    req = wi.request(baseline=["flask | cpython-3.11 | gunicorn-sync w1"])
    assert req.assume == ["target_utilization=0.5", "redundancy=2"]
    assert req.arch == "arm64"
    assert req.families == ["c7g", "m7g"]
    assert req.discount_pct == Decimal("12.5")
    assert req.fleet == "fixed"
    assert req.baseline == ["flask | cpython-3.11 | gunicorn-sync w1"]


def test_an_uploaded_profile_is_a_shape_scaled_to_the_peak() -> None:
    rates = [10.0] * 12 + [40.0] * 12
    uploaded = traffic_from_upload("lb.json", json.dumps(rates).encode())
    assert uploaded.hourly_rps == rates
    assert uploaded.source == "uploaded lb.json"
    wi = WhatIf(peak_rps=400, profile=UPLOADED, uploaded=uploaded)
    traffic = wi.traffic()
    assert traffic.hourly_rps == pytest.approx([100.0] * 12 + [400.0] * 12)
    assert "lb.json" in traffic.source
    assert wi.request().profile is None


def test_csv_upload() -> None:
    text = "hour,rps\n" + "\n".join(f"{h},{h + 1}" for h in range(24))
    assert traffic_from_upload("t.csv", text.encode()).peak_rps == 24


def test_bad_uploads_name_the_file_not_a_temporary_path() -> None:
    with pytest.raises(ConfigError) as err:
        traffic_from_upload("day.csv", b"1\n2\n3\n")
    assert "'day.csv'" in err.value.message
    assert "/tmp" not in err.value.message
    assert "need 24" in err.value.message
    with pytest.raises(ConfigError, match=r"'day\.xlsx'.*\.json"):
        traffic_from_upload("day.xlsx", b"")


def test_uploaded_chosen_without_a_file_asks_for_one() -> None:
    with pytest.raises(UploadMissing, match="upload a traffic file in the sidebar"):
        WhatIf(profile=UPLOADED).traffic()


def test_moved_cpu_speeds_become_overrides() -> None:
    wi = WhatIf(cpu_speeds={"aws-graviton2": 0.42, "m7i": 1.1})
    assert wi.assume() == ["cpu_speed_overrides.aws-graviton2=0.42", "cpu_speed_overrides.m7i=1.1"]
    a = Assumptions().with_overrides(wi.assume())
    assert a.speed_for(["c6g", "aws-graviton2", "arm64"]) == (0.42, "aws-graviton2")
