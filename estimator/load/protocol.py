"""The JSON-lines protocol between `LoadGenerator` (parent) and each driver process.

Parent → driver, one JSON object per line on the driver's stdin:
    {"cmd": "phase", "name": ..., "users": U, "rate": R | null, "duration": d, "start_at": t}
    {"cmd": "quit"}
Driver → parent, one JSON object per line on a private copy of its original stdout (the
driver points fd 1 and 2 at its log file, so prints from locust or the locustfile can't
corrupt the channel):
    {"event": "ready", ...}              after loading the locustfile (`DriverReady`)
    {"event": "phase", ...}              after each phase (`DriverPhase`)
    {"event": "error", "message": ...}   on a fatal problem, then the driver exits 3
`start_at` is epoch seconds (time.time); every driver starts its window then, so several
drivers load the server at the same moment and their results merge.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.load.models import FailureCount, HistogramData


class PhaseCommand(Model):
    cmd: Literal["phase"] = "phase"
    name: str
    users: int = Field(ge=0)
    rate: float | None = Field(None, gt=0, description="this driver's share, requests/second")
    duration: float = Field(gt=0)
    start_at: float
    even_tasks: bool = Field(False, description="ignore the task weights for this phase")


class QuitCommand(Model):
    cmd: Literal["quit"] = "quit"


class DriverReady(Model):
    event: Literal["ready"] = "ready"
    pid: int
    user_classes: list[str] = Field(min_length=1)
    locust_version: str


class DriverError(Model):
    event: Literal["error"] = "error"
    message: str


class EndpointWire(Model):
    method: str
    name: str
    requests: int = Field(ge=0)
    failures: int = Field(ge=0)
    latency: HistogramData
    statuses: dict[str, int] = Field(default_factory=dict, description="'2xx' → requests")


class SecondWire(Model):
    t: int = Field(ge=0)
    requests: int = Field(ge=0)
    failures: int = Field(ge=0)
    latency: HistogramData


class DriverPhase(Model):
    """One driver's raw data for one phase: mergeable with the other drivers'."""

    event: Literal["phase"] = "phase"
    name: str
    users: int = Field(ge=0)
    requests: int = Field(ge=0)
    failures: int = Field(ge=0)
    latency: HistogramData = Field(description="successful requests")
    endpoints: list[EndpointWire]
    seconds: list[SecondWire]
    failure_reasons: list[FailureCount]
    cpu_s: float = Field(ge=0, description="the driver's own CPU time inside the window")
    start_lag_s: float = Field(ge=0, description="how late the window opened vs start_at")
    window_s: float = Field(
        gt=0, description="the time this driver actually sent load: duration - start_lag_s"
    )
