"""`estimator pricing refresh`: live EC2 prices via boto3, written to the user catalog.

On-demand: Pricing `GetProducts` (endpoint in us-east-1) with filters that select exactly one
Linux / Shared tenancy / on-demand / no pre-installed software / `capacitystatus=Used` price
per type (the set Karpenter uses). Specs: EC2 `DescribeInstanceTypes` in the region. Spot:
EC2 `DescribeSpotPriceHistory` (Linux/UNIX, latest price per zone, mean over the zones). All
calls paginated and time-bound; any failure is one `PricingError` line and nothing is written.
A refresh pages through thousands of items: `progress` hears about every page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from estimator._model import Model
from estimator.errors import ConfigError, PricingError
from estimator.pricing.aws_parse import (
    Specs,
    SpotQuote,
    collect_offers,
    collect_spot,
    parse_instance_type,
)
from estimator.pricing.models import PURCHASES, InstanceType, Purchase, valid_region
from estimator.pricing.snapshot import embedded_snapshot
from estimator.pricing.user_catalog import CatalogPart, part_path, write_part

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_pricing import PricingClient
    from mypy_boto3_pricing.type_defs import FilterTypeDef

PRICING_ENDPOINT_REGION = "us-east-1"
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30
MAX_ATTEMPTS = 4  # in all, the first included: botocore "standard" retries with backoff
SPOT_PRODUCTS = ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"]
_SPOT_CHUNK = 100
_THROTTLING = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests"}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
Progress = Callable[[str], None]
"""Told one line per page fetched, e.g. 'on-demand prices: page 3 (300 items so far)'."""


def _quiet(_message: str) -> None:
    return None


_BAD_CREDENTIALS = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AuthFailure",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
}


def on_demand_filters(region: str) -> list[FilterTypeDef]:
    """Exactly one price per instance type: without `capacitystatus=Used` AWS also returns
    the capacity-reservation lines, without `preInstalledSw=NA` the SQL Server images, without
    `tenancy=Shared` the dedicated prices, without `marketoption=OnDemand` capacity blocks."""
    terms = {
        "regionCode": region,
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "marketoption": "OnDemand",
        "productFamily": "Compute Instance",
    }
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in terms.items()]


def client_config(max_attempts: int = MAX_ATTEMPTS) -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        retries={"total_max_attempts": max_attempts, "mode": "standard"},
    )


@dataclass
class AwsClients:
    pricing: PricingClient
    ec2: EC2Client


def make_clients(region: str, session: boto3.session.Session | None = None) -> AwsClients:
    session = session or boto3.session.Session()
    config = client_config()
    return AwsClients(
        pricing=session.client("pricing", region_name=PRICING_ENDPOINT_REGION, config=config),
        ec2=session.client("ec2", region_name=region, config=config),
    )


def _price_items(pricing: PricingClient, region: str, progress: Progress = _quiet) -> Iterator[str]:
    pages = pricing.get_paginator("get_products").paginate(
        ServiceCode="AmazonEC2",
        Filters=on_demand_filters(region),
        FormatVersion="aws_v1",
        PaginationConfig={"PageSize": 100},
    )
    items = 0
    for number, page in enumerate(pages, 1):
        found = page.get("PriceList", [])
        items += len(found)
        progress(f"on-demand prices: page {number} ({items} items so far)")
        yield from found


def fetch_specs(
    ec2: EC2Client, families: list[str] | None, progress: Progress = _quiet
) -> tuple[dict[str, Specs], list[str]]:
    """Specs of every type of `families` (all types if None) and the types left out, why."""
    kwargs: dict[str, Any] = {"PaginationConfig": {"PageSize": 100}}
    if families is not None:
        kwargs["Filters"] = [{"Name": "instance-type", "Values": [f"{f}.*" for f in families]}]
    specs: dict[str, Specs] = {}
    skipped: list[str] = []
    pages = ec2.get_paginator("describe_instance_types").paginate(**kwargs)
    for number, page in enumerate(pages, 1):
        for info in page.get("InstanceTypes", []):
            parsed = parse_instance_type(info)
            if isinstance(parsed, str):
                skipped.append(parsed)
            else:
                specs[parsed.instance_type] = parsed
        progress(f"instance types: page {number} ({len(specs) + len(skipped)} types so far)")
    return specs, skipped


def fetch_spot(
    ec2: EC2Client, names: list[str], now: datetime, progress: Progress = _quiet
) -> dict[str, SpotQuote]:
    """Latest Linux/UNIX spot price per type and zone (`StartTime=now` returns the price in
    effect now for every zone)."""
    entries: list[Any] = []
    page_number = 0
    for i in range(0, len(names), _SPOT_CHUNK):
        pages = ec2.get_paginator("describe_spot_price_history").paginate(
            ProductDescriptions=SPOT_PRODUCTS,
            StartTime=now,
            Filters=[{"Name": "instance-type", "Values": names[i : i + _SPOT_CHUNK]}],
            PaginationConfig={"PageSize": 1000},
        )
        for page in pages:
            entries.extend(page.get("SpotPriceHistory", []))
            page_number += 1
            done = min(i + _SPOT_CHUNK, len(names))
            progress(
                f"spot prices: page {page_number} ({len(entries)} zone prices so far, "
                f"types {done} of {len(names)})"
            )
    return collect_spot(entries)


def _row(spec: Specs, region: str, purchase: Purchase, price: Decimal, source: str) -> InstanceType:
    family, size = spec.instance_type.split(".", 1)
    return InstanceType(
        name=spec.instance_type,
        family=family,
        size=size,
        region=region,
        vcpu=spec.vcpu,
        memory_gib=spec.memory_gib,
        arch=spec.arch,
        cpu_vendor=spec.cpu_vendor,
        physical_cores=spec.physical_cores,
        burstable=spec.burstable,
        usd_per_hour=price,
        purchase=purchase,
        source=source,
    )


class RefreshResult(Model):
    region: str
    fetched_at: datetime
    written: dict[str, int]  # path -> rows
    unpriced: dict[str, list[str]]  # purchase -> types with specs but no price
    skipped: list[str]  # types left out, with the reason


def _explain(exc: Exception) -> str:
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            "no usable AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or run `aws configure`)"
        )
    if isinstance(exc, BotoConnectionError | HTTPClientError):
        return f"cannot reach AWS ({exc}); check the network or proxy"
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code, msg = err.get("Code", "?"), err.get("Message", "")
        op = exc.operation_name
        attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        if code in _THROTTLING:
            return (
                f"AWS throttled {op} ({code}) after {attempts + 1} attempt(s); "
                "wait a minute and run the refresh again"
            )
        if code in _DENIED:
            return (
                f"the AWS credentials may not call {op} ({code}); they need pricing:GetProducts,"
                " ec2:DescribeInstanceTypes and ec2:DescribeSpotPriceHistory"
            )
        if code in _BAD_CREDENTIALS:
            return f"AWS rejected the credentials ({code}: {msg})"
        return f"AWS error in {op}: {code}: {msg}"
    if isinstance(exc, NoRegionError):
        return "no AWS region configured"
    return f"AWS call failed: {exc}"


def _fallback(region: str, spot: bool) -> str:
    kept = []
    for purchase in PURCHASES if spot else PURCHASES[:1]:
        path = part_path(region, purchase)
        kept.append(f"earlier refresh {path}" if path.exists() else "")
    if any(kept):
        return "; the prices fetched earlier stay in use (" + ", ".join(k for k in kept if k) + ")"
    date = embedded_snapshot().metadata.snapshot_date
    return f"; the embedded price snapshot of {date} stays in use"


def refresh(
    region: str,
    *,
    spot: bool = False,
    all_families: bool = False,
    clients: AwsClients | None = None,
    now: datetime | None = None,
    directory: Path | None = None,
    progress: Progress = _quiet,
) -> RefreshResult:
    """Fetch `region`'s on-demand (and with `spot`, spot) prices and write them to the user
    catalog. Limited to the snapshot's families unless `all_families`. On any AWS or network
    failure raise one `PricingError` saying which prices stay in use; write nothing.
    `progress` is told about every page fetched."""
    if not valid_region(region):
        raise ConfigError(f"--region {region!r}: not an AWS region name; e.g. eu-west-1")
    now = now or datetime.now(UTC)
    families = None if all_families else sorted({it.family for it in embedded_snapshot().instances})
    family_set = set(families) if families is not None else None
    try:
        clients = clients or make_clients(region)
        specs, skipped = fetch_specs(clients.ec2, families, progress)
        offers = collect_offers(_price_items(clients.pricing, region, progress), family_set)
        quotes = fetch_spot(clients.ec2, sorted(specs), now, progress) if spot else {}
    except (BotoCoreError, ClientError) as exc:
        raise PricingError(
            f"could not refresh {region} prices: {_explain(exc)}{_fallback(region, spot)}"
        ) from exc

    skipped += [
        f"{n}: priced but not described by EC2 in {region}" for n in offers if n not in specs
    ]
    od_rows = [
        _row(
            specs[n],
            region,
            "on-demand",
            o.usd_per_hour,
            "AWS Pricing API GetProducts (Linux, Shared tenancy, OnDemand, no pre-installed "
            f"software, capacitystatus Used; price list published {o.published or '?'})",
        )
        for n, o in sorted(offers.items())
        if n in specs
    ]
    if not od_rows:
        raise PricingError(
            f"AWS returned no on-demand Linux prices for {region} (is it an enabled EC2 region?)"
            + _fallback(region, spot)
        )
    parts: list[tuple[Purchase, list[InstanceType]]] = [("on-demand", od_rows)]
    unpriced = {"on-demand": [n for n in sorted(specs) if n not in offers]}
    if spot:
        spot_rows = [
            _row(specs[n], region, "spot", q.mean, q.describe())
            for n, q in sorted(quotes.items())
            if n in specs
        ]
        unpriced["spot"] = [n for n in sorted(specs) if n not in quotes]
        if spot_rows:
            parts.append(("spot", spot_rows))
    written: dict[str, int] = {}
    for purchase, rows in parts:
        part = CatalogPart(
            region=region,
            purchase=purchase,
            fetched_at=now,
            source="AWS APIs: "
            + ("Pricing GetProducts" if purchase == "on-demand" else "EC2 DescribeSpotPriceHistory")
            + " and EC2 DescribeInstanceTypes",
            families=families,
            instances=rows,
        )
        written[str(write_part(part, directory))] = len(rows)
    return RefreshResult(
        region=region, fetched_at=now, written=written, unpriced=unpriced, skipped=skipped
    )
