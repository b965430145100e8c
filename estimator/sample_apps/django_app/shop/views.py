"""The endpoints as function views. Request parsing and the error messages come from
`common` so that they match the other two apps exactly; `upstream` is an async view (it
only waits), the others are sync (ORM)."""

import asyncio
import functools
import json
from typing import Any, Callable, Optional

from django.db import transaction
from django.db.models import F, Max, Prefetch, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from common import contract, orders, workload
from common.formatting import report_rows, utc_now
from django_app.shop.models import Customer, Order, OrderItem, Product

Json = dict[str, Any]


def _json(data: Json, status: int = 200, headers: Optional[dict[str, str]] = None) -> JsonResponse:
    return JsonResponse(data, status=status, headers=headers)


def _error(error: contract.ContractError) -> JsonResponse:
    return _json(error.body(), status=error.status)


def endpoint(*methods: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Allow only `methods` (JSON 405 otherwise; GET allows HEAD) and turn a ContractError
    raised by the view into its JSON response. Keeps an async view async."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        if asyncio.iscoroutinefunction(view):

            @functools.wraps(view)
            async def async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                if request.method not in allowed:
                    return _error(contract.method_not_allowed(str(request.method), request.path))
                try:
                    return await view(request, *args, **kwargs)  # type: ignore[no-any-return]
                except contract.ContractError as exc:
                    return _error(exc)

            return async_view

        @functools.wraps(view)
        def sync_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                return _error(contract.method_not_allowed(str(request.method), request.path))
            try:
                return view(request, *args, **kwargs)  # type: ignore[no-any-return]
            except contract.ContractError as exc:
                return _error(exc)

        return sync_view

    return decorate


@endpoint("GET")
def healthz(request: HttpRequest) -> HttpResponse:
    return _json({"status": "ok"})


@endpoint("GET")
def product_list(request: HttpRequest) -> HttpResponse:
    limit = contract.int_param(contract.LIMIT, request.GET.getlist("limit"))
    offset = contract.int_param(contract.OFFSET, request.GET.getlist("offset"))
    total = Product.objects.count()
    page = Product.objects.order_by("id")[offset : offset + limit]
    return _json(
        {"items": [p.as_json() for p in page], "limit": limit, "offset": offset, "total": total}
    )


@endpoint("GET")
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = None
    if product_id <= contract.MAX_ID:
        product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise contract.product_not_found(product_id)
    return _json(product.as_json())


def _json_body(request: HttpRequest) -> object:
    content_type = request.META.get("CONTENT_TYPE")
    contract.check_json_request(
        content_type, contract.content_length(request.META.get("CONTENT_LENGTH"))
    )
    raw = request.body
    contract.check_json_request(content_type, len(raw))
    if not raw:
        raise orders.invalid(())
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise orders.invalid_json(f"{exc.msg} at position {exc.pos}") from None
    except ValueError:  # not UTF-8, a number over the int digit limit...
        raise orders.invalid_json(None) from None


@endpoint("POST")
def create_order(request: HttpRequest) -> HttpResponse:
    wanted = orders.validate_order(_json_body(request))
    # Reads first, then a transaction that only writes (SQLite takes the write lock at the
    # first INSERT and waits for it up to the busy timeout).
    if not Customer.objects.filter(pk=wanted.customer_id).exists():
        raise orders.unknown_customer(wanted.customer_id)
    found = Product.objects.in_bulk([line.product_id for line in wanted.lines])
    for i, line in enumerate(wanted.lines):
        if line.product_id not in found:
            raise orders.unknown_product(i, line.product_id)
    subtotal, tax, total = orders.totals(
        [(line.quantity, found[line.product_id].price_cents) for line in wanted.lines]
    )
    with transaction.atomic():
        order = Order.objects.create(
            customer_id=wanted.customer_id,
            status=orders.ORDER_STATUS,
            created_at=utc_now(),
            subtotal_cents=subtotal,
            tax_cents=tax,
            total_cents=total,
        )
        items = OrderItem.objects.bulk_create(
            [
                OrderItem(
                    order=order,
                    product=found[line.product_id],
                    quantity=line.quantity,
                    unit_price_cents=found[line.product_id].price_cents,
                )
                for line in wanted.lines
            ]
        )
    return _json(order.as_json(items), status=201, headers={"Location": f"/api/orders/{order.pk}"})


@endpoint("GET")
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = None
    if order_id <= contract.MAX_ID:
        items = OrderItem.objects.select_related("product").order_by("id")
        order = (
            Order.objects.prefetch_related(Prefetch("items", queryset=items))
            .filter(pk=order_id)
            .first()
        )
    if order is None:
        raise contract.order_not_found(order_id)
    return _json(order.as_json(order.items.all()))


@endpoint("GET")
def report(request: HttpRequest) -> HttpResponse:
    latest = Order.objects.aggregate(latest=Max("id"))["latest"] or 0
    first = contract.report_first_order(latest)
    top = (
        Product.objects.filter(order_items__order_id__gte=first)  # before annotate: limits it
        .annotate(
            units=Sum("order_items__quantity"),
            revenue=Sum(F("order_items__quantity") * F("order_items__unit_price_cents")),
        )
        .order_by("-revenue", "id")
        .values_list("sku", "name", "category", "units", "revenue")[: contract.REPORT_ROWS]
    )
    context = {
        "title": contract.REPORT_TITLE,
        "rows": report_rows(top),
        "first_order": first,
        "latest_order": latest,
    }
    return render(request, "shop/report.html", context)


@endpoint("GET")
def compute(request: HttpRequest) -> HttpResponse:
    size = contract.int_param(contract.COMPUTE_SIZE, request.GET.getlist("size"))
    return _json(workload.run(size))


@endpoint("GET")
async def upstream(request: HttpRequest) -> HttpResponse:
    """Waits like a call to a slow downstream service: `await asyncio.sleep` frees the event
    loop under ASGI; under WSGI Django runs this view in its own loop and the worker thread
    blocks for the wait, as `time.sleep` would."""
    ms = contract.int_param(contract.UPSTREAM_MS, request.GET.getlist("ms"))
    await asyncio.sleep(ms / 1000)
    return _json({"waited_ms": ms})


def not_found(request: HttpRequest, exception: Optional[Exception] = None) -> HttpResponse:
    return _error(contract.path_not_found(request.path))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(contract.internal_error())
