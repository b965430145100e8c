"""The endpoints, as one blueprint. Request parsing and the error messages come from
`common` so that they match the other two apps exactly."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from common import contract, orders, workload
from common.formatting import report_rows
from common.sqla_models import Order, OrderItem, Product, place_order
from flask_app.db import session
from flask_app.serialize import order_json, product_json

bp = Blueprint("shop", __name__)

Json = dict[str, Any]


@bp.get("/healthz")
def healthz() -> Json:
    return {"status": "ok"}


@bp.get("/api/products")
def list_products() -> Json:
    limit = contract.int_param(contract.LIMIT, request.args.getlist("limit"))
    offset = contract.int_param(contract.OFFSET, request.args.getlist("offset"))
    db = session()
    total = db.scalar(select(func.count()).select_from(Product))
    page = db.scalars(select(Product).order_by(Product.id).limit(limit).offset(offset))
    return {
        "items": [product_json(p) for p in page],
        "limit": limit,
        "offset": offset,
        "total": total,
    }


@bp.get("/api/products/<int:product_id>")
def get_product(product_id: int) -> Json:
    product = session().get(Product, product_id) if product_id <= contract.MAX_ID else None
    if product is None:
        raise contract.product_not_found(product_id)
    return product_json(product)


def _json_body() -> object:
    content_type = request.headers.get("Content-Type")
    contract.check_json_request(
        content_type, contract.content_length(request.headers.get("Content-Length"))
    )
    raw = request.get_data(cache=False)
    contract.check_json_request(content_type, len(raw))
    if not raw:
        raise orders.invalid(())
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise orders.invalid_json(f"{exc.msg} at position {exc.pos}") from None
    except ValueError:  # not UTF-8, a number over the int digit limit...
        raise orders.invalid_json(None) from None


@bp.post("/api/orders")
def create_order() -> tuple[Json, int, dict[str, str]]:
    wanted = orders.validate_order(_json_body())
    order = place_order(session(), wanted.customer_id, wanted.lines)
    return order_json(order), 201, {"Location": f"/api/orders/{order.id}"}


@bp.get("/api/orders/<int:order_id>")
def get_order(order_id: int) -> Json:
    order = None
    if order_id <= contract.MAX_ID:
        order = session().get(
            Order,
            order_id,
            options=[selectinload(Order.items).selectinload(OrderItem.product)],
        )
    if order is None:
        raise contract.order_not_found(order_id)
    return order_json(order)


@bp.get("/report")
def report() -> str:
    db = session()
    latest = db.scalar(select(func.max(Order.id))) or 0
    first = contract.report_first_order(latest)
    units = func.sum(OrderItem.quantity).label("units")
    revenue = func.sum(OrderItem.quantity * OrderItem.unit_price_cents).label("revenue")
    top = (
        select(Product.sku, Product.name, Product.category, units, revenue)
        .join(OrderItem, OrderItem.product_id == Product.id)
        .where(OrderItem.order_id >= first)
        .group_by(Product.id)
        .order_by(revenue.desc(), Product.id)
        .limit(contract.REPORT_ROWS)
    )
    return render_template(
        "report.html",
        title=contract.REPORT_TITLE,
        rows=report_rows(db.execute(top)),
        first_order=first,
        latest_order=latest,
    )


@bp.get("/compute")
def compute() -> Json:
    size = contract.int_param(contract.COMPUTE_SIZE, request.args.getlist("size"))
    return workload.run(size)


@bp.get("/upstream")
def upstream() -> Json:
    ms = contract.int_param(contract.UPSTREAM_MS, request.args.getlist("ms"))
    time.sleep(ms / 1000)  # a blocking call to a slow downstream service
    return {"waited_ms": ms}
