"""From the app's operations to starter tasks that succeed, checked against the app itself
(started by `estimator init` under the server a run uses):

1. GETs without parameters, each sent once: those answering 2xx (after redirects) are tasks;
2. writes (POST/PUT) without path parameters, with a JSON body built from their schema, sent
   once (they may create what the next step reads);
3. operations with path parameters: values the app has — a record's id from the list
   endpoint above the path ('/heroes/' for '/heroes/{hero_id}'), or a link to such a path in
   its page — else the document's example or default; the filled request is sent once;
4. anything that still fails, or has no value, becomes a TODO (written, never sent).

The health path gets a task unless it exists only for health checks ('/healthz'). DELETE
and PATCH are listed, not generated: they remove or alter what the other tasks read.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlencode

from estimator.onboard.bodies import UNIQUE, UNIQUE_LEN, Unbuildable, build
from estimator.onboard.health import is_health_endpoint
from estimator.onboard.http import Answer
from estimator.onboard.operations import Operation, fill
from estimator.onboard.starter import READ_WEIGHT, WRITE_WEIGHT, StarterPlan, Task

Send = Callable[[str, str, Any], Answer]
"""(method, path, JSON body or None) → what the app answered."""
_RECORD_KEYS = ("items", "results", "data", "objects", "records", "rows", "entries")
_NOT_GENERATED = ("DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE")


def _records(data: Any) -> list[dict[str, Any]]:
    """The first list of objects in a JSON answer: itself, or under 'items'/'results'/…,
    or under any key."""
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)]
    if not isinstance(data, dict):
        return []
    keys = [k for k in _RECORD_KEYS if k in data] + [k for k in data if k not in _RECORD_KEYS]
    for key in keys:
        value = data[key]
        if isinstance(value, list) and any(isinstance(r, dict) for r in value):
            return [r for r in value if isinstance(r, dict)]
    return []


def _fields(name: str) -> list[str]:
    """Record fields that may hold a path parameter's value: 'hero_id' → hero_id, id."""
    out = [name]
    lowered = name.lower()
    if lowered in ("pk", "id") or lowered.endswith(("_id", "id")):
        out += ["id", "pk"]
    if lowered.endswith("_slug") or lowered == "slug":
        out.append("slug")
    return out


def _segment(kind: str | None) -> str:
    return r"(\d+)" if kind in ("integer", "int") else r"([^/?#\"'\s<>]+)"


