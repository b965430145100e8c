"""Every error leaves as the contract's JSON: ContractError as is, Werkzeug's HTTP errors
(unknown path, wrong method, body too large) mapped, anything else a logged 500."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from common import contract


def _respond(error: contract.ContractError) -> tuple[Any, int]:
    return jsonify(error.body()), error.status


def _contract_error(exc: contract.ContractError) -> tuple[Any, int]:
    return _respond(exc)


def _http_error(exc: HTTPException) -> tuple[Any, int]:
    code = exc.code or 500
    if code == 404:
        return _respond(contract.path_not_found(request.path))
    if code == 405:
        return _respond(contract.method_not_allowed(request.method, request.path))
    if code == 413:
        return _respond(contract.payload_too_large())
    if code >= 500:  # Flask has logged the exception behind an InternalServerError
        return _respond(contract.internal_error())
    name = (exc.name or "error").lower().replace(" ", "_")
    return _respond(contract.ContractError(code, name, exc.description or name))


def init_app(app: Flask) -> None:
    app.register_error_handler(contract.ContractError, _contract_error)
    app.register_error_handler(HTTPException, _http_error)
