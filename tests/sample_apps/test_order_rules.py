"""Flask and Django validate order bodies with `common.orders.validate_order`; FastAPI with
pydantic models whose errors `fastapi_app.errors.translate` maps back. Thousands of random
bodies must get the same verdict and the same first error from both."""

from __future__ import annotations

import random
from typing import Any

import pytest
from pydantic import ValidationError

from tests.sample_apps.apps import sample_module

contract = sample_module("common.contract")
orders = sample_module("common.orders")
schemas = sample_module("fastapi_app.schemas")
fastapi_errors = sample_module("fastapi_app.errors")

_VALUES: list[Any] = [1, 2, 7, 50, 100, 101, 0, -1, contract.MAX_ID, contract.MAX_ID + 1]
_VALUES += ["1", 1.0, 1.5, True, False, None, [], {}, "x", [1]]


def _value(rng: random.Random) -> Any:
    return rng.choice(_VALUES)


def _keys(rng: random.Random, fields: tuple[str, ...]) -> list[str]:
    keys = [f for f in fields if rng.random() < 0.85]
    keys += rng.sample(["x", "note", "a", "zz"], rng.randint(0, 2) if rng.random() < 0.3 else 0)
    rng.shuffle(keys)
    return keys


def _item(rng: random.Random) -> Any:
    if rng.random() < 0.08:
        return _value(rng)
    return {
        k: (rng.randint(1, 4) if rng.random() < 0.7 else _value(rng))
        for k in _keys(rng, ("product_id", "quantity"))
    }


def _body(rng: random.Random) -> Any:
    if rng.random() < 0.05:
        return _value(rng)
    body: dict[str, Any] = {}
    for key in _keys(rng, ("customer_id", "items")):
        if key == "customer_id":
            body[key] = rng.randint(1, 5) if rng.random() < 0.7 else _value(rng)
        elif key == "items":
            roll = rng.random()
            if roll < 0.1:
                body[key] = _value(rng)
            else:
                count = 51 if roll < 0.13 else rng.randint(0, 4)
                body[key] = [_item(rng) for _ in range(count)]
        else:
            body[key] = _value(rng)
    return body


def _stdlib(body: Any) -> tuple[Any, ...] | None:
    try:
        orders.validate_order(body)
    except contract.ContractError as exc:
        return (exc.status, exc.code, exc.message, exc.field)
    return None


def _pydantic(body: Any) -> tuple[Any, ...] | None:
    try:
        schemas.OrderIn.model_validate(body)
    except ValidationError as exc:
        # FastAPI reports body errors with the location prefixed by "body"
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        err = fastapi_errors.translate(errors)
        return (err.status, err.code, err.message, err.field)
    return None


@pytest.mark.parametrize("seed", range(4))
def test_random_bodies_get_the_same_first_error(seed: int) -> None:
    rng = random.Random(seed)
    verdicts = {"valid": 0, "invalid": 0}
    for _ in range(1_500):
        body = _body(rng)
        expected = _stdlib(body)
        assert _pydantic(body) == expected, body
        verdicts["valid" if expected is None else "invalid"] += 1
    assert verdicts["valid"] > 50
    assert verdicts["invalid"] > 500


def test_totals_round_tax_half_up() -> None:
    # 8.25% of 200 cents = 16.5 -> 17; of 100 = 8.25 -> 8
    assert orders.totals([(1, 200)]) == (200, 17, 217)
    assert orders.totals([(2, 50)]) == (100, 8, 108)
    assert orders.totals([(3, 1999), (1, 1)]) == (5998, 495, 6493)
