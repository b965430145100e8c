"""Stage: one measured run (app × interpreter variant × server config × repetition).

`cells(scenario, plan)` lays out the matrix; `measure(cell, variant)` provisions, serves,
warms up, holds steady rates, searches capacity and samples resources, returning a
`RunResult` that is complete even when the run failed (status, reason, what was measured
before the failure)."""

from estimator.measure.cells import CellSpec, cell_key, cells
from estimator.measure.models import PhaseResult, RunResult, RunStatus
from estimator.measure.run import measure, skipped_result

__all__ = [
    "CellSpec",
    "PhaseResult",
    "RunResult",
    "RunStatus",
    "cell_key",
    "cells",
    "measure",
    "skipped_result",
]
