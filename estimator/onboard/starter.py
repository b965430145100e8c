"""Starter locustfiles for a user's app: from a list of URL paths, or from the app's OpenAPI
document (its GET operations without required parameters). Every task is a GET, evenly
weighted, on a `FastHttpUser` with no `host` (estimator passes `--host`) and no `wait_time`
(the load stage paces the users). The user edits the file afterwards; what could not be
generated (POSTs, operations with required query parameters) is listed in its docstring.

Pure functions: the OpenAPI document is fetched by `fetch`, which starts the app.
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from pydantic import Field

from estimator._model import Model
from estimator.errors import ConfigError

_PARAM = re.compile(r"\{([^{}]+)\}")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PLACEHOLDER = 1
"""The value of a path parameter the document gives no example for."""


class Endpoint(Model):
    """One task of the starter locustfile: a GET of `path`, reported under `name`."""

    path: str = Field(description="the URL path requested, parameters filled in, e.g. /items/1")
    name: str = Field(description="locust's request name, e.g. /items/{item_id}")
    todo: str | None = Field(None, description="what the user should check, as a comment")


class StarterPlan(Model):
    """The tasks of a starter locustfile, where they came from and what was left out."""

    endpoints: list[Endpoint]
    source: str = Field(description="e.g. 'URL paths given to estimator init'")
    skipped: list[str] = Field(
        default_factory=list, description="operations not generated, each with the reason"
    )


def endpoints_from_paths(paths: Iterable[str]) -> StarterPlan:
    """One GET task per path ('/', '/api/items?page=2'), in order, duplicates dropped."""
    out: list[Endpoint] = []
    for raw in paths:
        path = raw.strip()
        if not path:
            continue
        if not path.startswith("/"):
            raise ConfigError(
                f"URL path '{path}' does not start with '/'; give paths like '/api/items'"
            )
        if any(e.path == path for e in out):
            continue
        out.append(Endpoint(path=path, name=path))
    if not out:
        raise ConfigError("no URL paths given; give at least one, e.g. --paths /,/api/items")
    return StarterPlan(endpoints=out, source="from the URL paths given to `estimator init`")


def _resolve(doc: Mapping[str, Any], value: Any) -> Any:
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
            p = _resolve(doc, raw)
            if isinstance(p, Mapping) and isinstance(p.get("name"), str):
                merged[(p["name"], str(p.get("in", "")))] = p
    return list(merged.values())


def _example(doc: Mapping[str, Any], param: Mapping[str, Any]) -> Any:
    """The parameter's example (its own, its schema's, its first `examples`, the schema's
    default or first enum value), or None."""
    schema = _resolve(doc, param.get("schema") or {})
    if not isinstance(schema, Mapping):
        schema = {}
    candidates: list[Any] = [param.get("example"), param.get("x-example"), schema.get("example")]
    examples = param.get("examples")
    if isinstance(examples, Mapping):
        for raw in examples.values():
            ex = _resolve(doc, raw)
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


def _prefix(doc: Mapping[str, Any]) -> str:
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


def _operation(
    doc: Mapping[str, Any], path: str, item: Mapping[str, Any], op: Mapping[str, Any], prefix: str
) -> Endpoint | str:
    """The endpoint, or why it was skipped."""
    params = _parameters(doc, item, op)
    required = [
        f"{p.get('in')} parameter '{p['name']}'"
        for p in params
        if p.get("in") in ("query", "header", "cookie") and p.get("required")
    ]
    if required:
        return f"GET {path}: required {', '.join(required)}"
    body = _resolve(doc, op.get("requestBody") or {})
    if isinstance(body, Mapping) and body.get("required"):
        return f"GET {path}: required request body"
    by_name = {p["name"]: p for p in params if p.get("in") == "path"}
    filled = path
    notes: list[str] = []
    for name in _PARAM.findall(path):
        param = by_name.get(name, {})
        value = _example(doc, param)
        if value is None:
            value = PLACEHOLDER
            notes.append(f"{{{name}}} = {value} is a placeholder")
        else:
            notes.append(f"{{{name}}} = {value} comes from the document's example")
        filled = filled.replace(f"{{{name}}}", quote(str(value), safe=""))
    todo = f"TODO: {'; '.join(notes)}; use a value that exists" if notes else None
    return Endpoint(path=prefix + filled, name=prefix + path, todo=todo)


def endpoints_from_openapi(
    doc: Mapping[str, Any], *, source: str, exclude: Iterable[str] = ()
) -> StarterPlan:
    """GET operations of an OpenAPI 3 (or Swagger 2) document, in document order. Path
    parameters get the document's example or `PLACEHOLDER` (marked TODO); operations with
    required query/header/cookie parameters or bodies, and other methods, are skipped and
    listed. Paths in `exclude` (the health path) are left out."""
    paths = doc.get("paths")
    if not isinstance(paths, Mapping):
        raise ConfigError(
            f"{source} is not an OpenAPI document (no 'paths' object); give --paths instead"
        )
    prefix = _prefix(doc)
    excluded = set(exclude)
    endpoints: list[Endpoint] = []
    skipped: list[str] = []
    for path, raw_item in paths.items():
        item = _resolve(doc, raw_item)
        if not isinstance(item, Mapping) or not isinstance(path, str):
            continue
        if prefix + path in excluded or path in excluded:
            skipped.append(f"GET {prefix + path}: the health path")
            continue
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            if method != "get":
                skipped.append(f"{method.upper()} {prefix + path}: not a GET (add it by hand)")
                continue
            result = _operation(doc, path, item, op, prefix)
            if isinstance(result, str):
                skipped.append(result)
            else:
                endpoints.append(result)
    if not endpoints:
        raise ConfigError(
            f"{source} has no GET operation without required parameters "
            f"({len(skipped)} skipped); give the URL paths to load with --paths instead"
        )
    return StarterPlan(endpoints=endpoints, source=source, skipped=skipped)


def _method_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W+", "_", name.lower()).strip("_") or "root"
    base = f"get_{base}"
    if keyword.iskeyword(base) or not base.isidentifier():
        base = "get_endpoint"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


_HEADER = '''"""Starter load test for app '{app}', written by `estimator init`
{source}.

