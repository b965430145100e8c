"""The capacity stage's error: bad measured inputs, assumptions or traffic."""

from __future__ import annotations

from estimator.errors import ConfigError


class CapacityError(ConfigError):
    """A measured input, an assumption or a traffic profile the model cannot use; the message
    names the value and the fix."""
