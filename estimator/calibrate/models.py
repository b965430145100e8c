"""What a calibration produces: per interpreter variant, a score of the fixed benchmark with
its 95% CI and the facts of the machine it ran on."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.errors import EstimatorError
from estimator.host import HostFacts

UNIT = "requests per CPU-second"


class CalibrateError(EstimatorError):
    """A calibration that could not run, or a score file that can't be used."""


class VariantScore(Model):
    """One variant's benchmark score on one machine (`estimator calibrate --json`)."""

    variant: str
    score: float = Field(gt=0, description=f"{UNIT} of the benchmark's request mix")
    ci_low: float = Field(description="95% CI over the values (t-interval)")
    ci_high: float
    n: int = Field(ge=1, description="values (each a fixed number of mix units)")
    unit: str = UNIT
    benchmark: str = Field(description="name/version: scores of other versions don't compare")
    values: list[float]
    units_per_value: int
    stop_reason: str = Field(description="the CI target reached, or the budget spent")
    endpoints_ms: dict[str, float] = Field(description="mean CPU ms per request, per endpoint")
    python: str = Field(description="the interpreter's version")
    implementation: str
    executable: str
    packages: dict[str, str] = Field(default_factory=dict, description="the mix's libraries")
    variant_env: dict[str, str] = Field(default_factory=dict)
    cpu: list[int] = Field(description="the CPU(s) the worker was pinned to")
    machine: str = Field(description="'local' or the ssh destination")
    host: HostFacts
    taken_at: datetime

    @property
    def relative_half_width(self) -> float:
        return (self.ci_high - self.ci_low) / 2 / self.score


class Calibrated(Model):
    """A target family's calibrated score ratio to a measuring host (same benchmark, common
    variants): its CPU speed is this ratio × the host's vCPU core share (the host's score,
    like its CPU costs, was taken on one of its CPUs)."""

    key: str
    ratio: float = Field(gt=0)
    detail: str


class CalibrationEntry(Model):
    """Scores kept in the user's calibration book: of a measuring host, or of a target
    family (imported)."""

    role: Literal["host", "target"]
    family: str | None = Field(None, description="the target's EC2 family")
    source: str = Field(description="where the scores came from (a file, ssh, this machine)")
    scores: list[VariantScore]
    saved_at: datetime


class CalibrationBook(Model):
    """`<config dir>/calibration.json`: every host calibration (newest last) and the
    latest scores of each target family."""

    schema_version: int = 1
    entries: list[CalibrationEntry] = Field(default_factory=list)