class Planner:
    """Plans the tasks of one app, one request at a time through `send`."""

    def __init__(self, ops: Iterable[Operation], send: Send) -> None:
        self.ops = list(ops)
        self.send = send
        self.tasks: list[Task] = []
        self.skipped: dict[tuple[str, str], str] = {}
        self._lists: dict[str, Answer] = {}

    def _request(self, method: str, path: str, body: Any = None) -> Answer:
        if body is not None:
            body = _replace(body, uuid.uuid4().hex[:UNIQUE_LEN])
        answer = self.send(method, path, body)
        if method == "GET" and answer.ok:
            self._lists[path] = answer
        elif method != "GET":
            self._lists.clear()  # what a list answered before may have changed
        return answer

    def _listing(self, template: str, values: dict[str, str]) -> tuple[str, Answer] | None:
        """(path, answer) of the GET route `template` (with or without its last '/'),
        filled with `values`."""
        routes = {op.path for op in self.ops if op.method == "GET"}
        tried = [t for t in (template, template.rstrip("/"), template + "/") if t in routes]
        if not tried:
            return None
        filled = fill(tried[0], values)
        if filled not in self._lists:
            answer = self.send("GET", filled, None)
            if not answer.ok:
                return None
            self._lists[filled] = answer
        return filled, self._lists[filled]

    def _value(self, op: Operation, name: str, values: dict[str, str]) -> tuple[str, str] | None:
        """(value, where it came from) for one path parameter."""
        head, _, tail = op.path.partition("{" + name + "}")
        found = self._listing(head, values)
        param = op.param(name)
        if found is not None:
            where, listing = found
            for record in _records(listing.data()):
                for field in _fields(name):
                    value = record.get(field)
                    if isinstance(value, str | int) and not isinstance(value, bool):
                        return str(value), f"'{field}' of a record GET {where} lists"
            rest = re.escape(re.split(r"\{[^{}]+\}", tail, maxsplit=1)[0])
            link = re.escape(fill(head, values)) + _segment(param.type) + rest
            m = re.search(link, listing.body.decode(errors="replace"))
            if m:
                return m.group(1), f"a link on the page GET {where}"
        if param.example is not None:
            return str(param.example), "the document's example"
        return None

    def _fill(self, op: Operation) -> tuple[str, list[str]] | str:
        """(path with values and query, notes) or why not."""
        values: dict[str, str] = {}
        notes = []
        for param in op.params:
            found = self._value(op, param.name, values)
            if found is None:
                return f"{{{param.name}}} has no value: no record or link found, no example"
            values[param.name] = quote(found[0], safe="")
            notes.append(f"{{{param.name}}} = {found[0]}: {found[1]}")
        missing = [q.name for q in op.query if q.example is None]
        if missing:
            return f"required query parameter(s) {', '.join(missing)} have no example"
        path = fill(op.path, values)
        if op.query:
            path += "?" + urlencode({q.name: q.example for q in op.query})
        return path, notes

    def _plan(self, op: Operation) -> None:
        if op.method in _NOT_GENERATED:
            self._skip(op, f"{op.label}: not generated ({op.method} alters or removes data)")
            return
        if op.method == "GET" and not op.params and is_health_endpoint(op.path):
            self._skip(op, f"{op.label}: a health check (not traffic)")
            return
        if op.unsupported or op.form_body:
            why = ", ".join(op.unsupported) or "a form body"
            self._skip(op, f"{op.label}: needs {why} (add it by hand)")
            return
        body = None
        if op.is_write and op.body is not None:
            try:
                body = build({}, op.body)
            except Unbuildable as exc:
                self._todo(op, op.path, f"its body needs {exc}", None)
                return
        elif op.method != "GET" and not op.documented:
            self._skip(op, f"{op.label}: no request schema known (add it by hand)")
            return
        filled = self._fill(op)
        if isinstance(filled, str):
            self._todo(op, op.path, filled, body)
            return
        path, notes = filled
        answer = self._request(op.method, path, body)
        if not answer.ok:
            self._todo(op, path, f"it answered {answer.describe()} when init sent it", body)
            return
        weight = WRITE_WEIGHT if op.is_write else READ_WEIGHT
        note = "; ".join(notes) or None
        self.tasks.append(
            Task(method=op.method, path=path, name=op.path, weight=weight, body=body, note=note)
        )

    def _skip(self, op: Operation, why: str) -> None:
        self.skipped[(op.method, op.path)] = why

    def _todo(self, op: Operation, path: str, why: str, body: Any) -> None:
        self.tasks.append(
            Task(method=op.method, path=path, name=op.path, body=body, todo=f"{why}; fix it")
        )

    def plan(self, *, source: str, skipped: Iterable[str] = ()) -> StarterPlan:
        """Every operation planned in the order that lets writes create what reads need."""

        def order(op: Operation) -> int:
            return (0 if not op.params else 2) + (1 if op.is_write else 0)

        for op in sorted(self.ops, key=order):
            self._plan(op)
        position = {(op.method, op.path): i for i, op in enumerate(self.ops)}
        self.tasks.sort(key=lambda t: position.get((t.method, t.name), len(position)))
        ours = [self.skipped[k] for k in sorted(self.skipped, key=lambda k: position[k])]
        return StarterPlan(tasks=self.tasks, source=source, skipped=[*skipped, *ours])


def _replace(value: Any, token: str) -> Any:
    if isinstance(value, str):
        return value.replace(UNIQUE, token)
    if isinstance(value, list):
        return [_replace(v, token) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, token) for k, v in value.items()}
    return value
