"""The Pricing page: the catalog in use (date, sources, caveats, overrides), its EC2 rows
filtered like `estimator pricing list`, and the serverless price sheets."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd

from estimator.pricing import Catalog, PriceListing, price_listing

EC2_COLUMNS = [
    "type",
    "region",
    "arch",
    "vendor",
    "vCPU",
    "cores",
    "GiB",
    "burstable",
    "$/hour",
    "$/month",
    "$/vCPU-month",
    "$/GiB-month",
    "source",
]


def listing(
    catalog: Catalog,
    *,
    region: str | None,
    families: Sequence[str] | None,
    arch: str | None,
    purchase: str,
    max_usd_per_hour: Decimal | None = None,
) -> PriceListing:
    return price_listing(
        catalog,
        region=region,
        families=list(families) if families else None,
        arch=arch,
        purchase=purchase,
        max_price=max_usd_per_hour,
        sort="price",
    )


def decimal(usd: float) -> Decimal:
    """A price from a slider (float) as the exact cents it shows."""
    return Decimal(f"{usd:.2f}")


def ec2_frame(listed: PriceListing) -> pd.DataFrame:
    """One row per priced type. Prices are floats for display and sorting only; the estimate
    stage computes with the catalog's Decimals."""
    records = []
    for row in listed.rows:
        it = row.instance
        records.append(
            {
                "type": it.name,
                "region": it.region,
                "arch": it.arch,
                "vendor": it.cpu_vendor,
                "vCPU": it.vcpu,
                "cores": it.physical_cores,
                "GiB": float(it.memory_gib),
                "burstable": it.burstable,
                "$/hour": float(it.usd_per_hour),
                "$/month": float(row.usd_per_month),
                "$/vCPU-month": float(row.usd_per_vcpu_month),
                "$/GiB-month": float(row.usd_per_gib_month),
                "source": it.source,
            }
        )
    return pd.DataFrame.from_records(records, columns=EC2_COLUMNS)


def serverless_frame(catalog: Catalog, region: str | None) -> pd.DataFrame:
    records: list[dict[str, object]] = []
    for lp in catalog.lambda_prices:
        if region in (None, lp.region):
            records.append(
                {
                    "service": "Lambda",
                    "region": lp.region,
                    "arch": lp.arch,
                    "price": f"${lp.usd_per_million_requests} per 1M requests + "
                    f"${lp.usd_per_gb_second} per GB-second ({lp.duration_tier})",
                    "source": lp.source,
                }
            )
    for fp in catalog.fargate_prices:
        if region in (None, fp.region):
            records.append(
                {
                    "service": "Fargate (Linux)",
                    "region": fp.region,
                    "arch": fp.arch,
                    "price": f"${fp.usd_per_vcpu_hour} per vCPU-hour + "
                    f"${fp.usd_per_gb_hour} per GB-hour",
                    "source": fp.source,
                }
            )
    return pd.DataFrame.from_records(
        records, columns=["service", "region", "arch", "price", "source"]
    )
