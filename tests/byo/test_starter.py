"""Starter locustfiles: URL paths with weights, OpenAPI documents as operations, bodies from
schemas, the planner against a fake app, and the rendered file (compiled and inspected here;
run for real in test_end_to_end.py and test_your_app.py)."""

from __future__ import annotations

import ast
import json
from typing import Any

import pytest

from estimator.errors import ConfigError
from estimator.onboard import openapi
from estimator.onboard.bodies import UNIQUE, Unbuildable, build
from estimator.onboard.http import Answer
from estimator.onboard.operations import Operation, Param, from_routes
from estimator.onboard.plan import Planner
from estimator.onboard.probe import Route
from estimator.onboard.starter import StarterPlan, Task, render_locustfile, tasks_from_paths

HERO = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Name"},
        "secret_name": {"type": "string"},
        "age": {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Age"},
    },
    "required": ["name", "secret_name"],
}
DOC: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/": {"get": {}},
        "/healthz": {"get": {}},
        "/heroes/": {
            "get": {"parameters": [{"name": "limit", "in": "query", "required": False}]},
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Hero"}}
                    },
                }
            },
        },
        "/heroes/{hero_id}": {
            "parameters": [{"$ref": "#/components/parameters/HeroId"}],
            "get": {},
            "patch": {},
            "delete": {},
        },
        "/teams/{team}/members/{member_id}": {
            "get": {
                "parameters": [
                    {"name": "team", "in": "path", "required": True, "example": "red team"},
                    {"name": "member_id", "in": "path", "required": True},
                ]
            }
        },
        "/search": {"get": {"parameters": [{"name": "q", "in": "query", "required": True}]}},
        "/page": {
            "get": {"parameters": [{"name": "n", "in": "query", "required": True, "example": 2}]}
        },
        "/private": {
            "get": {"parameters": [{"name": "X-Token", "in": "header", "required": True}]}
        },
        "/upload": {"post": {"requestBody": {"content": {"multipart/form-data": {"schema": {}}}}}},
    },
    "components": {
        "schemas": {"Hero": HERO},
        "parameters": {
            "HeroId": {
                "name": "hero_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        },
    },
}


class FakeApp:
    """Answers like a small heroes API: the list is empty until a hero is created."""

    def __init__(self) -> None:
        self.heroes: list[dict[str, Any]] = []
        self.sent: list[tuple[str, str, Any]] = []

    def __call__(self, method: str, path: str, body: Any) -> Answer:
        self.sent.append((method, path, body))
        if (method, path) == ("POST", "/heroes/"):
            hero = {"id": 40 + len(self.heroes), **body}
            self.heroes.append(hero)
            return Answer(status=200, body=json.dumps(hero).encode())
        if (method, path) == ("GET", "/heroes/"):
            return Answer(status=200, body=json.dumps(self.heroes).encode())
        if method == "GET" and path.startswith("/heroes/"):
            found = any(str(h["id"]) == path.rsplit("/", 1)[1] for h in self.heroes)
            return Answer(status=200 if found else 404, body=b'{"detail": "Hero not found"}')
        if (method, path) in {("GET", "/"), ("GET", "/healthz"), ("GET", "/page?n=2")}:
            return Answer(status=200, body=b"{}")
        return Answer(status=404, body=b"not found")


def test_paths_carry_weights_and_keep_their_order() -> None:
    plan = tasks_from_paths(["/", " /api/items:5 ", "/api/items", "", "/search?q=x:2"])
    assert [(t.path, t.weight) for t in plan.tasks] == [
        ("/", 1),
        ("/api/items", 5),
        ("/search?q=x", 2),
    ]
    assert all(t.method == "GET" and t.sent for t in plan.tasks)


@pytest.mark.parametrize(
    ("paths", "match"),
    [(["api/items"], "does not start with '/'"), ([" "], "no URL paths"), (["/a:0"], "1 or more")],
)
def test_bad_paths_say_what_to_give(paths: list[str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        tasks_from_paths(paths)


def test_openapi_operations_with_refs_examples_and_bodies() -> None:
    ops = {op.label: op for op in openapi.operations(DOC, source="the doc")}
    assert list(ops)[:6] == [
        "GET /",
        "GET /healthz",
        "GET /heroes/",
        "POST /heroes/",
        "GET /heroes/{hero_id}",
        "DELETE /heroes/{hero_id}",
    ]
    assert ops["POST /heroes/"].body == HERO  # the $ref inlined
    assert ops["GET /heroes/{hero_id}"].params == [Param(name="hero_id", type="integer")]
    team = ops["GET /teams/{team}/members/{member_id}"].params
    assert [p.example for p in team] == ["red team", None]
    assert ops["GET /search"].query == [Param(name="q")]
    assert ops["GET /private"].unsupported == ["required header parameter 'X-Token'"]
    assert ops["POST /upload"].form_body


def test_openapi_server_prefix_and_swagger_base_path() -> None:
    doc = {"servers": [{"url": "https://api.example.com/v1/"}], "paths": {"/a": {"get": {}}}}
    assert openapi.operations(doc, source="d")[0].path == "/v1/a"
    swagger = {"swagger": "2.0", "basePath": "/api", "paths": {"/b": {"get": {}}}}
    assert openapi.operations(swagger, source="d")[0].path == "/api/b"
    with pytest.raises(ConfigError, match=r"not an OpenAPI document.*--paths"):
        openapi.operations({"openapi": "3.0.0"}, source="GET /openapi.json")


def test_bodies_follow_the_schema() -> None:
    assert build({}, HERO) == {
        "name": f"example name {UNIQUE}",
        "secret_name": f"example secret name {UNIQUE}",
    }
    schema = {
        "type": "object",
        "required": ["email", "qty", "tags", "kind", "when", "ratio", "note"],
        "properties": {
            "email": {"type": "string", "format": "email"},
            "qty": {"type": "integer", "minimum": 5, "maximum": 9},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}},
            "kind": {"enum": ["book", "film"]},
            "when": {"type": "string", "format": "date"},
            "ratio": {"type": "number", "exclusiveMaximum": 1, "exclusiveMinimum": 0},
            "note": {"type": "string", "default": "n/a", "minLength": 10},
            "extra": {"type": "string"},
        },
    }
    assert build({}, schema) == {
        "email": f"user-{UNIQUE}@example.com",
        "qty": 5,
        "tags": ["exa"],
        "kind": "book",
        "when": "2024-01-01",
        "ratio": 0.0,
        "note": "n/a",
    }
    with pytest.raises(Unbuildable, match="a string matching"):
        build({}, {"type": "string", "pattern": "^[0-9]{4}$"})
    with pytest.raises(Unbuildable, match="file upload"):
        build({}, {"type": "string", "format": "binary"})


def test_planner_creates_then_reads_what_it_created() -> None:
    app = FakeApp()
    plan = Planner(openapi.operations(DOC, source="d"), app).plan(source="from the doc")
    tasks = {(t.method, t.name): t for t in plan.tasks}
    post = tasks[("POST", "/heroes/")]
    assert (post.sent, post.weight, post.body) == (True, 1, build({}, HERO))
    detail = tasks[("GET", "/heroes/{hero_id}")]
    assert (detail.path, detail.weight, detail.sent) == ("/heroes/40", 10, True)
    assert detail.note == "{hero_id} = 40: 'id' of a record GET /heroes/ lists"
    assert tasks[("GET", "/")].sent  # '/' is a real endpoint, even as a health path
    assert tasks[("GET", "/page")].path == "/page?n=2"
    member = tasks[("GET", "/teams/{team}/members/{member_id}")]
    assert not member.sent
    assert member.todo is not None
    assert "{member_id} has no value" in member.todo
    search = tasks[("GET", "/search")]
    assert not search.sent
    assert search.todo is not None
    assert "required query parameter(s) q have no example" in search.todo
    assert plan.skipped == [
        "GET /healthz: a health check (not traffic)",
        "DELETE /heroes/{hero_id}: not generated (DELETE alters or removes data)",
        "PATCH /heroes/{hero_id}: not generated (PATCH alters or removes data)",
        "GET /private: needs required header parameter 'X-Token' (add it by hand)",
        "POST /upload: needs a form body (add it by hand)",
    ]
    sent = [(m, p) for m, p, _ in app.sent]
    assert sent.index(("POST", "/heroes/")) < sent.index(("GET", "/heroes/40"))
    assert all(UNIQUE not in json.dumps(body) for _, _, body in app.sent if body)
    assert [t.name for t in plan.tasks] == [
        "/",
        "/heroes/",
        "/heroes/",
        "/heroes/{hero_id}",
        "/teams/{team}/members/{member_id}",
        "/search",
        "/page",
    ]  # document order


def test_planner_finds_ids_in_wrapped_lists_and_links_in_pages() -> None:
    pages = {
        "/books/": b'<a href="/books/12/">One</a> <a href="/books/13/">Two</a>',
        "/books/api/": json.dumps({"books": [{"pk": 7, "title": "x"}], "total": 1}).encode(),
        "/books/12/": b"ok",
        "/books/api/7/": b"{}",
    }

    def send(method: str, path: str, body: Any) -> Answer:
        return Answer(status=200 if path in pages else 404, body=pages.get(path, b""))

    routes = [
        Route(path="/books/", methods=["GET"], source="Django URLconf"),
        Route(path="/books/{pk}/", methods=["GET"], params={"pk": "int"}, source="Django URLconf"),
        Route(path="/books/api/", methods=["GET", "POST"], source="Django URLconf"),
        Route(path="/books/api/{pk}/", methods=["GET"], params={"pk": "int"}, source="x"),
    ]
    plan = Planner(from_routes(routes), send).plan(source="from the routes")
    assert [(t.method, t.path) for t in plan.sent] == [
        ("GET", "/books/"),
        ("GET", "/books/12/"),
        ("GET", "/books/api/"),
        ("GET", "/books/api/7/"),
    ]
    assert plan.skipped == ["POST /books/api/: no request schema known (add it by hand)"]


def test_a_request_that_fails_when_init_sends_it_is_a_todo() -> None:
    def send(method: str, path: str, body: Any) -> Answer:
        return Answer(status=500, body=b"Internal Server Error: no such table: post")

    op = Operation(method="GET", path="/posts")
    (task,) = Planner([op], send).plan(source="s").tasks
    assert not task.sent
    assert task.todo == (
        "it answered 500 (Internal Server Error: no such table: post) when init sent it; fix it"
    )


def _user_class(text: str) -> ast.ClassDef:
    tree = ast.parse(text)
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    return cls


def _tasks(cls: ast.ClassDef) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in cls.body:
        if not isinstance(f, ast.FunctionDef):
            continue
        for d in f.decorator_list:
            if isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id == "task":
                arg = d.args[0]
                assert isinstance(arg, ast.Constant)
                assert isinstance(arg.value, int)
                out[f.name] = arg.value
    return out


def test_rendered_locustfile_has_weighted_tasks_bodies_and_todos_never_sent() -> None:
    plan = Planner(openapi.operations(DOC, source="d"), FakeApp()).plan(source="from the doc")
    text = render_locustfile(plan, app_name="heroes")
    compile(text, "locustfile.py", "exec")
    cls = _user_class(text)
    assert [b.id for b in cls.bases if isinstance(b, ast.Name)] == ["FastHttpUser"]
    assigned = {
        t.id
        for n in cls.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    assert not assigned & {"host", "wait_time"}  # the load stage gives both
    assert _tasks(cls) == {
        "get_root": 10,
        "get_heroes": 10,
        "post_heroes": 1,
        "get_heroes_hero_id": 10,
        "get_page": 10,
    }
    methods = [f.name for f in cls.body if isinstance(f, ast.FunctionDef)]
    assert "todo_get_search" in methods  # written, not a task
    assert "    # TODO: required query parameter(s) q have no example; fix it\n" in text
    assert 'self._send("POST", "/heroes/", "/heroes/", {"name": "example name {unique}"' in text
    assert "- DELETE /heroes/{hero_id}: not generated (DELETE alters or removes data)" in text


def test_rendered_locustfile_survives_hostile_names() -> None:
    plan = StarterPlan(
        tasks=[Task(path=p, name=p) for p in ['/a"""b', "/c\\d", "/class", "/"]],
        source='from """quotes""" and \\backslashes',
        skipped=['GET /x"""'],
    )
    text = render_locustfile(plan, app_name='sh"""op')
    compile(text, "locustfile.py", "exec")
    names = [f.name for f in _user_class(text).body if isinstance(f, ast.FunctionDef)]
    assert names == ["_send", "get_a_b", "get_c_d", "get_class", "get_root"]
