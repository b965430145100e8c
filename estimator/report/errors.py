"""The report stage's error: a report file that cannot be read or written."""

from __future__ import annotations

from estimator.errors import EstimatorError


class ReportError(EstimatorError):
    """An unreadable, invalid or incompatible report file; the message names it and the fix."""
