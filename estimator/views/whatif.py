"""The dashboard's what-if settings (the sidebar): one typed model, turned into the estimate
stage's `EstimateRequest`. Defaults come from the model's own assumptions and the catalog."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from pydantic import Field

from estimator._model import Model
from estimator.capacity import Assumptions, CapacityError, TrafficProfile, load_traffic
from estimator.errors import ConfigError
from estimator.estimate.profiles import DEFAULT_PROFILE, PROFILES, profile_traffic
from estimator.estimate.request import EstimateRequest, FleetMode
from estimator.pricing import Arch, Purchase

UPLOADED = "uploaded file"
DEFAULT_REGION = "us-east-1"
DEFAULT_PEAK_RPS = 200.0


class UploadMissing(ConfigError):
    """'uploaded file' is the chosen profile but no file is uploaded yet (not a mistake:
    the next step)."""


class WhatIf(Model):
    peak_rps: float = Field(DEFAULT_PEAK_RPS, gt=0, description="busiest hour's mean req/s")
    profile: str = Field(DEFAULT_PROFILE, description="a preset shape, or UPLOADED")
    uploaded: TrafficProfile | None = Field(
        None, description="the uploaded profile (used as a shape, scaled to peak_rps)"
    )
    slo_p95_ms: float | None = Field(None, gt=0, description="None: the measured scenario's SLO")
    target_utilization: float = Field(Assumptions().target_utilization, gt=0, le=1)
    redundancy: int = Field(Assumptions().redundancy, ge=0)
    region: str = DEFAULT_REGION
    purchase: Purchase = "on-demand"
    fleet: FleetMode = "autoscaled"
    arch: Arch | None = None
    families: list[str] = Field(default_factory=list)
    include_burstable: bool = False
    discount_pct: float = Field(0.0, ge=0, lt=100)
    cpu_speeds: dict[str, float] = Field(
        default_factory=dict,
        description="CPU speed per CPU (or family) moved in the dashboard, vs a measuring-host "
        "core: cpu_speed_overrides keys",
    )

    def traffic(self) -> TrafficProfile:
        if self.profile == UPLOADED:
            if self.uploaded is None:
                raise UploadMissing(
                    "hourly profile 'uploaded file': upload a traffic file in the sidebar "
                    "(24 hourly rates, .json or .csv) to see the estimate"
                )
            peak = self.uploaded.peak_rps
            rates = [r / peak * self.peak_rps for r in self.uploaded.hourly_rps]
            return TrafficProfile(
                hourly_rps=rates,
                source=f"{self.uploaded.source} scaled to a {self.peak_rps:g} req/s peak",
            )
        return profile_traffic(self.peak_rps, self.profile)

    def assume(self) -> list[str]:
        """Assumption overrides ('name=value') for what differs from the defaults."""
        base = Assumptions()
        out = []
        if self.target_utilization != base.target_utilization:
            out.append(f"target_utilization={self.target_utilization:g}")
        if self.redundancy != base.redundancy:
            out.append(f"redundancy={self.redundancy}")
        out += [f"cpu_speed_overrides.{f}={s:g}" for f, s in sorted(self.cpu_speeds.items())]
        return out

    def request(self, baseline: list[str] | None = None) -> EstimateRequest:
        return EstimateRequest(
            traffic=self.traffic(),
            profile=None if self.profile == UPLOADED else self.profile,
            region=self.region,
            purchase=self.purchase,
            fleet=self.fleet,
            arch=self.arch,
            families=self.families,
            include_burstable=self.include_burstable,
            assume=self.assume(),
            baseline=baseline or [],
            discount_pct=Decimal(str(self.discount_pct)) if self.discount_pct else None,
        )


PROFILE_CHOICES = [*PROFILES, UPLOADED]


def traffic_from_upload(name: str, data: bytes) -> TrafficProfile:
    """An uploaded JSON or CSV traffic file (the formats of `load_traffic`)."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".json", ".csv", ".txt"):
        raise ConfigError(
            f"traffic file '{name}': use .json (24 rates, or peak_rps + fractions) or .csv "
            "(24 'rps' or 'hour,rps' lines)"
        )
    with tempfile.TemporaryDirectory(prefix="estimator-traffic-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            profile = load_traffic(path)
        except CapacityError as exc:
            raise ConfigError(exc.message.replace(str(path), f"'{name}'")) from None
    return profile.model_copy(update={"source": f"uploaded {name}"})
