"""What a preflight found: passed, or the step that failed with one line saying why."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.measure import RunResult
from estimator.measure.models import FailureStage

PreflightStep = Literal[
    "environment", "setup", "import", "health", "server", "locustfile", "requests", "internal"
]

STEP_TEXT: dict[PreflightStep, str] = {
    "environment": "the environment did not install",
    "setup": "a setup command failed",
    "import": "the app does not import",
    "health": "the health path does not answer 2xx",
    "server": "the server did not start",
    "locustfile": "the locustfile does not load",
    "requests": "the first requests failed",
    "internal": "the preflight itself failed (an estimator bug)",
}

STEP_STAGE: dict[PreflightStep, FailureStage] = {
    "environment": "provision",
    "setup": "provision",
    "import": "server",
    "health": "server",
    "server": "server",
    "locustfile": "load",
    "requests": "load",
    "internal": "internal",
}


class TaskStatus(Model):
    """What one request name of the locustfile got during the preflight's burst."""

    method: str
    name: str
    requests: int
    statuses: dict[str, int] = Field(description="'2xx'…'5xx' or 'none' → requests")

    @property
    def succeeded(self) -> bool:
        """It got a 2xx or 3xx at least once (or the load stage did not say)."""
        return not self.statuses or any(self.statuses.get(k) for k in ("2xx", "3xx"))

    def describe(self) -> str:
        """'GET /heroes/ 12×2xx', 'POST /heroes/ 2×2xx 1×4xx'."""
        order = ("2xx", "3xx", "4xx", "5xx", "none")
        kinds = sorted(self.statuses, key=lambda k: order.index(k) if k in order else 9)
        mix = " ".join(f"{self.statuses[k]}×{k}" for k in kinds) or f"{self.requests} request(s)"
        return f"{self.method} {self.name} {mix}"


class PreflightResult(Model):
    """One app × interpreter variant, checked under one server config."""

    app: str
    variant: str
    server: str = Field(description="the server config's label")
    ok: bool
    step: PreflightStep | None = Field(None, description="the step that failed")
    message: str | None = Field(None, description="one line: variant, app, step, cause, fix")
    log_tail: list[str] = Field(
        default_factory=list, description="last lines of the server log (or setup/import output)"
    )
    checks: list[str] = Field(default_factory=list, description="what passed, in order")
    tasks: list[TaskStatus] = Field(
        default_factory=list, description="each request name's status mix in the burst"
    )
    seconds: float = 0.0
    run_dir: Path | None = Field(None, description="logs of a failed preflight")

    @property
    def label(self) -> str:
        return f"{self.variant} × app '{self.app}' ({self.server})"

    @property
    def stage(self) -> FailureStage:
        return STEP_STAGE[self.step] if self.step is not None else "internal"

    def as_failed(self, result: RunResult) -> RunResult:
        """A cell that did not run because this preflight failed, stored with its reason."""
        return result.model_copy(
            update={
                "failure": f"preflight failed: {self.message}",
                "failure_stage": self.stage,
                "log_tail": self.log_tail,
                "run_dir": self.run_dir,
            }
        )
