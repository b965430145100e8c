"""Traffic shapes for `--peak-rps N --profile P`: 24 hourly fractions of the peak, the busiest
hour 1.0. They are *shapes*, not measurements of anyone's traffic: the hours are the users'
local time and every day of the month is taken as the same typical day (weekends are not
modelled). Give `--traffic FILE` with your own hourly rates (e.g. from load-balancer metrics)
for a bill that follows your traffic.

- `flat`: the peak all day; what `--peak-rps N` alone means. Autoscaled and fixed fleets cost
  the same.
- `diurnal`: a consumer-facing service: quiet at night (15% of the peak at 03-04 h), a morning
  ramp, a plateau around 80% through the day, the peak in the evening (20 h).
- `business-hours`: an internal or B2B service: 5% overnight, 90-100% between 09 and 16 h,
  a lunch dip, falling off after 17 h.
"""

from __future__ import annotations

from estimator.capacity import TrafficProfile
from estimator.capacity.traffic import MAX_RPS
from estimator.estimate.errors import EstimateError

# fmt: off
PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 24,
    # hour:   0     1     2     3     4     5     6     7     8     9    10    11
    "diurnal": (
        0.35, 0.25, 0.18, 0.15, 0.15, 0.20, 0.30, 0.45, 0.60, 0.70, 0.75, 0.80,
        # 12  13    14    15    16    17    18    19    20    21    22    23
        0.85, 0.82, 0.80, 0.80, 0.82, 0.87, 0.92, 0.97, 1.00, 0.95, 0.75, 0.50,
    ),
    "business-hours": (
        0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.08, 0.20, 0.60, 0.90, 1.00, 1.00,
        0.85, 0.90, 1.00, 1.00, 0.95, 0.70, 0.35, 0.20, 0.12, 0.08, 0.06, 0.05,
    ),
}
# fmt: on
"""Hourly fractions of the peak rate, hour 0 first. The one place these shapes are defined."""

DEFAULT_PROFILE = "flat"


def profile_traffic(peak_rps: float, profile: str = DEFAULT_PROFILE) -> TrafficProfile:
    """The hourly rates of `profile` scaled to `peak_rps` (the busiest hour)."""
    fractions = PROFILES.get(profile)
    if fractions is None:
        raise EstimateError(
            f"traffic profile '{profile}' is unknown; use one of {', '.join(PROFILES)} "
            "or --traffic FILE with 24 hourly rates"
        )
    if not 0 < peak_rps <= MAX_RPS:
        raise EstimateError(
            f"--peak-rps = {peak_rps:g}: give the busiest hour's req/s, > 0 and at most "
            f"{MAX_RPS:,.0f}"
        )
    traffic = TrafficProfile.from_fractions(peak_rps, list(fractions))
    return traffic.model_copy(update={"source": f"--peak-rps {peak_rps:g} --profile {profile}"})
