"""POST /api/orders: the body rules, their error messages and the totals.

Flask and Django validate with `validate_order`; FastAPI declares the same rules as pydantic
models and maps pydantic's errors back through `body_error`. Both report the *first* problem
in the same order pydantic lists them: customer_id, then items (each item's product_id,
quantity, then its unknown keys), then unknown top-level keys, then duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Union

from common.contract import MAX_ID, ContractError

ITEMS_MAX = 50
QUANTITY_MAX = 100
TAX_RATE_BP = 825
"""Sales tax in basis points (8.25%), applied to the subtotal, rounded half up to a cent."""
ORDER_STATUS = "placed"

ORDER_FIELDS = ("customer_id", "items")
ITEM_FIELDS = ("product_id", "quantity")

Loc = Sequence[Union[str, int]]


class Line(NamedTuple):
    product_id: int
    quantity: int


class OrderRequest(NamedTuple):
    customer_id: int
    lines: list[Line]


def field_path(loc: Loc) -> str | None:
    """('items', 0, 'quantity') -> 'items[0].quantity'; () -> None (the whole body)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or None


def _fields(names: Sequence[str]) -> str:
    return " and ".join(f"'{n}'" for n in names)


def _rule(loc: Loc) -> str:
    """What a valid value at `loc` is."""
    path = field_path(loc)
    if not loc:
        return f"the request body must be a JSON object with {_fields(ORDER_FIELDS)}"
    last = loc[-1]
    if last in ("customer_id", "product_id"):
        return f"{path} must be an integer from 1 to {MAX_ID}"
    if last == "quantity":
        return f"{path} must be an integer from 1 to {QUANTITY_MAX}"
    if last == "items":
        return f"items must be a list of 1 to {ITEMS_MAX} line items"
    return f"{path} must be an object with {_fields(ITEM_FIELDS)}"


def invalid(loc: Loc) -> ContractError:
    return ContractError(422, "invalid_body", _rule(loc), field_path(loc))


def missing(loc: Loc) -> ContractError:
    return ContractError(422, "invalid_body", f"{field_path(loc)} is required", field_path(loc))


def unknown_field(loc: Loc) -> ContractError:
    allowed = ITEM_FIELDS if len(loc) > 1 else ORDER_FIELDS
    path = field_path(loc)
    return ContractError(
        422, "invalid_body", f"unknown field {path}; allowed: {', '.join(allowed)}", path
    )


def duplicate_product(index: int, first: int, product_id: int) -> ContractError:
    path = f"items[{index}].product_id"
    return ContractError(
        422,
        "invalid_body",
        f"{path}: product {product_id} is already in items[{first}]; combine the quantities",
        path,
    )


def invalid_json(detail: str | None) -> ContractError:
    message = "the request body is not valid JSON"
    if detail:
        message += f" ({detail})"
    return ContractError(400, "invalid_json", message)


def unknown_customer(customer_id: int) -> ContractError:
    return ContractError(
        422, "unknown_customer", f"no customer with id {customer_id}", "customer_id"
    )


def unknown_product(index: int, product_id: int) -> ContractError:
    return ContractError(
        422,
        "unknown_product",
        f"no product with id {product_id}",
        f"items[{index}].product_id",
    )


def body_error(kind: str, loc: Loc) -> ContractError:
    """Map one pydantic error (its type and location inside the body) to the contract."""
    if kind == "missing" and loc:
        return missing(loc)
    if kind == "extra_forbidden":
        return unknown_field(loc)
    return invalid(loc)


def _int(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high  # bool is not an int here


def _check_keys(obj: dict[str, Any], allowed: Sequence[str], prefix: Loc) -> None:
    for key in obj:
        if key not in allowed:
            raise unknown_field((*prefix, key))


def _line(item: object, index: int) -> Line:
    loc = ("items", index)
    if not isinstance(item, dict):
        raise invalid(loc)
    if "product_id" not in item:
        raise missing((*loc, "product_id"))
    if not _int(item["product_id"], 1, MAX_ID):
        raise invalid((*loc, "product_id"))
    if "quantity" not in item:
        raise missing((*loc, "quantity"))
    if not _int(item["quantity"], 1, QUANTITY_MAX):
        raise invalid((*loc, "quantity"))
    _check_keys(item, ITEM_FIELDS, loc)
    return Line(item["product_id"], item["quantity"])


def validate_order(payload: object) -> OrderRequest:
    """The parsed JSON body -> an OrderRequest, or the first ContractError (422)."""
    if not isinstance(payload, dict):
        raise invalid(())
    if "customer_id" not in payload:
        raise missing(("customer_id",))
    if not _int(payload["customer_id"], 1, MAX_ID):
        raise invalid(("customer_id",))
    if "items" not in payload:
        raise missing(("items",))
    items = payload["items"]
    if not isinstance(items, list) or not 1 <= len(items) <= ITEMS_MAX:
        raise invalid(("items",))
    lines = [_line(item, i) for i, item in enumerate(items)]
    _check_keys(payload, ORDER_FIELDS, ())
    check_duplicates(lines)
    return OrderRequest(payload["customer_id"], lines)


def check_duplicates(lines: Sequence[Line]) -> None:
    seen: dict[int, int] = {}
    for i, line in enumerate(lines):
        if line.product_id in seen:
            raise duplicate_product(i, seen[line.product_id], line.product_id)
        seen[line.product_id] = i


def tax_cents(subtotal_cents: int) -> int:
    return (subtotal_cents * TAX_RATE_BP + 5_000) // 10_000


def totals(lines: Sequence[tuple[int, int]]) -> tuple[int, int, int]:
    """(quantity, unit price in cents) pairs -> (subtotal, tax, total) in cents."""
    subtotal = sum(quantity * price for quantity, price in lines)
    tax = tax_cents(subtotal)
    return subtotal, tax, subtotal + tax
