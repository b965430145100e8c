"""The endpoints. Database work is sync SQLAlchemy, so those endpoints are plain `def`
(FastAPI runs them in its thread pool); `/upstream` only waits, so it is `async def` with
`await asyncio.sleep`; `/healthz` does nothing and is `async def` too."""

import asyncio
from typing import Annotated, NamedTuple, Optional

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from common import contract, orders, workload
from common.formatting import iso_utc, report_rows
from common.sqla_models import Order, OrderItem, Product, place_order
from fastapi_app.db import get_session
from fastapi_app.schemas import (
    ComputeResult,
    Health,
    OrderIn,
    OrderLineOut,
    OrderOut,
    ProductOut,
    ProductPage,
    Waited,
)
from fastapi_app.settings import TEMPLATES_DIR

router = APIRouter()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


DbSession = Annotated[Session, Depends(get_session)]


def _query(spec: contract.IntParam, what: str) -> object:
    return Query(description=f"{what}: {spec.minimum} to {spec.maximum} (default {spec.default})")


LimitQuery = Annotated[Optional[str], _query(contract.LIMIT, "page size")]
OffsetQuery = Annotated[Optional[str], _query(contract.OFFSET, "rows to skip")]
SizeQuery = Annotated[Optional[str], _query(contract.COMPUTE_SIZE, "records to generate")]
MsQuery = Annotated[Optional[str], _query(contract.UPSTREAM_MS, "milliseconds to wait")]


class Page(NamedTuple):
    limit: int
    offset: int


# The parameters are parsed by the contract's rules from all the values given (a repeated
# parameter is an error, as in the other apps); the declarations document them.


async def page_params(
    request: Request, limit: LimitQuery = None, offset: OffsetQuery = None
) -> Page:
    query = request.query_params
    return Page(
        contract.int_param(contract.LIMIT, query.getlist("limit")),
        contract.int_param(contract.OFFSET, query.getlist("offset")),
    )


async def size_param(request: Request, size: SizeQuery = None) -> int:
    return contract.int_param(contract.COMPUTE_SIZE, request.query_params.getlist("size"))


async def ms_param(request: Request, ms: MsQuery = None) -> int:
    return contract.int_param(contract.UPSTREAM_MS, request.query_params.getlist("ms"))


async def json_body(request: Request) -> None:
    """413/415 before the body is validated (FastAPI has already read it)."""
    contract.check_json_request(request.headers.get("content-type"), len(await request.body()))


def order_out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.id,
        customer_id=order.customer_id,
        status=order.status,
        created_at=iso_utc(order.created_at),
        items=[
            OrderLineOut(
                product_id=item.product_id,
                sku=item.product.sku,
                name=item.product.name,
                quantity=item.quantity,
                unit_price_cents=item.unit_price_cents,
                line_total_cents=item.quantity * item.unit_price_cents,
            )
            for item in order.items
        ],
        subtotal_cents=order.subtotal_cents,
        tax_cents=order.tax_cents,
        total_cents=order.total_cents,
    )


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/api/products", response_model=ProductPage)
def list_products(page: Annotated[Page, Depends(page_params)], db: DbSession) -> ProductPage:
    total = db.scalar(select(func.count()).select_from(Product)) or 0
    rows = db.scalars(select(Product).order_by(Product.id).limit(page.limit).offset(page.offset))
    return ProductPage(
        items=[ProductOut.model_validate(p) for p in rows],
        limit=page.limit,
        offset=page.offset,
        total=total,
    )


@router.get("/api/products/{product_id:int}", response_model=ProductOut)
def get_product(product_id: int, db: DbSession) -> ProductOut:
    product = db.get(Product, product_id) if product_id <= contract.MAX_ID else None
    if product is None:
        raise contract.product_not_found(product_id)
    return ProductOut.model_validate(product)


@router.post(
    "/api/orders",
    status_code=201,
    response_model=OrderOut,
    dependencies=[Depends(json_body)],
)
def create_order(body: OrderIn, response: Response, db: DbSession) -> OrderOut:
    lines = [orders.Line(line.product_id, line.quantity) for line in body.items]
    order = place_order(db, body.customer_id, lines)
    response.headers["Location"] = f"/api/orders/{order.id}"
    return order_out(order)


@router.get("/api/orders/{order_id:int}", response_model=OrderOut)
def get_order(order_id: int, db: DbSession) -> OrderOut:
    order = None
    if order_id <= contract.MAX_ID:
        order = db.get(
            Order,
            order_id,
            options=[selectinload(Order.items).selectinload(OrderItem.product)],
        )
    if order is None:
        raise contract.order_not_found(order_id)
    return order_out(order)


@router.get("/report", response_class=HTMLResponse)
def report(request: Request, db: DbSession) -> HTMLResponse:
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
    context = {
        "title": contract.REPORT_TITLE,
        "rows": report_rows(db.execute(top)),
        "first_order": first,
        "latest_order": latest,
    }
    return templates.TemplateResponse(request, "report.html", context)


@router.get("/compute", response_model=ComputeResult)
def compute(size: Annotated[int, Depends(size_param)]) -> ComputeResult:
    return ComputeResult.model_validate(workload.run(size))


@router.get("/upstream", response_model=Waited)
async def upstream(ms: Annotated[int, Depends(ms_param)]) -> Waited:
    await asyncio.sleep(ms / 1000)  # a non-blocking call to a slow downstream service
    return Waited(waited_ms=ms)
