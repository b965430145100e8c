"""Prices that are not there: collected while pricing, reported once (as infracost does),
never silently priced at zero."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from estimator._model import Model

_MAX_FAMILIES = 6


class MissingPrice(Model):
    item: str  # "c7a.large", "lambda arm64", "fargate x86_64"
    region: str
    purchase: str
    reason: str


class MissingPrices:
    """A collector a caller passes to the catalog's look-ups; each missing price is kept once.

    >>> missing = MissingPrices()
    >>> catalog.find("c7a.large", "ap-southeast-1", missing=missing)  # None
    >>> print(missing.summary())"""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str, str], MissingPrice] = {}

    @classmethod
    def of(cls, items: Iterable[MissingPrice]) -> MissingPrices:
        out = cls()
        for m in items:
            out.add(m.item, m.region, m.purchase, m.reason)
        return out

    def add(self, item: str, region: str, purchase: str, reason: str) -> None:
        key = (item, region, purchase)
        if key not in self._items:
            self._items[key] = MissingPrice(
                item=item, region=region, purchase=purchase, reason=reason
            )

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __iter__(self) -> Iterator[MissingPrice]:
        return iter(self._items.values())

    def items(self) -> list[MissingPrice]:
        return list(self._items.values())

    def lines(self) -> list[str]:
        """One line per reason and region, the items it covers grouped by family."""
        groups: dict[tuple[str, str, str], list[str]] = {}
        for m in self._items.values():
            groups.setdefault((m.region, m.purchase, m.reason), []).append(m.item)
        out = []
        for (region, purchase, reason), items in groups.items():
            out.append(f"{region} {purchase}: {compact_types(items)}: {reason}")
        return out

    def summary(self) -> str:
        """One paragraph: how many prices are missing and why ('' when none)."""
        if not self._items:
            return ""
        n = len(self._items)
        head = f"{n} price{'s' if n != 1 else ''} missing (left out, not counted as zero)"
        return head + ": " + "; ".join(self.lines())


def compact_types(items: list[str]) -> str:
    """['c7a.large', 'c7a.xlarge', 'm7a.large'] -> 'c7a.{large,xlarge}, m7a.large'."""
    families: dict[str, list[str]] = {}
    plain: list[str] = []
    for item in items:
        if "." in item and " " not in item:
            family, size = item.split(".", 1)
            families.setdefault(family, []).append(size)
        else:
            plain.append(item)
    if len(families) > _MAX_FAMILIES:
        n = sum(len(sizes) for sizes in families.values())
        parts = [f"{n} types in {len(families)} families ({', '.join(families)})"]
    else:
        parts = [
            f"{fam}.{sizes[0]}" if len(sizes) == 1 else f"{fam}.{{{','.join(sizes)}}}"
            for fam, sizes in families.items()
        ]
    return ", ".join(parts + plain)
