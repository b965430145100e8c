"""What an estimate is asked for: every input the CLI (or a caller) gives, recorded whole in
the report so the numbers can be reproduced."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.capacity import TrafficProfile
from estimator.pricing import Arch, Catalog, Purchase, load_catalog
from estimator.pricing.models import Region

FleetMode = Literal["autoscaled", "fixed"]
FLEET_MODES: tuple[FleetMode, ...] = ("autoscaled", "fixed")


class EstimateRequest(Model):
    """The inputs of one estimate. Money as Decimal; JSON carries it as strings."""

    traffic: TrafficProfile = Field(description="24 hourly mean rates (req/s) of a typical day")
    profile: str | None = Field(
        None, description="the --profile preset the traffic came from; None: a --traffic file"
    )
    region: Region
    purchase: Purchase = "on-demand"
    fleet: FleetMode = Field(
        "autoscaled",
        description="which fleet's cost ranks: 'autoscaled' (instances follow the hourly "
        "traffic) or 'fixed' (the peak count all month); both are shown",
    )
    arch: Arch | None = Field(None, description="only this architecture (None: both)")
    families: list[str] = Field(default_factory=list, description="only these families")
    max_usd_per_hour: Decimal | None = Field(
        None, ge=0, description="only instance types at most this price per hour"
    )
    include_burstable: bool = Field(
        False,
        description="consider burstable types (t3, t3a, t4g). Off by default: they are planned "
        "at their CPU-credit baseline, a busy web server spends credits, and the surplus "
        "credits AWS bills in unlimited mode are not in the catalog; naming a T family in "
        "`families` includes it too",
    )
    assume: list[str] = Field(
        default_factory=list, description="assumption overrides, 'name=value' (docs/model.md)"
    )
    baseline: list[str] = Field(
        default_factory=list,
        description="baseline selectors (words of a configuration key, one per app); empty: "
        "per app the oldest CPython with gunicorn sync workers and the fewest workers",
    )
    include_serverless: bool = Field(True, description="price Fargate and Lambda too")
    discount_pct: Decimal | None = Field(None, description="negotiated discount on list prices")
    custom_prices: str | None = Field(None, description="custom price CSV used as given")
    user_catalog: bool = Field(True, description="use prices fetched by `pricing refresh`")
    calibrated_speeds: bool = Field(
        True,
        description="use CPU speeds calibrated by `estimator calibrate` (the user's "
        "calibration book) where they exist",
    )

    def filters(self) -> dict[str, str]:
        """The instance filters in force, for reports."""
        out = {"region": self.region, "purchase": self.purchase}
        if self.arch:
            out["arch"] = self.arch
        if self.families:
            out["family"] = ",".join(self.families)
        if self.max_usd_per_hour is not None:
            out["max $/hour"] = f"{self.max_usd_per_hour:f}"
        if not self.include_burstable:
            out["burstable"] = "excluded"
        return out


def load_request_catalog(request: EstimateRequest) -> Catalog:
    """The price catalog with the request's overrides (discount, custom prices) applied."""
    return load_catalog(
        discount_pct=request.discount_pct,
        custom_prices=Path(request.custom_prices) if request.custom_prices else None,
        user_catalog=request.user_catalog,
    )
