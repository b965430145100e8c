"""Starter locustfiles: from URL paths and from OpenAPI documents (pure; the generated file
is compiled and inspected here, run for real in test_end_to_end.py)."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from estimator.errors import ConfigError
from estimator.onboard.starter import (
    Endpoint,
    endpoints_from_openapi,
    endpoints_from_paths,
    render_locustfile,
)

DOC: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/healthz": {"get": {}},
        "/items": {
            "get": {"parameters": [{"name": "limit", "in": "query", "required": False}]},
            "post": {"requestBody": {"required": True}},
        },
        "/items/{item_id}": {
            "get": {
                "parameters": [
                    {"name": "item_id", "in": "path", "required": True, "schema": {"examples": [7]}}
                ]
            }
        },
        "/users/{user}/orders/{order_id}": {
            "parameters": [{"$ref": "#/components/parameters/User"}],
            "get": {
                "parameters": [
                    {
                        "name": "order_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ]
            },
        },
        "/search": {"get": {"parameters": [{"name": "q", "in": "query", "required": True}]}},
        "/private": {
            "get": {"parameters": [{"name": "X-Token", "in": "header", "required": True}]}
        },
    },
    "components": {
        "parameters": {
            "User": {"name": "user", "in": "path", "required": True, "example": "ada lovelace"}
        }
    },
}


def test_paths_are_evenly_weighted_gets_in_order() -> None:
    plan = endpoints_from_paths(["/", " /api/items ", "/api/items", "", "/search?q=x"])
    assert [e.path for e in plan.endpoints] == ["/", "/api/items", "/search?q=x"]
    assert all(e.todo is None for e in plan.endpoints)


@pytest.mark.parametrize(
    ("paths", "match"), [(["api/items"], "does not start with '/'"), ([" "], "no URL paths")]
)
def test_bad_paths_say_what_to_give(paths: list[str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        endpoints_from_paths(paths)


def test_openapi_gets_without_required_parameters() -> None:
    plan = endpoints_from_openapi(DOC, source="the doc", exclude=["/healthz"])
    by_name = {e.name: e for e in plan.endpoints}
    assert list(by_name) == ["/items", "/items/{item_id}", "/users/{user}/orders/{order_id}"]
    assert by_name["/items"] == Endpoint(path="/items", name="/items")
    example = by_name["/items/{item_id}"]
    assert example.path == "/items/7"
    assert example.todo is not None
    assert "{item_id} = 7 comes from the document's example" in example.todo
    both = by_name["/users/{user}/orders/{order_id}"]
    assert both.path == "/users/ada%20lovelace/orders/1"  # $ref followed, value URL-quoted
    assert both.todo is not None
    assert "{order_id} = 1 is a placeholder" in both.todo
    assert plan.skipped == [
        "GET /healthz: the health path",
        "POST /items: not a GET (add it by hand)",
        "GET /search: required query parameter 'q'",
        "GET /private: required header parameter 'X-Token'",
    ]


def test_openapi_server_prefix_and_swagger_base_path() -> None:
    doc = {"servers": [{"url": "https://api.example.com/v1/"}], "paths": {"/a": {"get": {}}}}
    assert endpoints_from_openapi(doc, source="d").endpoints[0].path == "/v1/a"
    swagger = {"swagger": "2.0", "basePath": "/api", "paths": {"/b": {"get": {}}}}
    assert endpoints_from_openapi(swagger, source="d").endpoints[0].name == "/api/b"


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        ({"openapi": "3.0.0"}, "not an OpenAPI document"),
        ({"paths": {"/x": {"post": {}}}}, "no GET operation without required parameters"),
    ],
)
def test_openapi_without_usable_gets_asks_for_paths(doc: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match) as exc:
        endpoints_from_openapi(doc, source="GET /openapi.json")
    assert "--paths" in str(exc.value)


def _user_class(text: str) -> ast.ClassDef:
    tree = ast.parse(text)
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    return cls


def test_rendered_locustfile_is_a_fast_http_user_with_one_task_per_endpoint() -> None:
    plan = endpoints_from_openapi(DOC, source="from the doc", exclude=["/healthz"])
    text = render_locustfile(plan, app_name="shop")
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
    tasks = [
        f.name
        for f in cls.body
        if isinstance(f, ast.FunctionDef)
        and any(isinstance(d, ast.Name) and d.id == "task" for d in f.decorator_list)
    ]
    assert tasks == ["get_items", "get_items_item_id", "get_users_user_orders_order_id"]
    assert "# TODO: {item_id} = 7" in text
    assert "- GET /search: required query parameter 'q'" in text  # listed for the user
    assert 'self._get("/items/7", "/items/{item_id}")' in text


def test_rendered_locustfile_survives_hostile_names() -> None:
    plan = endpoints_from_paths(['/a"""b', "/c\\d", "/class", "/"]).model_copy(
        update={"source": 'from """quotes""" and \\backslashes', "skipped": ['GET /x"""']}
    )
    text = render_locustfile(plan, app_name="shop")
    compile(text, "locustfile.py", "exec")
    names = [f.name for f in _user_class(text).body if isinstance(f, ast.FunctionDef)]
    assert names == ["_get", "get_a_b", "get_c_d", "get_class", "get_root"]
