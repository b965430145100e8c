"""Turn AWS API responses into prices and specs (pure functions: no network, no boto3).

- Pricing `GetProducts` items (JSON strings) -> one on-demand $/hour per instance type;
- EC2 `DescribeInstanceTypes` entries -> vCPU, physical cores, memory, architecture, vendor;
- EC2 `DescribeSpotPriceHistory` entries -> the latest price per availability zone, averaged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from estimator.errors import PricingError
from estimator.pricing.models import Arch, split_type

SPOT_QUANTUM = Decimal("0.000001")  # EC2 publishes spot prices with 6 decimals


def exact_price(text: str) -> Decimal:
    """'0.0416000000' -> Decimal('0.0416'): trailing zeros dropped as text, never via float."""
    text = text.strip()
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return Decimal(text)


@dataclass(frozen=True)
class OnDemandOffer:
    instance_type: str
    usd_per_hour: Decimal
    published: str  # the price list's publication date, 'YYYY-MM-DD' ('' if absent)


def parse_price_item(text: str) -> OnDemandOffer | None:
    """One `PriceList` entry: the hourly USD price of its on-demand term, or None for entries
    that carry no hourly price (not an instance, or a $0 reservation line)."""
    try:
        item: dict[str, Any] = json.loads(text)
        attrs = item["product"]["attributes"]
        terms = item.get("terms", {}).get("OnDemand", {})
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise PricingError(f"unexpected GetProducts entry from AWS ({exc!r})") from exc
    name = attrs.get("instanceType")
    if not name:
        return None
    prices: set[Decimal] = set()
    for term in terms.values():
        for dim in term.get("priceDimensions", {}).values():
            if dim.get("unit") not in ("Hrs", "Hours"):
                continue
            try:
                price = exact_price(str(dim.get("pricePerUnit", {}).get("USD", "")))
            except InvalidOperation:
                continue
            if price > 0:
                prices.add(price)
    if not prices:
        return None
    if len(prices) > 1:
        found = ", ".join(f"${p}" for p in sorted(prices))
        raise PricingError(
            f"GetProducts returned several hourly prices for {name} ({found}); the filters no "
            "longer select one price per type: report this with the region"
        )
    published = str(item.get("publicationDate", ""))[:10]
    return OnDemandOffer(instance_type=name, usd_per_hour=prices.pop(), published=published)


def collect_offers(items: Iterable[str], families: set[str] | None) -> dict[str, OnDemandOffer]:
    """Every page's entries -> one offer per type (of `families`, if given). Two different
    prices for one type mean the filters are not selective enough: an error, not a guess."""
    out: dict[str, OnDemandOffer] = {}
    for text in items:
        offer = parse_price_item(text)
        if offer is None:
            continue
        if families is not None and split_type(offer.instance_type)[0] not in families:
            continue
        prev = out.get(offer.instance_type)
        if prev is not None and prev.usd_per_hour != offer.usd_per_hour:
            raise PricingError(
                f"GetProducts returned two prices for {offer.instance_type} "
                f"(${prev.usd_per_hour}, ${offer.usd_per_hour}); the filters no longer select "
                "one price per type: report this with the region"
            )
        out[offer.instance_type] = offer
    return out


@dataclass(frozen=True)
class Specs:
    instance_type: str
    vcpu: int
    physical_cores: int
    memory_gib: Decimal
    arch: Arch
    cpu_vendor: str
    burstable: bool


def parse_instance_type(info: Mapping[str, Any]) -> Specs | str:
    """One `InstanceTypes` entry -> specs, or the reason it can't be used (a string)."""
    name = str(info.get("InstanceType", ""))
    vcpu_info = info.get("VCpuInfo", {})
    vcpu = vcpu_info.get("DefaultVCpus")
    cores = vcpu_info.get("DefaultCores")
    threads = vcpu_info.get("DefaultThreadsPerCore")
    if cores is None and vcpu and threads:
        cores = vcpu // threads
    mib = info.get("MemoryInfo", {}).get("SizeInMiB")
    archs = info.get("ProcessorInfo", {}).get("SupportedArchitectures", [])
    arch: Arch | None = "x86_64" if "x86_64" in archs else "arm64" if "arm64" in archs else None
    if not name or not vcpu or not cores or not mib:
        return f"{name or '?'}: DescribeInstanceTypes gave no vCPU, core or memory figures"
    if arch is None:
        return f"{name}: architecture {'/'.join(archs) or '?'} is neither x86_64 nor arm64"
    vendor = str(info.get("ProcessorInfo", {}).get("Manufacturer") or "")
    if not vendor:
        vendor = "aws" if arch == "arm64" else "unknown"
    return Specs(
        instance_type=name,
        vcpu=int(vcpu),
        physical_cores=int(cores),
        memory_gib=Decimal(int(mib)) / 1024,
        arch=arch,
        cpu_vendor=vendor.lower(),
        burstable=bool(info.get("BurstablePerformanceSupported", False)),
    )


@dataclass
class SpotQuote:
    """The latest spot price in each availability zone for one type, and their mean."""

    instance_type: str
    by_zone: dict[str, tuple[datetime, Decimal]] = field(default_factory=dict)

    def add(self, zone: str, when: datetime, price: Decimal) -> None:
        prev = self.by_zone.get(zone)
        if prev is None or when > prev[0]:
            self.by_zone[zone] = (when, price)

    @property
    def mean(self) -> Decimal:
        prices = [p for _, p in self.by_zone.values()]
        return (sum(prices, Decimal(0)) / len(prices)).quantize(
            SPOT_QUANTUM, rounding=ROUND_HALF_EVEN
        )

    def describe(self) -> str:
        zones = sorted(self.by_zone.items(), key=lambda kv: kv[1][1])
        latest = max(when for when, _ in self.by_zone.values())
        cheapest, dearest = zones[0], zones[-1]
        spread = (
            f"${cheapest[1][1]} in {cheapest[0]}"
            if len(zones) == 1
            else f"min ${cheapest[1][1]} in {cheapest[0]}, max ${dearest[1][1]} in {dearest[0]}"
        )
        return (
            f"EC2 DescribeSpotPriceHistory Linux/UNIX: mean of the latest price in "
            f"{len(zones)} availability zone{'s' if len(zones) != 1 else ''} ({spread}; "
            f"latest change {latest:%Y-%m-%d %H:%M} UTC), rounded to $0.000001"
        )


def collect_spot(entries: Iterable[Mapping[str, Any]]) -> dict[str, SpotQuote]:
    out: dict[str, SpotQuote] = {}
    for e in entries:
        name, zone, when = e.get("InstanceType"), e.get("AvailabilityZone"), e.get("Timestamp")
        if not name or not zone or not isinstance(when, datetime):
            continue
        try:
            price = exact_price(str(e.get("SpotPrice", "")))
        except InvalidOperation:
            continue
        if price > 0:
            out.setdefault(str(name), SpotQuote(str(name))).add(str(zone), when, price)
    return out
