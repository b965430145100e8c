"""The deterministic seed data every app's database starts from.

A 64-bit linear congruential generator (Knuth's MMIX constants) instead of `random`, so the
rows are identical on every interpreter and Python version. Prices and totals are integer
cents. Two rows exercise the templates: product 7's name contains markup (it must come out
escaped in /report, which it reaches because it sells a lot) and product 3's is non-ASCII.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from common.orders import ORDER_STATUS, totals

SEED_VERSION = 1
"""Bump when the rows or the schema change: databases built by another version are refused."""

PRODUCTS = 1_000
CUSTOMERS = 1_000
ORDERS = 2_000
MARKUP_PRODUCT_ID = 7
MARKUP_PRODUCT_NAME = '<script>alert("pwned")</script> Deluxe Kit & "Friends"'
UNICODE_PRODUCT_ID = 3
UNICODE_PRODUCT_NAME = "Crème brûlée torch — 日本製"
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)

CATEGORIES = (
    "books",
    "garden",
    "grocery",
    "hardware",
    "health",
    "kitchen",
    "music",
    "office",
    "outdoors",
    "toys",
)
_ADJECTIVES = (
    "Compact", "Deluxe", "Durable", "Ergonomic", "Handmade", "Lightweight", "Modern",
    "Portable", "Rustic", "Sleek", "Smart", "Vintage",
)  # fmt: skip
_MATERIALS = (
    "Bamboo", "Cotton", "Copper", "Glass", "Granite", "Leather", "Linen", "Oak", "Steel", "Wool",
)  # fmt: skip
_NOUNS = (
    "Bottle", "Chair", "Clock", "Desk", "Kettle", "Lamp", "Notebook", "Planter", "Speaker",
    "Table", "Toolkit", "Umbrella",
)  # fmt: skip
_FIRST = (
    "Ada", "Alan", "Barbara", "Chen", "Dmitri", "Edsger", "Fatima", "Grace", "Hedy", "Ines",
    "John", "Katherine", "Linus", "Margaret", "Niklaus", "Olu", "Priya", "Radia", "Sofia", "Tim",
)  # fmt: skip
_LAST = (
    "Hopper", "Knuth", "Lovelace", "Liskov", "Nakamura", "Okafor", "Perlman", "Ritchie",
    "Shaw", "Torvalds", "Turing", "Wirth", "Zhou", "Dijkstra", "Hamilton", "Lamarr",
)  # fmt: skip
_COUNTRIES = ("AU", "BR", "CA", "DE", "FR", "GB", "IN", "JP", "NG", "US")


class Lcg:
    """x -> a*x + c mod 2**64; draws use the high bits (the low ones have short periods)."""

    _A = 6364136223846793005
    _C = 1442695040888963407
    _MASK = (1 << 64) - 1

    def __init__(self, seed: int) -> None:
        self.state = seed & self._MASK

    def below(self, n: int) -> int:
        """An int in [0, n)."""
        self.state = (self.state * self._A + self._C) & self._MASK
        return (self.state >> 33) % n

    def between(self, low: int, high: int) -> int:
        """An int in [low, high]."""
        return low + self.below(high - low + 1)


class ProductRow(NamedTuple):
    id: int
    sku: str
    name: str
    category: str
    price_cents: int
    description: str


class CustomerRow(NamedTuple):
    id: int
    name: str
    email: str
    country: str


class OrderRow(NamedTuple):
    id: int
    customer_id: int
    status: str
    created_at: dt.datetime
    subtotal_cents: int
    tax_cents: int
    total_cents: int


class OrderItemRow(NamedTuple):
    id: int
    order_id: int
    product_id: int
    quantity: int
    unit_price_cents: int


class SeedData(NamedTuple):
    products: list[ProductRow]
    customers: list[CustomerRow]
    orders: list[OrderRow]
    order_items: list[OrderItemRow]


def _pick(rng: Lcg, options: tuple[str, ...]) -> str:
    return options[rng.below(len(options))]


def products(rng: Lcg) -> list[ProductRow]:
    rows = []
    for i in range(1, PRODUCTS + 1):
        name = f"{_pick(rng, _ADJECTIVES)} {_pick(rng, _MATERIALS)} {_pick(rng, _NOUNS)}"
        price = rng.between(199, 24_999)
        if i == MARKUP_PRODUCT_ID:
            name, price = MARKUP_PRODUCT_NAME, 39_999
        elif i == UNICODE_PRODUCT_ID:
            name = UNICODE_PRODUCT_NAME
        category = CATEGORIES[rng.below(len(CATEGORIES))]
        description = (
            f"{name} from our {category} range. Ships in {rng.between(1, 9)} days; "
            f"{rng.between(1, 5)}-year warranty."
        )
        rows.append(ProductRow(i, f"SKU-{i:05d}", name, category, price, description))
    return rows


def customers(rng: Lcg) -> list[CustomerRow]:
    rows = []
    for i in range(1, CUSTOMERS + 1):
        first, last = _pick(rng, _FIRST), _pick(rng, _LAST)
        email = f"{first}.{last}.{i}@example.com".lower()
        rows.append(CustomerRow(i, f"{first} {last}", email, _pick(rng, _COUNTRIES)))
    return rows


def orders(rng: Lcg, catalog: list[ProductRow]) -> tuple[list[OrderRow], list[OrderItemRow]]:
    """Orders of 1-4 distinct products; every 10th order includes the markup product."""
    price = {p.id: p.price_cents for p in catalog}
    order_rows: list[OrderRow] = []
    item_rows: list[OrderItemRow] = []
    for order_id in range(1, ORDERS + 1):
        chosen: list[int] = []
        if order_id % 10 == 0:
            chosen.append(MARKUP_PRODUCT_ID)
        count = max(len(chosen), rng.between(1, 4))
        while len(chosen) < count:
            product_id = rng.between(1, PRODUCTS)
            if product_id not in chosen:
                chosen.append(product_id)
        lines = []
        for product_id in chosen:
            quantity = rng.between(1, 5)
            lines.append((quantity, price[product_id]))
            item_rows.append(
                OrderItemRow(len(item_rows) + 1, order_id, product_id, quantity, price[product_id])
            )
        subtotal, tax, total = totals(lines)
        created = EPOCH + dt.timedelta(minutes=97 * order_id + rng.below(60))
        customer_id = rng.between(1, CUSTOMERS)
        order_rows.append(
            OrderRow(order_id, customer_id, ORDER_STATUS, created, subtotal, tax, total)
        )
    return order_rows, item_rows


def generate() -> SeedData:
    rng = Lcg(20240101)
    catalog = products(rng)
    people = customers(rng)
    order_rows, item_rows = orders(rng, catalog)
    return SeedData(catalog, people, order_rows, item_rows)
