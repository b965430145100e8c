from __future__ import annotations

import pytest

from estimator.estimate import PROFILES, EstimateError, profile_traffic


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_preset_has_24_hours_peaking_at_one(name: str) -> None:
    fractions = PROFILES[name]
    assert len(fractions) == 24
    assert max(fractions) == 1.0
    assert all(0 < f <= 1 for f in fractions)


def test_flat_is_the_peak_all_day() -> None:
    traffic = profile_traffic(250, "flat")
    assert traffic.hourly_rps == [250.0] * 24
    assert traffic.source == "--peak-rps 250 --profile flat"


def test_diurnal_scales_to_the_peak_in_the_evening() -> None:
    traffic = profile_traffic(1000, "diurnal")
    assert traffic.peak_rps == 1000
    assert traffic.hourly_rps.index(1000) == 20
    assert min(traffic.hourly_rps) == 150


def test_business_hours_is_quiet_at_night() -> None:
    traffic = profile_traffic(400, "business-hours")
    assert traffic.hourly_rps[3] == pytest.approx(20)
    assert traffic.hourly_rps[10] == 400


def test_unknown_profile_names_the_choices() -> None:
    with pytest.raises(EstimateError, match="'weekly' is unknown; use one of flat, diurnal"):
        profile_traffic(100, "weekly")


def test_peak_must_be_positive() -> None:
    with pytest.raises(EstimateError, match="--peak-rps = 0"):
        profile_traffic(0, "flat")
