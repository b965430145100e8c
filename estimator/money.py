"""Money: Decimal everywhere, one place for the hours in a month."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HOURS_PER_MONTH = Decimal(730)
"""The billing convention AWS and infracost use for a month of an always-on resource."""

CENT = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """Parse a price exactly (strings, not floats, to keep every published digit)."""
    if isinstance(value, float):  # pragma: no cover - a programming error
        raise TypeError("money must not pass through float; use a str or Decimal")
    return Decimal(value)


def cents(value: Decimal) -> Decimal:
    """Round for display only; computations keep full precision."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def monthly(hourly: Decimal) -> Decimal:
    return hourly * HOURS_PER_MONTH
