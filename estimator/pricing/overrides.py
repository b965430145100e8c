"""Price overrides, applied visibly: a negotiated discount on list prices and a custom price
file (what you actually pay per type). Each change is recorded in `Catalog.notes`."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from estimator._model import Model
from estimator.errors import ConfigError
from estimator.pricing.catalog import Catalog, normalize_purchase, parse_percent, parse_price
from estimator.pricing.models import (
    FargatePrice,
    InstanceType,
    LambdaPrice,
    PriceSource,
    Purchase,
    valid_region,
)

CUSTOM_COLUMNS = ("instance_type", "region", "usd_per_hour")
OPTIONAL_COLUMNS = ("purchase",)


class CustomPrice(Model):
    instance_type: str
    region: str
    usd_per_hour: Decimal
    purchase: Purchase
    line: int


def _fmt(price: Decimal) -> str:
    return f"${price.normalize():f}"


def parse_discount(value: str | Decimal) -> Decimal:
    """A negotiated discount in percent: 0 <= pct < 100 ('12', '12.5', '12%')."""
    return parse_percent(value, "discount (%)", below=100)


def read_custom_prices(path: Path) -> list[CustomPrice]:
    """CSV with a header `instance_type,region,usd_per_hour[,purchase]` (purchase defaults to
    on-demand). Every problem is a `ConfigError` naming the file, line and fix."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"custom price file {path}: {exc.strerror}; check the path") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"custom price file {path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    allowed = set(CUSTOM_COLUMNS + OPTIONAL_COLUMNS)
    if not set(CUSTOM_COLUMNS) <= set(header) or not set(header) <= allowed:
        raise ConfigError(
            f"custom price file {path}: header {','.join(header) or '(empty)'}; expected "
            "instance_type,region,usd_per_hour[,purchase]"
        )
    out: list[CustomPrice] = []
    seen: dict[tuple[str, str, str], int] = {}
    for n, raw in enumerate(reader, start=2):
        where = f"custom price file {path} line {n}"
        if None in raw:  # csv puts the fields past the header's under None
            raise ConfigError(
                f"{where}: more fields than the header's {len(header)}; quote a value that "
                "contains a comma"
            )
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        name, region = row["instance_type"], row["region"]
        if not valid_region(region):
            raise ConfigError(f"{where}: region {region!r} is not an AWS region, e.g. eu-west-1")
        try:
            purchase = normalize_purchase(row.get("purchase") or "on-demand")
            price = parse_price(row["usd_per_hour"], "usd_per_hour")
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc.message}") from None
        if price == 0:
            raise ConfigError(f"{where}: usd_per_hour = 0; a price must be positive")
        key = (name, region, purchase)
        if key in seen:
            raise ConfigError(
                f"{where}: {name} {region} {purchase} already set on line {seen[key]}"
            )
        seen[key] = n
        out.append(
            CustomPrice(
                instance_type=name, region=region, usd_per_hour=price, purchase=purchase, line=n
            )
        )
    if not out:
        raise ConfigError(f"custom price file {path} has no price rows; add one per line")
    return out


_Priced = TypeVar("_Priced", InstanceType, LambdaPrice, FargatePrice)


def apply_discount(catalog: Catalog, pct: Decimal) -> Catalog:
    """Every list price (EC2 on-demand and spot, Lambda, Fargate) times (1 - pct/100)."""
    if pct == 0:
        return catalog
    factor = (100 - pct) / 100

    def cut(sheet: _Priced) -> _Priced:
        """Every `usd_…` price of a row; EC2 rows keep their list price beside it."""
        update: dict[str, object] = {
            k: v * factor for k, v in sheet if k.startswith("usd_") and isinstance(v, Decimal)
        }
        if isinstance(sheet, InstanceType):
            update["list_usd_per_hour"] = sheet.list_usd_per_hour or sheet.usd_per_hour
        return sheet.model_copy(update=update)

    instances = [cut(it) for it in catalog.instances]
    lambdas = [cut(p) for p in catalog.lambda_prices]
    fargates = [cut(p) for p in catalog.fargate_prices]
    note = (
        f"negotiated discount {pct.normalize():f}% applied to every list price "
        "(EC2 on-demand and spot, Lambda, Fargate)"
    )
    return Catalog.model_validate(
        catalog.model_dump()
        | {
            "instances": instances,
            "lambda_prices": lambdas,
            "fargate_prices": fargates,
            "notes": [*catalog.notes, note],
        }
    )


def apply_custom_prices(catalog: Catalog, prices: list[CustomPrice], path: Path) -> Catalog:
    """Replace (or add) the listed prices, taken as given: no discount applies to them. A type
    must be known to the catalog (its specs come from there); a region may be new."""
    by_key = {it.key: it for it in catalog.instances}
    sources = list(catalog.sources)
    notes = list(catalog.notes)
    for cp in prices:
        where = f"custom price file {path} line {cp.line}"
        try:
            spec = catalog.specs(cp.instance_type)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc.message}") from None
        key = (cp.instance_type, cp.region, cp.purchase)
        old = by_key.get(key)
        base = old or spec
        by_key[key] = InstanceType.model_validate(
            base.model_dump()
            | {
                "region": cp.region,
                "purchase": cp.purchase,
                "usd_per_hour": cp.usd_per_hour,
                "source": where,
                "list_usd_per_hour": (old.list_usd_per_hour or old.usd_per_hour) if old else None,
            }
        )
        what = f"{cp.instance_type} {cp.region} {cp.purchase}"
        if old is not None:
            notes.append(
                f"{where}: {what} {_fmt(old.usd_per_hour)} -> {_fmt(cp.usd_per_hour)}/hour"
            )
        else:
            notes.append(f"{where}: {what} {_fmt(cp.usd_per_hour)}/hour (not in the catalog)")
        if catalog.source_for(cp.region, cp.purchase) is None and not any(
            (s.region, s.purchase) == (cp.region, cp.purchase) for s in sources
        ):
            sources.append(
                PriceSource(
                    region=cp.region,
                    purchase=cp.purchase,
                    kind="custom",
                    as_of=None,
                    description=f"custom price file {path}",
                )
            )
    notes.append(f"custom prices from {path} are used as given (no discount applied to them)")
    return Catalog.model_validate(
        catalog.model_dump()
        | {"instances": list(by_key.values()), "sources": sources, "notes": notes}
    )
