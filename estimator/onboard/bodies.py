"""A JSON request body built from its schema: the schema's own examples and defaults first,
else a value of the right type within its bounds (required properties only). Strings that
may hold it carry `UNIQUE`, which the starter locustfile replaces with a token fresh for each
request, so a body that creates something does not collide with the one before (unique
names, emails)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from estimator.onboard.openapi import resolve

UNIQUE = "{unique}"
UNIQUE_LEN = 8
"""Characters a token takes in place of `UNIQUE` (hex)."""
MAX_DEPTH = 8
_FORMATS = {
    "email": "user-" + UNIQUE + "@example.com",
    "date": "2024-01-01",
    "date-time": "2024-01-01T12:00:00Z",
    "time": "12:00:00",
    "uuid": "9b2f4b5e-3c1d-4e8a-9f7a-2d6c1b0e5a41",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "hostname": "example.com",
    "byte": "ZXhhbXBsZQ==",
}


class Unbuildable(Exception):
    """The schema asks for something we can't make up (a file, a pattern)."""


def _merged(doc: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """allOf parts merged into one schema (properties and required lists united)."""
    out = {k: v for k, v in schema.items() if k != "allOf"}
    for raw in schema.get("allOf") or []:
        part = resolve(doc, raw)
        if not isinstance(part, Mapping):
            continue
        part = _merged(doc, part)
        for key, value in part.items():
            if key == "properties" and isinstance(value, Mapping):
                out["properties"] = {**value, **out.get("properties", {})}
            elif key == "required" and isinstance(value, list):
                out["required"] = [*out.get("required", []), *value]
            else:
                out.setdefault(key, value)
    return out


def _given(schema: Mapping[str, Any]) -> tuple[bool, Any]:
    for key in ("example", "default", "const"):
        if key in schema and schema[key] is not None:
            return True, schema[key]
    for key in ("examples", "enum"):
        values = schema.get(key)
        if isinstance(values, list) and values:
            return True, values[0]
    return False, None


def _type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "properties" in schema:
        return "object"
    return kind if isinstance(kind, str) else None


def _string(schema: Mapping[str, Any], name: str) -> str:
    fmt = schema.get("format")
    if fmt == "binary":
        raise Unbuildable("a file upload")
    value = _FORMATS.get(str(fmt), f"example {name} {UNIQUE}".replace("_", " ").strip())
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(high, int) and len(value.replace(UNIQUE, "x" * UNIQUE_LEN)) > high:
        value = value.replace(UNIQUE, "")[:high].strip() or "x" * min(high, 1)
    if isinstance(low, int) and len(value.replace(UNIQUE, "")) < low:
        value += "x" * (low - len(value.replace(UNIQUE, "")))
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        plain = value.replace(UNIQUE, "a" * UNIQUE_LEN)
        if re.search(pattern, plain) is None:
            raise Unbuildable(f"a string matching {pattern!r} for '{name}'")
    return value


def _number(schema: Mapping[str, Any], kind: str) -> int | float:
    value: float = 1
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(low, int | float) and not isinstance(low, bool):
        value = max(value, low)
    if isinstance(xlow, int | float) and not isinstance(xlow, bool) and value <= xlow:
        value = xlow + 1
    if isinstance(high, int | float) and not isinstance(high, bool):
        value = min(value, high)
    if isinstance(xhigh, int | float) and not isinstance(xhigh, bool) and value >= xhigh:
        value = xhigh - 1
    return int(value) if kind == "integer" else float(value)


def build(doc: Mapping[str, Any], schema: Any, *, name: str = "", depth: int = 0) -> Any:
    """A value the schema accepts; Unbuildable when we can't make one up."""
    if depth > MAX_DEPTH:
        raise Unbuildable("a schema nested too deep")
    schema = resolve(doc, schema)
    if not isinstance(schema, Mapping):
        return "example"
    schema = _merged(doc, schema)
    found, value = _given(schema)
    if found:
        return value
    for key in ("anyOf", "oneOf"):
        options = [resolve(doc, o) for o in schema.get(key) or []]
        options = [o for o in options if isinstance(o, Mapping) and o.get("type") != "null"]
        if options:
            return build(doc, options[0], name=name, depth=depth + 1)
    kind = _type(schema)
    if kind == "object":
        props = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        return {r: build(doc, props.get(r, {}), name=r, depth=depth + 1) for r in required}
    if kind == "array":
        item = build(doc, schema.get("items") or {}, name=name, depth=depth + 1)
        low = schema.get("minItems")
        return [item] * max(low if isinstance(low, int) else 1, 1)
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, name or "value")
