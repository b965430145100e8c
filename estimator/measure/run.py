"""One configuration measured on its own (a batch of one), and the result of one that could
not even start. `estimator run` measures batches (`estimator.measure.batch`); this is for
library use and benchmarks that want a single configuration."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from estimator import __version__
from estimator.host import host_facts
from estimator.interpreters import ResolvedVariant
from estimator.measure.batch import BatchMember, Progress, measure_batch
from estimator.measure.cells import CellSpec, cell_key
from estimator.measure.member import requirement_set
from estimator.measure.models import FailureStage, RunResult

__all__ = ["measure", "requirement_set", "skipped_result"]


def skipped_result(cell: CellSpec, reason: str, stage: FailureStage) -> RunResult:
    """A cell that could not even start (e.g. its variant is not installed): stored as
    failed so it shows up in results with its reason."""
    now = time.time()
    return RunResult(
        id=uuid.uuid4().hex[:12],
        cell=cell,
        cell_key=cell_key(cell),
        status="failed",
        failure=reason,
        failure_stage=stage,
        started_at=now,
        ended_at=now,
        estimator_version=__version__,
        host=host_facts(),
        arrivals=cell.load.arrivals,
    )


def measure(
    cell: CellSpec,
    variant: ResolvedVariant,
    *,
    runs_dir: Path | None = None,
    progress: Progress | None = None,
    ready_timeout: float = 90.0,
) -> RunResult:
    """Measure one configuration alone: warm-up, then rounds of its own windows."""
    (result,) = measure_batch(
        [BatchMember(cell=cell, variant=variant)],
        runs_dir=runs_dir,
        progress=progress or (lambda _c, _p: None),
        ready_timeout=ready_timeout,
    )
    return result
