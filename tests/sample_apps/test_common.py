"""The stdlib pieces the three apps share: the workload, the seed data, formatting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.sample_apps.apps import sample_module

contract = sample_module("common.contract")
formatting = sample_module("common.formatting")
seed_data = sample_module("common.seed_data")
workload = sample_module("common.workload")


@pytest.mark.parametrize(
    ("size", "checksum", "median", "top"),
    [
        (1, 0, 28160, [0]),
        (7, 2668116681, 13554, [3, 0, 6, 2, 5]),
        (2000, 43661272, 19116, [382, 695, 1724, 902, 1982]),
    ],
)
def test_workload_is_pinned(size: int, checksum: int, median: int, top: list[int]) -> None:
    """Stored results compare runs of /compute over time: its work must not drift. These
    values were also produced by PyPy 3.9; change them only with the workload on purpose."""
    result = workload.run(size)
    assert result["size"] == size
    assert result["checksum"] == checksum
    assert result["median_amount"] == median
    assert result["top_ids"][:5] == top
    assert sum(c["count"] for c in result["categories"]) == size
    for c in result["categories"]:
        assert c["min"] <= c["mean"] <= c["max"]


def test_compute_default_is_bounded() -> None:
    spec = contract.COMPUTE_SIZE
    assert spec.minimum <= spec.default <= spec.maximum
    assert contract.UPSTREAM_MS.maximum == 2_000


def test_seed_data_is_deterministic_and_consistent() -> None:
    first, second = seed_data.generate(), seed_data.generate()
    assert first == second
    assert len(first.products) == seed_data.PRODUCTS
    assert len(first.customers) == seed_data.CUSTOMERS
    assert len(first.orders) == seed_data.ORDERS
    assert len({c.email for c in first.customers}) == seed_data.CUSTOMERS
    assert len({p.sku for p in first.products}) == seed_data.PRODUCTS
    lines: dict[int, list[Any]] = {}
    for it in first.order_items:
        lines.setdefault(it.order_id, []).append(it)
    prices = {p.id: p.price_cents for p in first.products}
    for order in first.orders:
        items = lines[order.id]
        assert 1 <= len(items) <= 4
        assert len({i.product_id for i in items}) == len(items)
        assert all(i.unit_price_cents == prices[i.product_id] for i in items)
        subtotal = sum(i.quantity * i.unit_price_cents for i in items)
        assert order.subtotal_cents == subtotal
        assert order.total_cents == subtotal + order.tax_cents
    assert first.products[seed_data.MARKUP_PRODUCT_ID - 1].name == seed_data.MARKUP_PRODUCT_NAME


def test_seed_rows_are_pinned() -> None:
    """A change to the generator changes every app's data: make it deliberate (and bump
    SEED_VERSION, so databases built before are refused rather than silently mixed)."""
    data = seed_data.generate()
    assert data.products[0][1:5] == ("SKU-00001", "Ergonomic Copper Kettle", "grocery", 10849)
    assert data.orders[-1].total_cents == 86598
    assert sum(o.total_cents for o in data.orders) == 222611660  # also what PyPy 3.9 gives
    assert len(data.order_items) == 4960


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "$0.00"), (5, "$0.05"), (199, "$1.99"), (123456789, "$1,234,567.89"), (-250, "-$2.50")],
)
def test_money(cents: int, text: str) -> None:
    assert formatting.money(cents) == text


def test_iso_utc() -> None:
    naive = dt.datetime(2024, 1, 2, 3, 4, 5)
    aware = dt.datetime(2024, 1, 2, 4, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert formatting.iso_utc(naive) == formatting.iso_utc(aware) == "2024-01-02T03:04:05Z"


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], 20), (["1"], 1), (["100"], 100), (["007"], 7)],
)
def test_int_param_accepts(values: list[str], expected: int) -> None:
    assert contract.int_param(contract.LIMIT, values) == expected


@pytest.mark.parametrize("value", ["0", "101", "", " 5", "5 ", "+5", "1e2", "0x10", "٥", "5\n"])
def test_int_param_rejects(value: str) -> None:
    with pytest.raises(contract.ContractError) as info:
        contract.int_param(contract.LIMIT, [value])
    assert (info.value.status, info.value.code, info.value.field) == (
        400,
        "invalid_parameter",
        "limit",
    )
    assert repr(value)[:10] in info.value.message


def test_long_values_are_cut_in_messages() -> None:
    with pytest.raises(contract.ContractError) as info:
        contract.int_param(contract.LIMIT, ["x" * 10_000])
    assert len(info.value.message) < 200