Edit it to look like your real traffic, then re-run `estimator preflight`:
- weight the tasks (@task(5) runs five times as often as @task(1)); they start even,
- add the requests your users make that are not plain GETs (POST/PUT with bodies),
- replace the TODO placeholders with values that exist in your data.

estimator passes the host (--host: the server it started for a run) and paces the users
itself, so this file sets no `host` and no `wait_time`. A request counts as a failure when
it does not answer 2xx/3xx or the connection fails; failures are reported with the results.
{skipped}"""

from __future__ import annotations

from locust import FastHttpUser, task


class AppUser(FastHttpUser):
    """One simulated user of {app}."""

    def _get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as resp:
            if not 200 <= resp.status_code < 400:
                resp.failure(f"status {{resp.status_code}}: {{(resp.text or '')[:200]}}")
'''


def _docstring_safe(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def render_locustfile(plan: StarterPlan, *, app_name: str) -> str:
    """The locustfile's text (valid Python; the tests import it)."""
    skipped = ""
    if plan.skipped:
        lines = "\n".join(f"- {s}" for s in plan.skipped)
        skipped = f"\nNot generated:\n{lines}\n"
    header = _HEADER.format(
        app=app_name, source=_docstring_safe(plan.source), skipped=_docstring_safe(skipped)
    )
    out = [header]
    taken: set[str] = set()
    for ep in plan.endpoints:
        body = f"        self._get({json.dumps(ep.path)}, {json.dumps(ep.name)})\n"
        if ep.todo:
            todo = " ".join(ep.todo.split())
            body = f"        # {todo}\n{body}"
        out.append(f"\n    @task\n    def {_method_name(ep.name, taken)}(self) -> None:\n{body}")
    return "".join(out)
