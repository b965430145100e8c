"""Stage: measure the configurations of a scenario.

`cells(scenario, variants)` lays out the matrix (one cell per app × variant × server config ×
repetition); `batches(cells)` groups the cells measured side by side (one app, one
repetition); `measure_batch(members)` starts their servers together and measures them in
interleaved rounds until each one's CPU-per-request CI reaches its target or the budget ends,
returning one `RunResult` per configuration that is complete even when it failed (status,
reason, every window measured before the failure). `measure(cell, variant)` is a batch of one.
"""

from estimator.measure.batch import BatchMember, measure_batch
from estimator.measure.cells import CellSpec, batch_key, cell_key, cells
from estimator.measure.models import MeasureStop, PhaseResult, RunResult, RunStatus
from estimator.measure.run import measure, skipped_result

__all__ = [
    "BatchMember",
    "CellSpec",
    "MeasureStop",
    "PhaseResult",
    "RunResult",
    "RunStatus",
    "batch_key",
    "cell_key",
    "cells",
    "measure",
    "measure_batch",
    "skipped_result",
]
