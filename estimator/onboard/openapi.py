"""An OpenAPI 3 (or Swagger 2) document as operations: path templates with the server
prefix, path parameters with the document's examples/defaults, required query parameters,
and JSON request body schemas with their `$ref`s followed. Pure: the document is fetched
from the running app by `fetch`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from estimator.errors import ConfigError
from estimator.onboard.operations import PARAM, Operation, Param, Scalar

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_JSON = ("application/json", "application/*+json", "*/*")
_FORM = ("application/x-www-form-urlencoded", "multipart/form-data")


def resolve(doc: Mapping[str, Any], value: Any) -> Any:
    """Follow a local `$ref` ('#/components/parameters/Id'); anything else as is."""
    seen = 0
    while isinstance(value, Mapping) and isinstance(value.get("$ref"), str) and seen < 20:
        ref = value["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = doc
        for raw in ref[2:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
        value = target if target is not None else {}
        seen += 1
    return value


def _parameters(
    doc: Mapping[str, Any], item: Mapping[str, Any], op: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    """Path-item parameters overridden by the operation's (same name and location)."""
    merged: dict[tuple[str, str], Mapping[str, Any]] = {}
    for source in (item.get("parameters") or [], op.get("parameters") or []):
        for raw in source:
            p = resolve(doc, raw)
            if isinstance(p, Mapping) and isinstance(p.get("name"), str):
                merged[(p["name"], str(p.get("in", "")))] = p
    return list(merged.values())


def example(doc: Mapping[str, Any], param: Mapping[str, Any]) -> Scalar | None:
    """The parameter's example (its own, its schema's, its first `examples`, the schema's
    default or first enum value), or None."""
    schema = resolve(doc, param.get("schema") or {})
    if not isinstance(schema, Mapping):
        schema = {}
    candidates: list[Any] = [param.get("example"), param.get("x-example"), schema.get("example")]
    examples = param.get("examples")
    if isinstance(examples, Mapping):
        for raw in examples.values():
            ex = resolve(doc, raw)
            if isinstance(ex, Mapping) and "value" in ex:
                candidates.append(ex["value"])
                break
    schema_examples = schema.get("examples")
    if isinstance(schema_examples, list) and schema_examples:
        candidates.append(schema_examples[0])
    candidates.append(schema.get("default"))
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        candidates.append(enum[0])
    for c in candidates:
        if isinstance(c, str | int | float) and not isinstance(c, bool) and str(c) != "":
            return c
    return None


def _param(doc: Mapping[str, Any], p: Mapping[str, Any]) -> Param:
    schema = resolve(doc, p.get("schema") or {})
    kind = schema.get("type") if isinstance(schema, Mapping) else None
    return Param(
        name=p["name"], type=kind if isinstance(kind, str) else None, example=example(doc, p)
    )


def prefix(doc: Mapping[str, Any]) -> str:
    """The path part of the first server URL ('/api/v1'), '' if none (OpenAPI 3), or the
    basePath (Swagger 2)."""
    servers = doc.get("servers")
    url = ""
    if isinstance(servers, list) and servers and isinstance(servers[0], Mapping):
        url = str(servers[0].get("url") or "")
        url = urlsplit(url).path if "://" in url else url
    elif isinstance(doc.get("basePath"), str):
        url = doc["basePath"]
    if "{" in url:  # a templated server URL: we can't guess its variables
        return ""
    return url.rstrip("/")


def inline(doc: Mapping[str, Any], value: Any, depth: int = 0) -> Any:
    """`value` with every local `$ref` replaced by what it points to (a cycle is cut off
    at depth 12 with an empty schema)."""
    if depth > 12:
        return {}
    value = resolve(doc, value)
    if isinstance(value, Mapping):
        return {k: inline(doc, v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [inline(doc, v, depth + 1) for v in value]
    return value


def _body(doc: Mapping[str, Any], op: Mapping[str, Any], out: Operation) -> Operation:
    body = resolve(doc, op.get("requestBody") or {})
    if not isinstance(body, Mapping) or not body:
        if any(
            isinstance(p, Mapping) and p.get("in") == "body" for p in op.get("parameters") or []
        ):
            return out.model_copy(update={"unsupported": [*out.unsupported, "a Swagger 2 body"]})
        return out
    raw = body.get("content")
    content: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    required = bool(body.get("required"))
    for kind in _JSON:
        media = content.get(kind)
        if isinstance(media, Mapping):
            schema = inline(doc, media.get("schema") or {})
            schema = schema if isinstance(schema, dict) else {}
            return out.model_copy(update={"body": schema, "body_required": required})
    if any(kind in content for kind in _FORM):
        return out.model_copy(update={"form_body": True, "body_required": required})
    if required:
        kinds = ", ".join(content) or "an unknown media type"
        return out.model_copy(update={"unsupported": [*out.unsupported, f"a {kinds} body"]})
    return out


def _operation(
    doc: Mapping[str, Any], method: str, path: str, item: Mapping[str, Any], op: Mapping[str, Any]
) -> Operation:
    params = _parameters(doc, item, op)
    by_name = {p["name"]: p for p in params if p.get("in") == "path"}
    out = Operation(
        method=method.upper(),
        path=prefix(doc) + path,
        params=[_param(doc, by_name.get(name, {"name": name})) for name in PARAM.findall(path)],
        query=[_param(doc, p) for p in params if p.get("in") == "query" and p.get("required")],
        unsupported=[
            f"required {p['in']} parameter '{p['name']}'"
            for p in params
            if p.get("in") in ("header", "cookie") and p.get("required")
        ],
        documented=True,
    )
    return _body(doc, op, out)


def operations(doc: Mapping[str, Any], *, source: str) -> list[Operation]:
    """Every operation of the document, in document order."""
    paths = doc.get("paths")
    if not isinstance(paths, Mapping):
        raise ConfigError(
            f"{source} is not an OpenAPI document (no 'paths' object); give --paths instead"
        )
    out = []
    for path, raw_item in paths.items():
        item = resolve(doc, raw_item)
        if not isinstance(item, Mapping) or not isinstance(path, str):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, Mapping):
                out.append(_operation(doc, method, path, item, op))
    return out
