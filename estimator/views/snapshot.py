"""One read of the results store for the dashboard: the run list, the successful runs and the
per-configuration summaries, as a picklable model (the dashboard caches it, keyed by the
store's signature so fresh results show up on the next rerun)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field

from estimator._model import Model
from estimator.measure import RunResult
from estimator.store.runs import RunRow, Store
from estimator.store.summarize import Excluded, summarize
from estimator.store.summary import ConfigSummary


class StoreSnapshot(Model):
    path: Path
    exists: bool = Field(description="False: no store file at path yet")
    rows: list[RunRow] = Field(description="every run, any status, oldest first")
    runs: list[RunResult] = Field(description="the successful runs")
    summaries: list[ConfigSummary]
    excluded: list[Excluded]

    @property
    def empty(self) -> bool:
        """Nothing to compare: no configuration could be summarised."""
        return not self.summaries

    @property
    def failed(self) -> list[RunRow]:
        return [r for r in self.rows if r.status == "failed"]

    def summary(self, key: str) -> ConfigSummary:
        for s in self.summaries:
            if s.key == key:
                return s
        raise KeyError(key)

    def run(self, run_id: str) -> RunResult:
        for r in self.runs:
            if r.id == run_id:
                return r
        raise KeyError(run_id)


def signature(path: Path) -> str:
    """Changes whenever the store is written (SQLite in WAL mode writes the -wal file first)."""
    parts = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            st = os.stat(p)
        except OSError:
            parts.append(f"{p.name}:-")
            continue
        parts.append(f"{p.name}:{st.st_mtime_ns}:{st.st_size}")
    return ";".join(parts)


def load_snapshot(path: Path) -> StoreSnapshot:
    """Read the store at `path`; a missing file is an empty snapshot (the dashboard then says
    how to measure). An unreadable store raises `StoreError` with the fix."""
    if not path.exists():
        return StoreSnapshot(path=path, exists=False, rows=[], runs=[], summaries=[], excluded=[])
    with Store(path, create=False) as store:
        rows = store.rows()
        runs = store.results(status="ok")
    summaries = summarize(runs)
    return StoreSnapshot(
        path=path,
        exists=True,
        rows=rows,
        runs=runs,
        summaries=summaries.summaries,
        excluded=summaries.excluded,
    )
