"""Starter locustfiles for a user's app: the tasks (`Task`: a method, a path, a weight, a
JSON body) planned from URL paths given to `estimator init` or from the app's operations
(`plan`), rendered as a `FastHttpUser` with no `host` (estimator passes `--host`) and no
`wait_time` (the load stage paces the users). A task that could not be completed (a path
parameter with no value the app has) is written as a method without `@task`, marked TODO:
it is never sent until the user finishes it. What was not generated at all is listed in
the file's docstring."""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Iterable
from typing import Any

from pydantic import Field

from estimator._model import Model
from estimator.errors import ConfigError
from estimator.onboard.bodies import UNIQUE, UNIQUE_LEN

READ_WEIGHT = 10
WRITE_WEIGHT = 1
"""Default weights: reads are most of real traffic; writes (POST/PUT) run now and then."""
_WEIGHTED = re.compile(r"^(?P<path>.*?)(?::(?P<weight>\d+))?$")


class Task(Model):
    """One task of the starter locustfile."""

    method: str = "GET"
    path: str = Field(description="the URL path requested, parameters filled in: /items/1")
    name: str = Field(description="locust's request name, e.g. /items/{item_id}")
    weight: int = Field(READ_WEIGHT, ge=1)
    body: Any = Field(None, description="a JSON body (POST/PUT)")
    note: str | None = Field(None, description="where its values come from (a comment)")
    todo: str | None = Field(None, description="why it is not sent yet (then it is no task)")

    @property
    def sent(self) -> bool:
        return self.todo is None


class StarterPlan(Model):
    """The tasks of a starter locustfile, where they came from and what was left out."""

    tasks: list[Task]
    source: str = Field(description="e.g. 'from the URL paths given to `estimator init`'")
    skipped: list[str] = Field(
        default_factory=list, description="operations not generated, each with the reason"
    )

    @property
    def sent(self) -> list[Task]:
        return [t for t in self.tasks if t.sent]

    @property
    def todo(self) -> list[Task]:
        return [t for t in self.tasks if not t.sent]

    def summary(self) -> str:
        """'3 GET + 1 POST task(s)'."""
        counts: dict[str, int] = {}
        for t in self.sent:
            counts[t.method] = counts.get(t.method, 0) + 1
        return " + ".join(f"{n} {m}" for m, n in counts.items()) + " task(s)"


def tasks_from_paths(paths: Iterable[str]) -> StarterPlan:
    """One GET task per path ('/', '/api/items?page=2', '/api/items:5' for weight 5), in
    order, duplicates dropped; weights default to 1 each."""
    out: list[Task] = []
    for raw in paths:
        m = _WEIGHTED.match(raw.strip())
        assert m is not None  # the pattern matches any string
        path, weight = m["path"].strip(), int(m["weight"] or 1)
        if not path:
            continue
        if not path.startswith("/"):
            raise ConfigError(
                f"URL path '{path}' does not start with '/'; give paths like '/api/items' "
                "(a weight after a colon: '/api/items:5')"
            )
        if weight < 1:
            raise ConfigError(f"--paths {raw.strip()!r}: a weight is 1 or more")
        if any(t.path == path for t in out):
            continue
        out.append(Task(path=path, name=path, weight=weight))
    if not out:
        raise ConfigError("no URL paths given; give at least one, e.g. --paths /,/api/items:3")
    return StarterPlan(tasks=out, source="from the URL paths given to `estimator init`")


def _method_name(task: Task, taken: set[str]) -> str:
    base = re.sub(r"\W+", "_", task.name.lower()).strip("_") or "root"
    base = f"{task.method.lower()}_{base}"
    if not task.sent:
        base = f"todo_{base}"
    if keyword.iskeyword(base) or not base.isidentifier():
        base = "endpoint"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


_HEADER = '''"""Starter load test for app '{app}', written by `estimator init`
{source}.

Edit it to look like your real traffic, then re-run `estimator preflight`:
- the weights: @task(10) runs ten times as often as @task(1); reads start at {read},
  writes (POST/PUT) at {write},
- the TODO methods have no @task: they are not sent until you complete them (a value
  that exists in your data) and add @task,
- the requests your users make that are not here.

estimator passes the host (--host: the server it started for a run) and paces the users
itself, so this file sets no `host` and no `wait_time`. A request counts as a failure when
it does not answer 2xx/3xx or the connection fails; failures are reported with the results.
"{unique}" in a body becomes a token fresh for each request (for fields that must be unique).
{skipped}"""

from __future__ import annotations

import json
import uuid
from typing import Any

from locust import FastHttpUser, task


class AppUser(FastHttpUser):
    """One simulated user of {app}."""

    def _send(self, method: str, path: str, name: str, body: Any = None) -> None:
        if body is not None:
            body = json.loads(json.dumps(body).replace("{unique}", uuid.uuid4().hex[:{length}]))
        with self.client.request(
            method, path, name=name, json=body, catch_response=True
        ) as resp:
            if not 200 <= resp.status_code < 400:
                resp.failure(f"status {{resp.status_code}}: {{(resp.text or '')[:200]}}")
'''


def _docstring_safe(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _comment(text: str) -> str:
    return " ".join(text.split())


def literal(value: Any) -> str:
    """A JSON value as a Python literal, strings in double quotes."""
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _method(task: Task, taken: set[str]) -> str:
    args = [json.dumps(task.method), json.dumps(task.path), json.dumps(task.name)]
    if task.body is not None:
        args.append(literal(task.body))
    lines = []
    if task.note:
        lines.append(f"        # {_comment(task.note)}")
    lines.append(f"        self._send({', '.join(args)})")
    head = (
        f"    @task({task.weight})\n" if task.sent else f"    # TODO: {_comment(task.todo or '')}\n"
    )
    name = _method_name(task, taken)
    return f"\n{head}    def {name}(self) -> None:\n" + "\n".join(lines) + "\n"


def render_locustfile(plan: StarterPlan, *, app_name: str) -> str:
    """The locustfile's text (valid Python; the tests import it)."""
    skipped = ""
    if plan.skipped:
        lines = "\n".join(f"- {s}" for s in plan.skipped)
        skipped = f"\nNot generated:\n{lines}\n"
    header = _HEADER.format(
        app=_docstring_safe(app_name),
        source=_docstring_safe(plan.source),
        skipped=_docstring_safe(skipped),
        read=READ_WEIGHT,
        write=WRITE_WEIGHT,
        unique=UNIQUE,
        length=UNIQUE_LEN,
    )
    taken: set[str] = set()
    return header + "".join(_method(t, taken) for t in plan.tasks)
