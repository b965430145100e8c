"""A filtered view of the catalog with the monthly figures people compare types by: what
`estimator pricing list` prints (table or JSON) and what reports can embed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.money import HOURS_PER_MONTH
from estimator.pricing.catalog import Catalog, normalize_purchase
from estimator.pricing.missing import MissingPrice
from estimator.pricing.models import InstanceType, size_rank, source_lines

_UNIT = Decimal("0.0001")
SortKey = Literal["name", "price", "vcpu-price", "memory-price"]


class ListedPrice(Model):
    instance: InstanceType
    usd_per_month: Decimal = Field(description=f"usd_per_hour x {HOURS_PER_MONTH} h (exact)")
    usd_per_vcpu_month: Decimal = Field(description="per vCPU, rounded to $0.0001")
    usd_per_physical_core_month: Decimal = Field(description="per core, rounded to $0.0001")
    usd_per_gib_month: Decimal = Field(description="per GiB of memory, rounded to $0.0001")


class PriceListing(Model):
    snapshot_date: date
    source: str
    currency: str
    hours_per_month: Decimal
    purchase: str
    filters: dict[str, str]
    rows: list[ListedPrice]
    price_sources: list[str] = Field(description="where the listed region(s)' prices come from")
    missing: list[MissingPrice] = Field(description="known types without a price here")
    caveats: list[str]
    notes: list[str] = Field(description="overrides applied and other notes")


def _q(value: Decimal) -> Decimal:
    return value.quantize(_UNIT, rounding=ROUND_HALF_UP)


def listed(it: InstanceType) -> ListedPrice:
    return ListedPrice(
        instance=it,
        usd_per_month=it.usd_per_month,
        usd_per_vcpu_month=_q(it.usd_per_vcpu_month),
        usd_per_physical_core_month=_q(it.usd_per_month / it.physical_cores),
        usd_per_gib_month=_q(it.usd_per_gib_month),
    )


def _sort_key(sort: SortKey, row: ListedPrice) -> tuple[object, ...]:
    it = row.instance
    by_name = (it.region, it.family, size_rank(it.size))
    if sort == "price":
        return (it.usd_per_hour, *by_name)
    if sort == "vcpu-price":
        return (row.usd_per_vcpu_month, *by_name)
    if sort == "memory-price":
        return (row.usd_per_gib_month, *by_name)
    return by_name


def price_listing(
    catalog: Catalog,
    *,
    region: str | None = None,
    families: Sequence[str] | None = None,
    arch: str | None = None,
    max_price: Decimal | str | None = None,
    purchase: str = "on-demand",
    sort: SortKey = "name",
) -> PriceListing:
    """The rows matching the filters plus everything a reader needs to trust them: date,
    sources, caveats, overrides, and the prices that are missing (never shown as zero)."""
    want = normalize_purchase(purchase)
    fams = list(families) if families else None
    instances = catalog.filter(
        region=region, family=fams, arch=arch, max_price=max_price, purchase=want
    )
    missing = catalog.missing(region=region, family=fams, arch=arch, purchase=want)
    rows = sorted((listed(it) for it in instances), key=lambda r: _sort_key(sort, r))
    filters = {
        k: v
        for k, v in {
            "region": region,
            "family": ",".join(fams) if fams else None,
            "arch": arch,
            "max_price": str(max_price) if max_price is not None else None,
            "purchase": want,
        }.items()
        if v is not None
    }
    sources = source_lines(
        [s for s in catalog.sources if s.purchase == want and region in (None, s.region)]
    )
    return PriceListing(
        snapshot_date=catalog.snapshot_date,
        source=catalog.source,
        currency=catalog.currency,
        hours_per_month=HOURS_PER_MONTH,
        purchase=want,
        filters=filters,
        rows=rows,
        price_sources=sources,
        missing=missing.items(),
        caveats=catalog.caveats,
        notes=catalog.notes,
    )
