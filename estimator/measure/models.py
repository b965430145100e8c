"""What one configuration's measurement produced (one `RunResult` per configuration of a
batch): every window (warm-up, then the rounds' cost and latency windows), the capacity
search, the warm-up verdict and why its rounds stopped. Stored whole (JSON) by the store, and
flattened into tables for queries."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.host import HostFacts
from estimator.interpreters import InterpreterFacts, WorkerFacts
from estimator.load import CapacityResult, PhaseLoad, WarmupResult
from estimator.measure.balance import LoadConnections, WindowBalance, WorkerUse
from estimator.measure.cells import CellSpec
from estimator.sample.cpu import CpuWindow
from estimator.sample.models import ResourcePoint, ResourceWindow
from estimator.scenario import Arrivals
from estimator.serve import ServerLaunch

RunStatus = Literal["ok", "failed", "interrupted"]
FailureStage = Literal["interpreter", "provision", "server", "load", "sampler", "internal"]
MeasureStop = Literal["target", "budget", "max_rounds", "not_warmed_up"]
"""Why a configuration's cost windows ended: its CPU-per-request CI reached the target; the
batch's time budget ran out; the round cap; or it was not warmed up (measured for the record
only, `min_rounds`, not ranked)."""
RESULT_SCHEMA = 3
"""3: per-window worker balance and the run's worker use and load connections (optional
fields: results of schema 2 read back with them unset)."""


class PhaseResult(Model):
    """One window: what the generator saw and what the server used meanwhile."""

    load: PhaseLoad
    server: ResourceWindow | None = Field(description="None if the sampler had no ticks")
    cpu_s_per_request: float | None = Field(
        description="server CPU-seconds (nanosecond counters, `cpu`) per successful request "
        "(those of the window and those that completed while it drained)"
    )
    generator_bound: bool
    round: int | None = Field(None, description="1-based round; None: warm-up")
    cpu: CpuWindow | None = Field(
        None, description="the server tree's CPU, read before and after the window"
    )
    neighbours_cpu_s: float | None = Field(
        None,
        description="CPU the batch's other (idle) servers used meanwhile: should be ~0",
    )
    balance: WindowBalance | None = Field(
        None,
        description="each worker's CPU and connections in the window, and how evenly they "
        "shared the work (`estimator.measure.balance`)",
    )

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
    batch_id: str | None = Field(
        None, description="configurations measured side by side, in the same rounds"
    )
    batch_members: list[str] = Field(
        default_factory=list, description="the config keys of the batch (this one included)"
    )
    arrivals: Arrivals = Field("poisson", description="how open-loop windows spaced requests")
    seed: int | None = None
    rounds: int = Field(0, ge=0, description="rounds this configuration took part in")
    stop_reason: MeasureStop | None = None
    stop_detail: str | None = None
    cost_ci_target: float | None = Field(
        None, description="relative 95% CI half-width on CPU per request it aimed for"
    )
    cost_half_width: float | None = Field(
        None, description="relative 95% CI half-width reached (None: fewer than 2 windows)"
    )
    warmed_up: bool = Field(
        True, description="False: the warm-up did not converge or the cost kept falling"
    )
    not_ranked_reason: str | None = Field(
        None, description="why this configuration must not be ranked (e.g. not warmed up)"
    )
    worker_use: WorkerUse | None = Field(
        None,
        description="how evenly the workers shared the work in the cost windows (None: not judged)",
    )
    connections: LoadConnections | None = Field(
        None, description="the load generator's connections: how many, kept alive or not"
    )

    @property
    def steady(self) -> list[PhaseResult]:
        return [p for p in self.phases if p.load.kind == "steady"]

    @property
    def cost(self) -> list[PhaseResult]:
        """The closed-loop cost windows of the rounds, in order."""
        return [p for p in self.phases if p.load.kind == "cost"]

    @property
    def probes(self) -> list[PhaseResult]:
        return [p for p in self.phases if p.load.kind == "probe"]

    @property
    def probe(self) -> PhaseResult | None:
        """The first single-user window (service time without queueing), if any."""
        return next((p for p in self.phases if p.load.kind == "probe"), None)

    @property
    def config_key(self) -> str:
        return self.cell.config_key
