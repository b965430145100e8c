"""Every error leaves as the contract's JSON: ContractError as is, FastAPI's validation
errors and Starlette's HTTP errors mapped, anything else a 500 (the server logs it)."""

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from common import contract, orders


def _respond(error: contract.ContractError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status)


def _check_body_headers(request: Request) -> None:
    contract.check_json_request(
        request.headers.get("content-type"),
        contract.content_length(request.headers.get("content-length")),
    )


def translate(errors: Sequence[dict[str, Any]]) -> contract.ContractError:
    """pydantic's errors (as FastAPI reports them) -> the contract's first error."""
    first = errors[0]
    kind, loc = first["type"], tuple(first["loc"])
    if kind == "json_invalid":
        position = loc[1] if len(loc) > 1 else None
        return orders.invalid_json(f"{first.get('ctx', {}).get('error')} at position {position}")
    if loc[:1] != ("body",):  # not declared by this app's routes; kept for completeness
        name = str(loc[-1]) if loc else None
        return contract.ContractError(400, "invalid_parameter", first["msg"], name)
    if kind == "duplicate_product":
        return contract.ContractError(422, "invalid_body", first["msg"], first["ctx"]["field"])
    return orders.body_error(kind, loc[1:])


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    try:
        _check_body_headers(request)  # e.g. a body sent without a Content-Type
    except contract.ContractError as error:
        return _respond(error)
    return _respond(translate(exc.errors()))


async def _contract_error(request: Request, exc: contract.ContractError) -> JSONResponse:
    return _respond(exc)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    path = request.url.path
    if exc.status_code == 404:
        return _respond(contract.path_not_found(path))
    if exc.status_code == 405:
        return _respond(contract.method_not_allowed(request.method, path))
    if exc.status_code == 413:
        return _respond(contract.payload_too_large())
    if exc.status_code == 400 and request.method == "POST":  # body not decodable as JSON
        try:
            _check_body_headers(request)
        except contract.ContractError as error:
            return _respond(error)
        return _respond(orders.invalid_json(None))
    code = "internal_error" if exc.status_code >= 500 else "http_error"
    return _respond(contract.ContractError(exc.status_code, code, str(exc.detail)))


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    return _respond(contract.internal_error())


def init_app(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(contract.ContractError, _contract_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unhandled)
