"""How values look in responses, the same in every app: timestamps and money."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple


def iso_utc(value: dt.datetime) -> str:
    """'2024-01-01T08:05:00Z'; a naive datetime is taken as UTC (how SQLAlchemy stores it)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> dt.datetime:
    """Now, aware, whole seconds (what the apps store for a new order)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def money(cents: int) -> str:
    """12345678 -> '$123,456.78'."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


class ReportRow(NamedTuple):
    rank: int
    sku: str
    name: str
    category: str
    units: int
    revenue: str


def report_rows(rows: Iterable[Sequence[Any]]) -> list[ReportRow]:
    """(sku, name, category, units, revenue cents), best first -> numbered display rows."""
    return [
        ReportRow(rank, sku, name, category, units, money(revenue))
        for rank, (sku, name, category, units, revenue) in enumerate(rows, start=1)
    ]
