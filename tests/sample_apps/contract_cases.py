"""The contract's request cases: path, body, expected status and error, extra checks.
Run against all three apps by test_contract.py, in this order (writes included)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.sample_apps.apps import sample_module

contract = sample_module("common.contract")
orders = sample_module("common.orders")
seed_data = sample_module("common.seed_data")
workload = sample_module("common.workload")

SEEDED_ORDERS = seed_data.ORDERS


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str
    status: int
    body: bytes | None = None
    content_type: str | None = None
    error: tuple[str, str | None] | None = None
    """(code, field) of the expected error"""
    check: Callable[[Any], Any] | None = None


def ok(path: str, check: Callable[[Any], Any] | None = None) -> Case:
    return Case(f"GET {path}", "GET", path, 200, check=check)


def bad_param(path: str, name: str) -> Case:
    return Case(f"GET {path}", "GET", path, 400, error=("invalid_parameter", name))


def not_found(path: str, method: str = "GET") -> Case:
    return Case(f"{method} {path}", method, path, 404, error=("not_found", None))


def not_allowed(method: str, path: str) -> Case:
    return Case(f"{method} {path}", method, path, 405, error=("method_not_allowed", None))


def order(
    case_id: str,
    payload: Any,
    status: int,
    error: tuple[str, str | None] | None = None,
    *,
    content_type: str | None = "application/json",
    raw: bytes | None = None,
    check: Callable[[Any], Any] | None = None,
) -> Case:
    body = raw if raw is not None else json.dumps(payload).encode()
    return Case(
        f"POST order {case_id}", "POST", "/api/orders", status, body, content_type, error, check
    )


def ids(first: int, count: int) -> Callable[[Any], None]:
    def check(page: Any) -> None:
        assert [p["id"] for p in page["items"]] == list(range(first, first + count))
        assert page["total"] == seed_data.PRODUCTS

    return check


def equals(expected: Any) -> Callable[[Any], None]:
    def check(data: Any) -> None:
        assert data == expected

    return check


def field_is(key: str, expected: Any) -> Callable[[Any], None]:
    def check(data: Any) -> None:
        assert data[key] == expected

    return check


def message(text: str) -> Callable[[Any], None]:
    def check(data: Any) -> None:
        assert data["error"]["message"] == text

    return check


def placed(customer_id: int, lines: list[tuple[int, int]]) -> Callable[[Any], None]:
    prices = {p.id: p.price_cents for p in seed_data.products(seed_data.Lcg(20240101))}

    def check(data: Any) -> None:
        assert data["customer_id"] == customer_id
        assert data["status"] == "placed"
        assert data["id"] > SEEDED_ORDERS
        got = [(i["product_id"], i["quantity"], i["unit_price_cents"]) for i in data["items"]]
        assert got == [(p, q, prices[p]) for p, q in lines]
        subtotal, tax, total = orders.totals([(q, prices[p]) for p, q in lines])
        assert (data["subtotal_cents"], data["tax_cents"], data["total_cents"]) == (
            subtotal,
            tax,
            total,
        )

    return check


def item(product_id: Any = 1, quantity: Any = 1, **extra: Any) -> dict[str, Any]:
    return {"product_id": product_id, "quantity": quantity, **extra}


MAX_ID = contract.MAX_ID
FIFTY = [item(p, 100) for p in range(1, 51)]

CASES = [
    ok("/healthz", equals({"status": "ok"})),
    ok("/api/products", ids(1, 20)),
    ok("/api/products?limit=5&offset=10", ids(11, 5)),
    ok("/api/products?offset=10&limit=5&unrelated=x", ids(11, 5)),
    ok("/api/products?limit=100&offset=950", ids(951, 50)),
    ok("/api/products?limit=1&offset=0012", ids(13, 1)),
    ok("/api/products?offset=1000000", ids(1, 0)),
    bad_param("/api/products?limit=0", "limit"),
    bad_param("/api/products?limit=101", "limit"),
    bad_param("/api/products?limit=-1", "limit"),
    bad_param("/api/products?limit=abc", "limit"),
    bad_param("/api/products?limit=", "limit"),
    bad_param("/api/products?limit", "limit"),
    bad_param("/api/products?limit=1.5", "limit"),
    bad_param("/api/products?limit=+5", "limit"),
    bad_param("/api/products?limit=%205", "limit"),
    bad_param("/api/products?limit=%EF%BC%95", "limit"),  # fullwidth digit five
    bad_param("/api/products?limit=99999999999999999999", "limit"),
    bad_param("/api/products?limit=5&limit=6", "limit"),
    bad_param("/api/products?offset=-1", "offset"),
    bad_param("/api/products?offset=1000001", "offset"),
    bad_param("/api/products?limit=5&offset=x", "offset"),
    Case(
        "limit message",
        "GET",
        "/api/products?limit=abc",
        400,
        error=("invalid_parameter", "limit"),
        check=message("limit must be an integer from 1 to 100, got 'abc'"),
    ),
    Case(
        "repeated message",
        "GET",
        "/api/products?offset=1&offset=1",
        400,
        error=("invalid_parameter", "offset"),
        check=message("offset was given 2 times; give it once"),
    ),
    ok("/api/products/1"),
    ok("/api/products/1000"),
    ok("/api/products/3", field_is("name", seed_data.UNICODE_PRODUCT_NAME)),
    ok("/api/products/7", field_is("name", seed_data.MARKUP_PRODUCT_NAME)),
    ok("/api/products/007", field_is("id", 7)),
    not_found("/api/products/0"),
    not_found("/api/products/1001"),
    not_found(f"/api/products/{MAX_ID}"),
    not_found(f"/api/products/{MAX_ID + 1}"),
    not_found("/api/products/99999999999999999999999999"),
    not_found("/api/products/-1"),
    not_found("/api/products/abc"),
    not_found("/api/products/1.0"),
    Case(
        "missing product message",
        "GET",
        "/api/products/1001",
        404,
        error=("not_found", None),
        check=message("no product with id 1001"),
    ),
    ok("/api/orders/1"),
    ok(f"/api/orders/{SEEDED_ORDERS}"),
    not_found(f"/api/orders/{SEEDED_ORDERS + 10_000}"),
    not_found("/api/orders/abc"),
    ok("/compute", equals(workload.run(contract.COMPUTE_SIZE.default))),
    ok("/compute?size=1", equals(workload.run(1))),
    ok("/compute?size=12345", equals(workload.run(12345))),
    bad_param("/compute?size=0", "size"),
    bad_param("/compute?size=100001", "size"),
    bad_param("/compute?size=ten", "size"),
    ok("/upstream?ms=0", equals({"waited_ms": 0})),
    ok("/upstream?ms=5", equals({"waited_ms": 5})),
    ok("/upstream", equals({"waited_ms": contract.UPSTREAM_MS.default})),
    bad_param("/upstream?ms=2001", "ms"),
    bad_param("/upstream?ms=-5", "ms"),
    bad_param("/upstream?ms=1&ms=2", "ms"),
    not_found("/"),
    not_found("/nope"),
    not_found("/healthz/"),
    not_found("/api/products/"),
    not_found("/api/orders/1/items"),
    not_found("/nope", method="POST"),
    not_allowed("DELETE", "/healthz"),
    not_allowed("POST", "/healthz"),
    not_allowed("GET", "/api/orders"),
    not_allowed("PUT", "/api/products/1"),
    not_allowed("DELETE", "/api/orders/1"),
    not_allowed("POST", "/report"),
    not_allowed("POST", "/compute"),
    # orders: accepted
    order(
        "two lines",
        {"customer_id": 1, "items": [item(7, 2), item(3, 1)]},
        201,
        check=placed(1, [(7, 2), (3, 1)]),
    ),
    order(
        "fifty lines",
        {"customer_id": 1000, "items": FIFTY},
        201,
        check=placed(1000, [(p, 100) for p in range(1, 51)]),
    ),
    order(
        "charset",
        {"customer_id": 2, "items": [item(5, 1)]},
        201,
        content_type="application/json; charset=utf-8",
        check=placed(2, [(5, 1)]),
    ),
    order(
        "uppercase type",
        {"customer_id": 3, "items": [item(6, 4)]},
        201,
        content_type="Application/JSON",
        check=placed(3, [(6, 4)]),
    ),
    # orders: transport
    order(
        "no content type",
        {"customer_id": 1, "items": [item()]},
        415,
        ("unsupported_media_type", None),
        content_type=None,
    ),
    order(
        "text/plain",
        {"customer_id": 1, "items": [item()]},
        415,
        ("unsupported_media_type", None),
        content_type="text/plain",
    ),
    order(
        "form",
        None,
        415,
        ("unsupported_media_type", None),
        content_type="application/x-www-form-urlencoded",
        raw=b"customer_id=1",
    ),
    order(
        "too large",
        None,
        413,
        ("payload_too_large", None),
        raw=b'{"customer_id": 1, "items": []' + b" " * (70 * 1024) + b"}",
    ),
    order("not json", None, 400, ("invalid_json", None), raw=b"{"),
    order("truncated", None, 400, ("invalid_json", None), raw=b'{"customer_id": 1, "items": [1,'),
    order("not utf-8", None, 400, ("invalid_json", None), raw=b"\xff\xfe{"),
    order(
        "huge number",
        None,
        400,
        ("invalid_json", None),
        raw=b'{"customer_id": 1' + b"0" * 5000 + b"}",
    ),
    order(
        "json message",
        None,
        400,
        ("invalid_json", None),
        raw=b"{",
        check=message(
            "the request body is not valid JSON (Expecting property name enclosed "
            "in double quotes at position 1)"
        ),
    ),
    order("empty", None, 422, ("invalid_body", None), raw=b""),
    order("null", None, 422, ("invalid_body", None)),
    order("list", [], 422, ("invalid_body", None)),
    order("string", "order", 422, ("invalid_body", None)),
    order(
        "empty object",
        {},
        422,
        ("invalid_body", "customer_id"),
        check=message("customer_id is required"),
    ),
    # orders: fields
    order("no items", {"customer_id": 1}, 422, ("invalid_body", "items")),
    order(
        "customer string",
        {"customer_id": "1", "items": [item()]},
        422,
        ("invalid_body", "customer_id"),
        check=message(f"customer_id must be an integer from 1 to {MAX_ID}"),
    ),
    order(
        "customer float",
        {"customer_id": 1.0, "items": [item()]},
        422,
        ("invalid_body", "customer_id"),
    ),
    order(
        "customer bool",
        {"customer_id": True, "items": [item()]},
        422,
        ("invalid_body", "customer_id"),
    ),
    order(
        "customer null",
        {"customer_id": None, "items": [item()]},
        422,
        ("invalid_body", "customer_id"),
    ),
    order(
        "customer zero", {"customer_id": 0, "items": [item()]}, 422, ("invalid_body", "customer_id")
    ),
    order(
        "customer too big",
        {"customer_id": MAX_ID + 1, "items": [item()]},
        422,
        ("invalid_body", "customer_id"),
    ),
    order(
        "customer NaN",
        None,
        422,
        ("invalid_body", "customer_id"),
        raw=b'{"customer_id": NaN, "items": [{"product_id": 1, "quantity": 1}]}',
    ),
    order(
        "items empty",
        {"customer_id": 1, "items": []},
        422,
        ("invalid_body", "items"),
        check=message("items must be a list of 1 to 50 line items"),
    ),
    order(
        "items 51", {"customer_id": 1, "items": [*FIFTY, item(51)]}, 422, ("invalid_body", "items")
    ),
    order(
        "items object",
        {"customer_id": 1, "items": {"product_id": 1}},
        422,
        ("invalid_body", "items"),
    ),
    order(
        "item not object",
        {"customer_id": 1, "items": [item(), 5]},
        422,
        ("invalid_body", "items[1]"),
        check=message("items[1] must be an object with 'product_id' and 'quantity'"),
    ),
    order(
        "item no product",
        {"customer_id": 1, "items": [{"quantity": 1}]},
        422,
        ("invalid_body", "items[0].product_id"),
        check=message("items[0].product_id is required"),
    ),
    order(
        "item no quantity",
        {"customer_id": 1, "items": [{"product_id": 1}]},
        422,
        ("invalid_body", "items[0].quantity"),
    ),
    order(
        "quantity zero",
        {"customer_id": 1, "items": [item(1, 0)]},
        422,
        ("invalid_body", "items[0].quantity"),
        check=message("items[0].quantity must be an integer from 1 to 100"),
    ),
    order(
        "quantity 101",
        {"customer_id": 1, "items": [item(1, 101)]},
        422,
        ("invalid_body", "items[0].quantity"),
    ),
    order(
        "quantity string",
        {"customer_id": 1, "items": [item(2, 1), item(1, "2")]},
        422,
        ("invalid_body", "items[1].quantity"),
    ),
    order(
        "product negative",
        {"customer_id": 1, "items": [item(-3, 1)]},
        422,
        ("invalid_body", "items[0].product_id"),
    ),
    order(
        "unknown key",
        {"customer_id": 1, "items": [item()], "coupon": "X"},
        422,
        ("invalid_body", "coupon"),
        check=message("unknown field coupon; allowed: customer_id, items"),
    ),
    order(
        "unknown item key",
        {"customer_id": 1, "items": [item(note="gift")]},
        422,
        ("invalid_body", "items[0].note"),
        check=message("unknown field items[0].note; allowed: product_id, quantity"),
    ),
    # orders: which error is reported first (pydantic's order)
    order(
        "first: customer before items",
        {"customer_id": "x", "items": "y"},
        422,
        ("invalid_body", "customer_id"),
    ),
    order(
        "first: item before unknown key",
        {"zz": 1, "customer_id": 1, "items": [item(0)]},
        422,
        ("invalid_body", "items[0].product_id"),
    ),
    order(
        "first: product before quantity",
        {"customer_id": 1, "items": [{"quantity": 0}]},
        422,
        ("invalid_body", "items[0].product_id"),
    ),
    order(
        "first: quantity before item key",
        {"customer_id": 1, "items": [item(1, 0, x=1)]},
        422,
        ("invalid_body", "items[0].quantity"),
    ),
    order(
        "first: item key before next item",
        {"customer_id": 1, "items": [item(x=1), 5]},
        422,
        ("invalid_body", "items[0].x"),
    ),
    order(
        "first: unknown keys in order",
        {"b": 1, "a": 2, "customer_id": 1, "items": [item()]},
        422,
        ("invalid_body", "b"),
    ),
    order(
        "first: unknown key before duplicate",
        {"customer_id": 1, "items": [item(), item()], "x": 1},
        422,
        ("invalid_body", "x"),
    ),
    order(
        "first: length before items",
        {"customer_id": 1, "items": [5] * 51},
        422,
        ("invalid_body", "items"),
    ),
    # orders: meaning
    order(
        "duplicate product",
        {"customer_id": 1, "items": [item(4), item(5), item(4, 2)]},
        422,
        ("invalid_body", "items[2].product_id"),
        check=message(
            "items[2].product_id: product 4 is already in items[0]; combine the quantities"
        ),
    ),
    order(
        "unknown customer",
        {"customer_id": 1001, "items": [item()]},
        422,
        ("unknown_customer", "customer_id"),
        check=message("no customer with id 1001"),
    ),
    order(
        "unknown product",
        {"customer_id": 1, "items": [item(1), item(5000), item(6000)]},
        422,
        ("unknown_product", "items[1].product_id"),
        check=message("no product with id 5000"),
    ),
    order(
        "unknown customer first",
        {"customer_id": 5000, "items": [item(5000)]},
        422,
        ("unknown_customer", "customer_id"),
    ),
]
