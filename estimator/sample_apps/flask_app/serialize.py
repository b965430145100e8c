"""The JSON form of the shop's rows (the tables are `common.sqla_models`, shared with the
FastAPI app, which serializes through pydantic instead)."""

from __future__ import annotations

from typing import Any

from common.formatting import iso_utc
from common.sqla_models import Order, OrderItem, Product


def product_json(p: Product) -> dict[str, Any]:
    return {
        "id": p.id,
        "sku": p.sku,
        "name": p.name,
        "category": p.category,
        "price_cents": p.price_cents,
        "description": p.description,
    }


def order_json(o: Order) -> dict[str, Any]:
    return {
        "id": o.id,
        "customer_id": o.customer_id,
        "status": o.status,
        "created_at": iso_utc(o.created_at),
        "items": [item_json(item) for item in o.items],
        "subtotal_cents": o.subtotal_cents,
        "tax_cents": o.tax_cents,
        "total_cents": o.total_cents,
    }


def item_json(i: OrderItem) -> dict[str, Any]:
    return {
        "product_id": i.product_id,
        "sku": i.product.sku,
        "name": i.product.name,
        "quantity": i.quantity,
        "unit_price_cents": i.unit_price_cents,
        "line_total_cents": i.quantity * i.unit_price_cents,
    }
