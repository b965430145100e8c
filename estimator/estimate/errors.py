"""The estimate stage's error: nothing to estimate, or nothing to price it with."""

from __future__ import annotations

from estimator.errors import EstimatorError


class EstimateError(EstimatorError):
    """An estimate that cannot be made: no usable measurements, no matching prices, a baseline
    selector that matches nothing. The message names the value and the fix."""
