"""What one measured run produced. Stored whole (JSON) by the store, and flattened into
tables for queries."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.host import HostFacts
from estimator.interpreters import InterpreterFacts, WorkerFacts
from estimator.load import CapacityResult, PhaseLoad, WarmupResult
from estimator.measure.cells import CellSpec
from estimator.sample.models import ResourcePoint, ResourceWindow
from estimator.serve import ServerLaunch

RunStatus = Literal["ok", "failed", "interrupted"]
FailureStage = Literal["interpreter", "provision", "server", "load", "sampler", "internal"]
RESULT_SCHEMA = 1


class PhaseResult(Model):
    """One phase: what the generator saw and what the server used meanwhile."""

    load: PhaseLoad
    server: ResourceWindow | None = Field(description="None if the sampler had no ticks")
    cpu_s_per_request: float | None = Field(description="server CPU-seconds per request")
    generator_bound: bool

    @property
    def requests(self) -> int:
        return self.load.requests


class RunResult(Model):
    """One run, complete even when it failed: status, reason, and what was measured."""

    schema_version: int = RESULT_SCHEMA
    id: str
    cell: CellSpec
    cell_key: str
    status: RunStatus
    failure: str | None = None
    failure_stage: FailureStage | None = None
    started_at: float
    ended_at: float
    estimator_version: str
    host: HostFacts
    interpreter: InterpreterFacts | None = None
    interpreter_path: Path | None = None
    variant_env: dict[str, str] = Field(default_factory=dict)
    packages: dict[str, str] = Field(
        default_factory=dict, description="the app environment's installed distributions"
    )
    launch: ServerLaunch | None = None
    generator_cpus: list[int] = Field(default_factory=list)
    warmup: WarmupResult | None = None
    phases: list[PhaseResult] = Field(default_factory=list)
    capacity: CapacityResult | None = None
    worker_facts: list[WorkerFacts] = Field(default_factory=list)
    mismatches: list[str] = Field(
        default_factory=list, description="what the workers ran that differs from the variant"
    )
    warnings: list[str] = Field(default_factory=list)
    resources: list[ResourcePoint] = Field(
        default_factory=list, description="per-second server/generator resource series"
    )
    run_dir: Path | None = None
    log_tail: list[str] = Field(default_factory=list, description="server log, when it failed")

    @property
    def steady(self) -> list[PhaseResult]:
        return [p for p in self.phases if p.load.kind == "steady"]

    @property
    def probe(self) -> PhaseResult | None:
        """The single-user phase (service time without queueing), if the plan had one."""
        return next((p for p in self.phases if p.load.kind == "probe"), None)

    @property
    def config_key(self) -> str:
        return self.cell.config_key
