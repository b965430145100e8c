"""What an app offers, whichever way we learned it (its OpenAPI document, or its framework's
routes): operations with their path parameters, required query parameters and JSON body
schema. The planner (`plan`) turns them into starter load-test tasks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import Field

from estimator._model import Model
from estimator.onboard.probe import Route

PARAM = re.compile(r"\{([^{}]+)\}")
Scalar = str | int | float


class Param(Model):
    """A path or query parameter."""

    name: str
    type: str | None = Field(None, description="'integer', 'string'… (schema or converter)")
    example: Scalar | None = Field(None, description="from the document: example or default")


class Operation(Model):
    """One method on one path template, e.g. GET /heroes/{hero_id}."""

    method: str = Field(description="upper case: GET, POST…")
    path: str = Field(description="a template with the server prefix: '/api/heroes/{hero_id}'")
    params: list[Param] = Field(default_factory=list, description="path parameters, in order")
    query: list[Param] = Field(default_factory=list, description="required query parameters")
    unsupported: list[str] = Field(
        default_factory=list, description="what keeps it from being generated (header params…)"
    )
    body: dict[str, Any] | None = Field(None, description="the JSON request body's schema")
    body_required: bool = False
    form_body: bool = Field(False, description="the body is a form, not JSON")
    documented: bool = Field(
        False, description="from an API document: no body means none is expected"
    )

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PUT")

    def param(self, name: str) -> Param:
        return next((p for p in self.params if p.name == name), Param(name=name))


_CONVERTERS = {"int": "integer", "float": "number", "uuid": "uuid", "path": "path"}


def from_routes(routes: Iterable[Route]) -> list[Operation]:
    """The framework's routes as operations: every method, no body schemas (a route says
    which methods it takes, not what they expect)."""
    out = []
    for route in routes:
        params = [
            Param(name=name, type=_CONVERTERS.get(route.params.get(name, ""), "string"))
            for name in PARAM.findall(route.path)
        ]
        for method in route.methods:
            out.append(Operation(method=method.upper(), path=route.path, params=params))
    return out


def fill(template: str, values: dict[str, str]) -> str:
    """The template with the known values put in (unknown parameters left as '{name}')."""
    return PARAM.sub(lambda m: values.get(m.group(1), m.group(0)), template)
