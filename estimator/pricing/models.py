"""What a price is: an instance type in a region at a purchase option, and the serverless
price sheets. Money is `Decimal`, parsed from strings, never floats."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from estimator._model import Model
from estimator.money import HOURS_PER_MONTH

Arch = Literal["x86_64", "arm64"]
Purchase = Literal["on-demand", "spot"]
PURCHASES: tuple[Purchase, ...] = ("on-demand", "spot")
ARCHES: tuple[Arch, ...] = ("x86_64", "arm64")

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$")
_TYPE = re.compile(r"^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$")
_NAMED_SIZES = {"nano": 0, "micro": 1, "small": 2, "medium": 3, "large": 4, "xlarge": 5}
_N_XLARGE = re.compile(r"^(\d+)xlarge$")


def valid_region(region: str) -> bool:
    """An AWS region name such as 'eu-west-1' (the shape, not a list of regions)."""
    return bool(_REGION.match(region))


def _check_region(region: str) -> str:
    if not valid_region(region):
        raise ValueError("an AWS region name such as 'eu-west-1'")
    return region


Region = Annotated[str, AfterValidator(_check_region)]
"""A model field holding an AWS region name (validated by shape)."""


def split_type(name: str) -> tuple[str, str]:
    """'c7g.large' -> ('c7g', 'large')."""
    match = _TYPE.match(name)
    if not match:
        raise ValueError(f"instance type {name!r}: expected 'family.size', e.g. 'c7g.large'")
    return match.group(1), match.group(2)


def size_rank(size: str) -> tuple[int, int, str]:
    """Sort key for sizes: nano < ... < xlarge < 2xlarge < ... < 48xlarge < metal variants."""
    if size in _NAMED_SIZES:
        return (0, _NAMED_SIZES[size], "")
    match = _N_XLARGE.match(size)
    if match:
        return (0, 4 + int(match.group(1)), "")
    return (1, 0, size)  # metal, metal-24xl, ...: after every sized type


class InstanceType(Model):
    """One EC2 instance type's specs and price in one region for one purchase option."""

    name: str = Field(description="e.g. 'c7g.large'")
    family: str
    size: str
    region: str
    vcpu: int = Field(ge=1)
    memory_gib: Decimal = Field(gt=0, description="exact: MiB / 1024")
    arch: Arch
    cpu_vendor: str = Field(description="'intel', 'amd' or 'aws' (Graviton)")
    physical_cores: int = Field(ge=1, description="cores behind the vCPUs (2 vCPU/core: HT)")
    burstable: bool = Field(description="T families: CPU credits; base price only")
    usd_per_hour: Decimal = Field(gt=0)
    purchase: Purchase = "on-demand"
    source: str = Field(description="where the price comes from, with its date")
    list_usd_per_hour: Decimal | None = Field(
        None, description="the list price before an override changed usd_per_hour"
    )

    @model_validator(mode="after")
    def _consistent(self) -> InstanceType:
        family, size = split_type(self.name)
        if (family, size) != (self.family, self.size):
            raise ValueError(f"{self.name}: family/size {self.family!r}/{self.size!r} disagree")
        if not valid_region(self.region):
            raise ValueError(f"{self.name}: region {self.region!r} is not an AWS region name")
        if self.physical_cores > self.vcpu:
            raise ValueError(f"{self.name}: {self.physical_cores} cores > {self.vcpu} vCPUs")
        return self

    @property
    def key(self) -> tuple[str, str, Purchase]:
        return (self.name, self.region, self.purchase)

    @property
    def threads_per_core(self) -> int:
        return self.vcpu // self.physical_cores

    @property
    def usd_per_month(self) -> Decimal:
        return self.usd_per_hour * HOURS_PER_MONTH

    @property
    def usd_per_vcpu_month(self) -> Decimal:
        return self.usd_per_month / self.vcpu

    @property
    def usd_per_gib_month(self) -> Decimal:
        return self.usd_per_month / self.memory_gib


class LambdaPrice(Model):
    """AWS Lambda list prices for one region and architecture."""

    region: str
    arch: Arch
    usd_per_million_requests: Decimal = Field(gt=0)
    usd_per_gb_second: Decimal = Field(gt=0, description="duration, first volume tier")
    duration_tier: str = Field(description="the volume the duration price holds for")
    usd_per_ephemeral_gb_second: Decimal | None = Field(
        None, description="ephemeral storage above the free allowance"
    )
    source: str

    @property
    def usd_per_request(self) -> Decimal:
        return self.usd_per_million_requests / 1_000_000


class FargatePrice(Model):
    """AWS Fargate (Linux) list prices for one region and architecture."""

    region: str
    arch: Arch
    usd_per_vcpu_hour: Decimal = Field(gt=0)
    usd_per_gb_hour: Decimal = Field(gt=0)
    usd_per_storage_gb_hour: Decimal | None = Field(
        None, description="ephemeral storage above the 20 GB included per task"
    )
    source: str


class PriceSource(Model):
    """Where one region × purchase option's EC2 prices come from, and when they held."""

    region: Region
    purchase: Purchase
    kind: Literal["embedded", "refreshed", "custom"]
    as_of: date | None = Field(description="None: the source states no date")
    description: str
    note: str | None = None

    def line(self) -> str:
        return source_lines([self])[0]


def source_lines(sources: list[PriceSource]) -> list[str]:
    """One line per distinct source, naming every region × purchase option it covers."""
    groups: dict[tuple[str, str, str, str | None], list[str]] = {}
    for s in sources:
        when = s.as_of.isoformat() if s.as_of else "undated"
        key = (s.kind, when, s.description, s.note)
        groups.setdefault(key, []).append(f"{s.region} {s.purchase}")
    lines = []
    for (kind, when, description, note), scopes in groups.items():
        text = f"{', '.join(scopes)}: {kind} ({when}) {description}"
        lines.append(f"{text}; {note}" if note else text)
    return lines


class Gap(Model):
    """Families a source is known to lack in a region: reported as missing, never zero."""

    region: str
    families: list[str]
    reason: str
