"""The HTTP contract: limits, error codes and the exact error messages of all three apps.

Every error response has the same JSON shape::

    {"error": {"code": "invalid_parameter", "message": "...", "field": "limit"}}

`field` names the query parameter or body field at fault (``items[0].quantity``), or is null.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

MAX_ID = 2_147_483_647
"""Largest id any resource can have (SQLite INTEGER is 64-bit; the API promises 32)."""
MAX_BODY_BYTES = 64 * 1024
JSON_MEDIA_TYPE = "application/json"


class IntParam(NamedTuple):
    """An integer query parameter: its default when absent and its inclusive bounds."""

    name: str
    default: int
    minimum: int
    maximum: int


LIMIT = IntParam("limit", 20, 1, 100)
OFFSET = IntParam("offset", 0, 0, 1_000_000)
COMPUTE_SIZE = IntParam("size", 2_000, 1, 100_000)
UPSTREAM_MS = IntParam("ms", 50, 0, 2_000)

REPORT_ROWS = 50
REPORT_TITLE = "Top products by revenue"
REPORT_WINDOW = 2_000
"""/report ranks the sales of the latest orders only: its cost stays the same however many
orders a load test has placed before."""


def report_first_order(latest_order_id: int) -> int:
    """The oldest order /report counts, given the newest (ids are consecutive)."""
    return max(1, latest_order_id - REPORT_WINDOW + 1)


class ContractError(Exception):
    """An error response of the contract: HTTP status, code, message and field."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.field)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def show(value: str, limit: int = 32) -> str:
    """A user-supplied value quoted for a message, cut so a huge input can't bloat it."""
    if len(value) > limit:
        value = value[:limit] + "..."
    return repr(value)


_INT = re.compile(r"-?[0-9]{1,12}")


def int_param(spec: IntParam, values: Sequence[str]) -> int:
    """Parse a query parameter given as all its values in the query string (so that a
    repeated parameter is an error in every framework, not first-wins or last-wins)."""
    if not values:
        return spec.default
    if len(values) > 1:
        raise ContractError(
            400,
            "invalid_parameter",
            f"{spec.name} was given {len(values)} times; give it once",
            spec.name,
        )
    raw = values[0]
    if _INT.fullmatch(raw):
        value = int(raw)
        if spec.minimum <= value <= spec.maximum:
            return value
    raise ContractError(
        400,
        "invalid_parameter",
        f"{spec.name} must be an integer from {spec.minimum} to {spec.maximum}, got {show(raw)}",
        spec.name,
    )


def path_not_found(path: str) -> ContractError:
    return ContractError(404, "not_found", f"no such path: {show(path, 100)}")


def product_not_found(product_id: int) -> ContractError:
    return ContractError(404, "not_found", f"no product with id {product_id}")


def order_not_found(order_id: int) -> ContractError:
    return ContractError(404, "not_found", f"no order with id {order_id}")


def method_not_allowed(method: str, path: str) -> ContractError:
    return ContractError(
        405, "method_not_allowed", f"method {method} is not allowed on {show(path, 100)}"
    )


def payload_too_large() -> ContractError:
    return ContractError(
        413,
        "payload_too_large",
        f"the request body is larger than {MAX_BODY_BYTES} bytes; send a smaller order",
    )


def internal_error() -> ContractError:
    return ContractError(500, "internal_error", "internal server error; see the server log")


def check_json_request(content_type: str | None, body_length: int | None) -> None:
    """413 for a body over MAX_BODY_BYTES (by Content-Length or actual size), then 415
    unless the media type is application/json (parameters such as charset are ignored)."""
    if body_length is not None and body_length > MAX_BODY_BYTES:
        raise payload_too_large()
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        got = show(content_type) if content_type else "none"
        raise ContractError(
            415,
            "unsupported_media_type",
            f"the request body must be sent with Content-Type: {JSON_MEDIA_TYPE}, got {got}",
        )


def content_length(header: str | None) -> int | None:
    """The Content-Length header as an int, None when absent or unparsable (the server
    rejects a bad one before the app sees it)."""
    if header is None or not header.strip().isdigit():
        return None
    return int(header.strip())
