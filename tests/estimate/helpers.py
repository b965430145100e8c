"""A small hand-made price catalog and requests for the estimate tests (no snapshot, so the
hand-computed figures do not move when the embedded prices are refreshed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from estimator.capacity import TrafficProfile
from estimator.estimate import EstimateRequest
from estimator.pricing import Arch, Catalog, FargatePrice, InstanceType, LambdaPrice, PriceSource

REGION = "us-east-1"

FARGATE: dict[Arch, FargatePrice] = {
    "x86_64": FargatePrice(
        region=REGION,
        arch="x86_64",
        usd_per_vcpu_hour=Decimal("0.04048"),
        usd_per_gb_hour=Decimal("0.004445"),
        source="test",
    ),
    "arm64": FargatePrice(
        region=REGION,
        arch="arm64",
        usd_per_vcpu_hour=Decimal("0.03238"),
        usd_per_gb_hour=Decimal("0.00356"),
        source="test",
    ),
}
LAMBDA: dict[Arch, LambdaPrice] = {
    "x86_64": LambdaPrice(
        region=REGION,
        arch="x86_64",
        usd_per_million_requests=Decimal("0.20"),
        usd_per_gb_second=Decimal("0.0000166667"),
        duration_tier="first 6B GB-s per month",
        source="test",
    ),
    "arm64": LambdaPrice(
        region=REGION,
        arch="arm64",
        usd_per_million_requests=Decimal("0.20"),
        usd_per_gb_second=Decimal("0.0000133334"),
        duration_tier="first 7.5B GB-s per month",
        source="test",
    ),
}


def instance(
    name: str,
    price: str,
    *,
    vcpu: int = 2,
    memory: str = "8",
    arch: Arch = "x86_64",
    cores: int | None = None,
    region: str = REGION,
) -> InstanceType:
    family, size = name.split(".")
    vendor = "aws" if arch == "arm64" else "intel"
    return InstanceType(
        name=name,
        family=family,
        size=size,
        region=region,
        vcpu=vcpu,
        memory_gib=Decimal(memory),
        arch=arch,
        cpu_vendor=vendor,
        physical_cores=cores if cores is not None else (vcpu if arch == "arm64" else vcpu // 2),
        burstable=False,
        usd_per_hour=Decimal(price),
        source="test",
    )


M6I = instance("m6i.large", "0.096")
"""2 vCPU = 1 core + 1 hyperthread, 8 GiB: the capacity docs' worked example (203.1 req/s)."""
M7G = instance("m7g.large", "0.0816", arch="arm64")
"""2 Graviton cores, 8 GiB."""


def catalog(*instances: InstanceType, serverless_regions: tuple[str, ...] = (REGION,)) -> Catalog:
    rows = list(instances) or [M6I, M7G]
    regions = sorted({it.region for it in rows})
    return Catalog(
        snapshot_date=date(2026, 1, 2),
        source="test prices",
        instances=rows,
        lambda_prices=[
            p.model_copy(update={"region": r}) for r in serverless_regions for p in LAMBDA.values()
        ],
        fargate_prices=[
            p.model_copy(update={"region": r}) for r in serverless_regions for p in FARGATE.values()
        ],
        sources=[
            PriceSource(
                region=r, purchase="on-demand", kind="custom", as_of=None, description="test"
            )
            for r in regions
        ],
    )


def request(rps: float = 1000.0, **kw: object) -> EstimateRequest:
    """A flat traffic profile at `rps`, us-east-1 on-demand, autoscaled, unless overridden."""
    data: dict[str, object] = {"traffic": TrafficProfile.constant(rps), "region": REGION}
    data.update(kw)
    return EstimateRequest.model_validate(data)
