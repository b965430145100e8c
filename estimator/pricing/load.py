"""`load_catalog`: the embedded snapshot, newer refreshed prices per region × purchase option,
then the user's overrides, each recorded in the catalog."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from estimator.pricing.catalog import Catalog
from estimator.pricing.models import InstanceType, PriceSource, Purchase
from estimator.pricing.overrides import (
    apply_custom_prices,
    apply_discount,
    parse_discount,
    read_custom_prices,
)
from estimator.pricing.snapshot import embedded_snapshot
from estimator.pricing.user_catalog import CatalogPart, read_parts

SOURCES_DOC = "estimator/pricing/data/SOURCES.md"


def _refreshed_source(part: CatalogPart) -> PriceSource:
    scope = "all families" if part.families is None else "the snapshot's families"
    return PriceSource(
        region=part.region,
        purchase=part.purchase,
        kind="refreshed",
        as_of=part.fetched_at.date(),
        description=f"{part.source}, fetched {part.fetched_at:%Y-%m-%d %H:%M} UTC ({scope})",
    )


def load_catalog(
    *,
    discount_pct: Decimal | str | None = None,
    custom_prices: Path | None = None,
    user_catalog: bool = True,
    user_dir: Path | None = None,
) -> Catalog:
    """The catalog every later stage prices with.

    - the embedded snapshot (see `SOURCES.md` for its dates and caveats);
    - for each region × purchase option refreshed by `estimator pricing refresh` (files in
      `user_dir`, default `<cache dir>/pricing`), the newer of the fetch and the snapshot;
    - `discount_pct`: a negotiated discount on every list price;
    - `custom_prices`: a CSV `instance_type,region,usd_per_hour[,purchase]` of prices used as
      given. Every override and every skipped stale fetch is a line in `Catalog.notes`."""
    snap = embedded_snapshot()
    meta = snap.metadata
    chosen: dict[tuple[str, Purchase], tuple[PriceSource, list[InstanceType]]] = {}
    for src in snap.sources:
        rows = [
            it for it in snap.instances if (it.region, it.purchase) == (src.region, "on-demand")
        ]
        chosen[(src.region, src.purchase)] = (src, rows)
    notes: list[str] = []
    refreshed: list[str] = []
    for part in read_parts(user_dir) if user_catalog else []:
        key = (part.region, part.purchase)
        current = chosen.get(key)
        fetched = part.fetched_at.date()
        embedded_date: date = (current[0].as_of or meta.snapshot_date) if current else date.min
        if fetched < embedded_date:
            notes.append(
                f"ignored refreshed {part.region} {part.purchase} prices of {fetched}: "
                f"the embedded snapshot ({embedded_date}) is newer"
            )
            continue
        chosen[key] = (_refreshed_source(part), list(part.instances))
        refreshed.append(f"{part.region} {part.purchase} {fetched}")

    source = (
        f"AWS list prices (USD), embedded snapshot {meta.snapshot_date} "
        f"(compiled {meta.compiled}; sources and caveats in {SOURCES_DOC})"
    )
    if refreshed:
        source += "; refreshed from the AWS APIs: " + ", ".join(refreshed)
    catalog = Catalog(
        snapshot_date=meta.snapshot_date,
        source=source,
        instances=[it for key in sorted(chosen) for it in chosen[key][1]],
        lambda_prices=snap.lambda_prices,
        fargate_prices=snap.fargate_prices,
        sources=[chosen[key][0] for key in sorted(chosen)],
        gaps=meta.gaps,
        caveats=meta.caveats,
        notes=notes,
    )
    if discount_pct is not None:
        catalog = apply_discount(catalog, parse_discount(discount_pct))
    if custom_prices is not None:
        catalog = apply_custom_prices(catalog, read_custom_prices(custom_prices), custom_prices)
    return catalog
