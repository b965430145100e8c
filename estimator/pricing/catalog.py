"""The price catalog later stages query: filter, look up one type, collect missing prices."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from pydantic import Field, PrivateAttr, model_validator

from estimator._model import Model
from estimator.errors import ConfigError, PricingError
from estimator.pricing.missing import MissingPrices
from estimator.pricing.models import (
    ARCHES,
    PURCHASES,
    Arch,
    FargatePrice,
    Gap,
    InstanceType,
    LambdaPrice,
    PriceSource,
    Purchase,
    size_rank,
    source_lines,
    split_type,
)

_ARCH_ALIASES: dict[str, Arch] = {
    "x86_64": "x86_64",
    "x86": "x86_64",
    "amd64": "x86_64",
    "x64": "x86_64",
    "arm64": "arm64",
    "arm": "arm64",
    "aarch64": "arm64",
    "graviton": "arm64",
}


def normalize_arch(value: str) -> Arch:
    """'amd64' -> 'x86_64', 'aarch64'/'graviton' -> 'arm64'; anything else is an error."""
    arch = _ARCH_ALIASES.get(value.strip().lower())
    if arch is None:
        raise ConfigError(
            f"unknown architecture {value!r}: use one of {', '.join(ARCHES)} "
            "(aliases: x86, amd64, arm, aarch64, graviton)"
        )
    return arch


def normalize_purchase(value: str) -> Purchase:
    for p in PURCHASES:
        if value.strip().lower() in (p, p.replace("-", ""), p.replace("-", "_")):
            return p
    raise ConfigError(f"unknown purchase option {value!r}: use one of {', '.join(PURCHASES)}")


MAX_PRICE = Decimal(1_000_000)
"""Dollars an hour: above it a price is a typo (and `1e30` would overflow exact arithmetic)."""


def _decimal(value: str | Decimal) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def parse_price(value: str | Decimal, what: str) -> Decimal:
    """A non-negative exact price from user input ('0.05', '$0.05'), at most $1,000,000 and
    to at most 12 decimal places."""
    price = _decimal(str(value).strip().lstrip("$"))
    if price is None:
        raise ConfigError(f"{what} = {value!r}: not a number; use dollars, e.g. 0.05")
    if price < 0 or price > MAX_PRICE:
        raise ConfigError(
            f"{what} = {value!r}: use an amount in dollars from 0 to {MAX_PRICE:,}, e.g. 0.05"
        )
    if price != 0 and price.as_tuple().exponent < -12:  # type: ignore[operator]
        raise ConfigError(f"{what} = {value!r}: use at most 12 decimal places")
    return price


def parse_percent(value: str | Decimal, what: str, *, below: int | None = None) -> Decimal:
    """A percentage from user input ('12', '12.5', '12%'): from 0 up to `below` (exclusive)
    or 1,000,000."""
    pct = _decimal(str(value).strip().rstrip("%"))
    top = Decimal(below if below is not None else 1_000_000)
    if pct is None:
        raise ConfigError(f"{what} = {value!r}: not a number; give a percentage, e.g. 12")
    if pct < 0 or pct > top or (below is not None and pct == top):
        limit = f"below {top}" if below is not None else f"at most {top:,}"
        raise ConfigError(f"{what} = {value!r}: give a percentage from 0, {limit}, e.g. 12")
    if pct != 0 and pct.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ConfigError(f"{what} = {value!r}: use at most 6 decimal places")
    return pct


def _unknown(kind: str, value: str, known: Iterable[str], hint: str = "") -> ConfigError:
    known = sorted(known)
    close = difflib.get_close_matches(value, known, n=3)
    maybe = f" (did you mean {' or '.join(close)}?)" if close else ""
    return ConfigError(
        f"unknown {kind} {value!r}{maybe}; the catalog has: {', '.join(known)}{hint}"
    )


class Catalog(Model):
    """EC2 prices per (instance type, region, purchase option) plus Lambda and Fargate, with
    where each price comes from, known gaps, caveats and every override applied (`notes`).

    Build a changed catalog with `Catalog.model_validate(...)`, not `model_copy(update=...)`:
    the look-up index is made at validation."""

    provider: Literal["aws"] = "aws"
    currency: Literal["USD"] = "USD"
    snapshot_date: date
    source: str
    instances: list[InstanceType]
    lambda_prices: list[LambdaPrice]
    fargate_prices: list[FargatePrice]
    sources: list[PriceSource]
    gaps: list[Gap] = Field(default_factory=list)
    caveats: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    _index: dict[tuple[str, str, Purchase], InstanceType] = PrivateAttr(default_factory=dict)
    _specs: dict[str, InstanceType] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> Catalog:
        seen: set[tuple[str, str, Purchase]] = set()
        for it in self.instances:
            if it.key in seen:
                raise ValueError(f"two prices for {it.name} {it.region} {it.purchase}")
            seen.add(it.key)
        return self

    def model_post_init(self, context: Any, /) -> None:
        for it in self.instances:
            self._index[it.key] = it
            self._specs.setdefault(it.name, it)

    # --- what exists -------------------------------------------------------------------
    @property
    def regions(self) -> list[str]:
        """Regions with at least one EC2 price."""
        return sorted({it.region for it in self.instances})

    @property
    def families(self) -> list[str]:
        return sorted({it.family for it in self.instances})

    @property
    def instance_names(self) -> list[str]:
        """Every known type name, smallest first within a family."""
        return sorted(self._specs, key=lambda n: (split_type(n)[0], size_rank(split_type(n)[1])))

    def check_region(self, region: str) -> str:
        if region not in self.regions:
            hint = (
                f" (fetch live prices for another region with "
                f"`estimator pricing refresh --region {region}`)"
            )
            raise _unknown("region", region, self.regions, hint)
        return region

    def check_family(self, family: str) -> str:
        if family not in self.families:
            raise _unknown("instance family", family, self.families)
        return family

    def source_for(self, region: str, purchase: Purchase = "on-demand") -> PriceSource | None:
        for src in self.sources:
            if (src.region, src.purchase) == (region, purchase):
                return src
        return None

    # --- queries -----------------------------------------------------------------------
    def filter(
        self,
        *,
        region: str | None = None,
        family: str | Iterable[str] | None = None,
        arch: str | None = None,
        max_price: Decimal | str | None = None,
        purchase: str = "on-demand",
    ) -> list[InstanceType]:
        """Priced instance types matching every given filter, sorted by region, family, size.
        Unknown values raise `ConfigError` listing what exists; a type the catalog knows but
        has no price for here is absent (see `missing`)."""
        want_purchase = normalize_purchase(purchase)
        if region is not None:
            self.check_region(region)
        families = None
        if family is not None:
            families = {family} if isinstance(family, str) else set(family)
            for f in families:
                self.check_family(f)
        want_arch = normalize_arch(arch) if arch is not None else None
        ceiling = parse_price(max_price, "max price") if max_price is not None else None
        out = [
            it
            for it in self.instances
            if it.purchase == want_purchase
            and (region is None or it.region == region)
            and (families is None or it.family in families)
            and (want_arch is None or it.arch == want_arch)
            and (ceiling is None or it.usd_per_hour <= ceiling)
        ]
        return sorted(out, key=lambda it: (it.region, it.family, size_rank(it.size)))

    def find(
        self,
        name: str,
        region: str,
        purchase: str = "on-demand",
        missing: MissingPrices | None = None,
    ) -> InstanceType | None:
        """The type's price in the region, or None (recorded in `missing`) when the catalog
        knows the type but has no such price. Unknown names and regions raise `ConfigError`."""
        want = normalize_purchase(purchase)
        if name not in self._specs:
            raise _unknown("instance type", name, self.instance_names)
        self.check_region(region)
        found = self._index.get((name, region, want))
        if found is None and missing is not None:
            missing.add(name, region, want, self._why_missing(name, region, want))
        return found

    def get(self, name: str, region: str, purchase: str = "on-demand") -> InstanceType:
        """Like `find`, but a missing price is a `PricingError` naming why."""
        want = normalize_purchase(purchase)
        found = self.find(name, region, want)
        if found is None:
            why = self._why_missing(name, region, want)
            raise PricingError(f"no {want} price for {name} in {region}: {why}")
        return found

    def specs(self, name: str) -> InstanceType:
        """Any priced row of the type (vCPU, memory, cores are the same in every region)."""
        if name not in self._specs:
            raise _unknown("instance type", name, self.instance_names)
        return self._specs[name]

    def missing(
        self,
        *,
        region: str | None = None,
        family: str | Iterable[str] | None = None,
        arch: str | None = None,
        purchase: str = "on-demand",
        into: MissingPrices | None = None,
    ) -> MissingPrices:
        """Types the catalog knows (in any region) that have no price for the selection."""
        want = normalize_purchase(purchase)
        out = into if into is not None else MissingPrices()
        regions = [self.check_region(region)] if region is not None else self.regions
        families = None
        if family is not None:
            families = {family} if isinstance(family, str) else set(family)
            for f in families:
                self.check_family(f)
        want_arch = normalize_arch(arch) if arch is not None else None
        for r in regions:
            for name in self.instance_names:
                spec = self._specs[name]
                if families is not None and spec.family not in families:
                    continue
                if want_arch is not None and spec.arch != want_arch:
                    continue
                if (name, r, want) not in self._index:
                    out.add(name, r, want, self._why_missing(name, r, want))
        return out

    def lambda_price(
        self, region: str, arch: str = "x86_64", missing: MissingPrices | None = None
    ) -> LambdaPrice | None:
        return _serverless(self.lambda_prices, "Lambda", region, arch, missing)

    def fargate_price(
        self, region: str, arch: str = "x86_64", missing: MissingPrices | None = None
    ) -> FargatePrice | None:
        return _serverless(self.fargate_prices, "Fargate", region, arch, missing)

    # --- provenance --------------------------------------------------------------------
    def _why_missing(self, name: str, region: str, purchase: Purchase) -> str:
        family = split_type(name)[0]
        src = self.source_for(region, purchase)
        if src is None:
            if purchase == "spot":
                return (
                    f"no spot prices fetched for {region}: run "
                    f"`estimator pricing refresh --region {region} --spot`"
                )
            return f"no {purchase} prices for {region} in the catalog"
        if src.kind == "embedded":
            for gap in self.gaps:
                if gap.region == region and family in gap.families:
                    return f"not in the snapshot's source: {gap.reason}"
            return "not in the price snapshot"
        if src.kind == "refreshed":
            when = src.as_of.isoformat() if src.as_of else "?"
            return f"not returned by AWS when refreshed on {when}"
        return "not in the custom price file"

    def describe(self, region: str | None = None, purchase: str = "on-demand") -> list[str]:
        """Human lines: the catalog's date and source, then where the selection's prices come
        from, caveats that apply and every override applied."""
        want = normalize_purchase(purchase)
        lines = [f"Prices: {self.source}"]
        chosen = [s for s in self.sources if s.purchase == want and region in (None, s.region)]
        lines.extend(f"  {line}" for line in source_lines(chosen))
        lines.extend(f"Note: {note}" for note in self.notes)
        return lines


_Sheet = TypeVar("_Sheet", LambdaPrice, FargatePrice)


def _serverless(
    sheets: list[_Sheet], service: str, region: str, arch: str, missing: MissingPrices | None
) -> _Sheet | None:
    """The price sheet of `region` × `arch`; a gap goes into `missing` with the regions held."""
    a = normalize_arch(arch)
    for p in sheets:
        if (p.region, p.arch) == (region, a):
            return p
    if missing is not None:
        have = ", ".join(sorted({p.region for p in sheets})) or "none"
        what = f"{service} prices exist for {have} only"
        missing.add(f"{service.lower()} {a}", region, "on-demand", what)
    return None
