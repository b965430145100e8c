"""The import check, run by an interpreter that is not estimator's process (here the project
environment's python, which has Flask and FastAPI): WSGI vs ASGI, in-process GETs, and
every way an import can fail, leaving no process behind."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from estimator.errors import ServerError
from estimator.onboard import AppProbe, describe_import_failure, probe_app
from estimator.scenario import AppSpec, Interface
from tests.byo.conftest import APPS_DIR

pytestmark = pytest.mark.integration

APPS = {
    "wsgi_fn.py": """
        def app(environ, start_response):
            path = environ["PATH_INFO"]
            if path == "/healthz":
                start_response("200 OK", [])
                return [b"ok"]
            if path == "/old":
                start_response("301 Moved", [("Location", "/healthz")])
                return [b""]
            start_response("404 Not Found", [])
            return [b"no"]

        class Handler:
            def __call__(self, environ, start_response):
                start_response("200 OK", [])
                return [b"ok"]

        handler = Handler()
        answer = 42

        def create():
            return app
    """,
    "asgi_fn.py": """
        import os

        STARTED = []

        async def app(scope, receive, send):
            if scope["type"] == "lifespan":
                while True:
                    message = await receive()
                    if message["type"] == "lifespan.startup":
                        if os.environ.get("FAIL_STARTUP"):
                            await send({"type": "lifespan.startup.failed", "message": "no db"})
                            return
                        STARTED.append(1)
                        await send({"type": "lifespan.startup.complete"})
                    else:
                        await send({"type": "lifespan.shutdown.complete"})
                        return
            status = 200 if STARTED and scope["path"] == "/healthz" else 404
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": b"x"})
    """,
    "flask_fn.py": """
        from flask import Blueprint, Flask
        app = Flask(__name__)
        shop = Blueprint("shop", __name__, url_prefix="/shop")

        @app.get("/healthz")
        def healthz():
            return "ok"

        @shop.route("/items/<int:item_id>/<path:rest>", methods=["GET", "POST"])
        def item(item_id, rest):
            return "item"

        @shop.get("/broken")
        def broken():
            raise RuntimeError("no")

        @shop.get("/about")
        def about():
            return "about"

        app.register_blueprint(shop)
    """,
    "fastapi_fn.py": """
        from fastapi import FastAPI
        app = FastAPI(openapi_url="/api/schema.json")

        @app.get("/healthz")
        def healthz():
            return {"ok": True}

        @app.post("/things/{thing_id:int}")
        def thing(thing_id: int):
            return {}
    """,
    "boom.py": """
        import json
        value = json.loads("{broken")
    """,
    "leaves.py": """
        import sys
        sys.exit("configuration missing: set SHOP_SECRET")
    """,
    "threads.py": """
        import threading, time
        threading.Thread(target=time.sleep, args=(3600,)).start()  # not a daemon
        from wsgi_fn import app
    """,
    "hangs.py": """
        import time
        time.sleep(3600)
    """,
    "needs_pkg.py": """
        import estimator_fixture_absent.sub
    """,
}


class Prober:
    """Runs the probe on the test's project directory, then checks for leftovers."""

    def __init__(self, tmp_path: Path, no_leftovers: Callable[[], None]) -> None:
        self.tmp_path = tmp_path
        self.project = tmp_path / "project"
        self.no_leftovers = no_leftovers
        self.project.mkdir()
        for name, text in APPS.items():
            (self.project / name).write_text(textwrap.dedent(text))

    def __call__(
        self,
        entry: str,
        *,
        env: dict[str, str] | None = None,
        paths: list[str] | None = None,
        interface: Interface | None = None,
        timeout: float = 60.0,
        routes: bool = True,
        suggest: bool = False,
    ) -> AppProbe:
        app = AppSpec(name="p", directory=self.project, wsgi="x:y", env=env or {})
        try:
            return probe_app(
                Path(sys.executable),
                app,
                entry,
                run_dir=self.tmp_path / "run",
                paths=["/healthz", "/old", "/nope"] if paths is None else paths,
                interface=interface,
                timeout=timeout,
                routes=routes,
                suggest=suggest,
            )
        finally:
            self.no_leftovers()


@pytest.fixture
def probe(tmp_path: Path, no_leftovers: Callable[[], None]) -> Prober:
    return Prober(tmp_path, no_leftovers)


def statuses(p: AppProbe) -> dict[str, str]:
    return {path: check.describe() for path, check in p.paths.items()}


def test_wsgi_function(probe: Prober) -> None:
    p = probe("wsgi_fn:app")
    assert (p.interface, p.framework) == ("wsgi", None)
    assert p.reason == "a callable of (environ, start_response)"
    assert statuses(p) == {"/healthz": "200", "/old": "301 → /healthz → 200", "/nope": "404"}
    assert p.paths["/old"].path == "/healthz"
    assert p.python == ".".join(map(str, sys.version_info[:3]))


@pytest.mark.parametrize("entry", ["wsgi_fn:handler", "wsgi_fn:create()"])
def test_wsgi_object_and_factory(probe: Prober, entry: str) -> None:
    p = probe(entry)
    assert p.interface == "wsgi"
    assert statuses(p)["/healthz"] == "200"


def test_asgi_with_lifespan(probe: Prober) -> None:
    p = probe("asgi_fn:app")
    assert p.interface == "asgi"
    assert "coroutine" in p.reason
    assert statuses(p) == {"/healthz": "200", "/old": "404", "/nope": "404"}  # startup ran first


def test_asgi_lifespan_failure_is_reported(probe: Prober) -> None:
    p = probe("asgi_fn:app", env={"FAIL_STARTUP": "1"})
    assert p.imported
    assert p.paths == {}
    assert p.paths_error == "RuntimeError: the app's lifespan startup failed: no db"


@pytest.mark.parametrize(
    ("entry", "interface", "framework", "extra"),
    [
        ("flask_fn:app", "wsgi", "Flask", None),
        ("fastapi_fn:app", "asgi", "FastAPI", "/api/schema.json"),
    ],
)
def test_frameworks(
    probe: Prober, entry: str, interface: str, framework: str, extra: str | None
) -> None:
    p = probe(entry)
    assert (p.interface, p.framework, p.openapi_url) == (interface, framework, extra)
    assert statuses(p)["/healthz"] == "200"


def test_not_callable_and_forced_interface(probe: Prober) -> None:
    p = probe("wsgi_fn:answer")
    assert p.interface is None
    assert p.reason == "int object is not callable"
    assert p.paths == {}
    forced = probe("wsgi_fn:handler", interface="wsgi", paths=["/x"])
    assert statuses(forced) == {"/x": "200"}


@pytest.mark.parametrize(
    ("entry", "line", "where", "fix"),
    [
        ("boom:app", "JSONDecodeError: Expecting property name", "(boom.py line 3)", "fix the app"),
        (
            "leaves:app",
            "SystemExit: configuration missing: set SHOP_SECRET",
            "(leaves.py line 3)",
            "fix the app",
        ),
        (
            "nothere:app",
            "ModuleNotFoundError: No module named 'nothere'",
            "",
            "check the entry point",
        ),
        (
            "wsgi_fn:nope",
            "AttributeError: module 'wsgi_fn' has no attribute 'nope'",
            "",
            "check the entry point",
        ),
        (
            "needs_pkg:app",
            "ModuleNotFoundError: No module named 'estimator_fixture_absent'",
            "(needs_pkg.py line 2)",
            "add the package that provides 'estimator_fixture_absent' to the app's requirements",
        ),
    ],
)
def test_import_failures_name_cause_place_and_fix(
    probe: Prober, entry: str, line: str, where: str, fix: str
) -> None:
    p = probe(entry)
    assert not p.imported
    text = describe_import_failure(p, probe.project)
    assert text.startswith(line)
    assert where in text
    assert fix in text


def test_app_threads_do_not_keep_the_probe_alive(probe: Prober) -> None:
    assert probe("threads:app").interface == "wsgi"


def test_a_hanging_import_is_stopped(probe: Prober) -> None:
    with pytest.raises(ServerError, match=r"did not finish within 2 s .*output: .*probe\.log"):
        probe("hangs:app", timeout=2.0)


def test_routes_of_flask_and_fastapi_apps(probe: Prober) -> None:
    flask = probe("flask_fn:app", paths=[])
    (shop_item,) = [r for r in flask.routes if r.path.startswith("/shop/items")]
    assert shop_item.model_dump() == {
        "path": "/shop/items/{item_id}/{rest}",
        "methods": ["GET", "POST"],
        "params": {"item_id": "int", "rest": "path"},
        "source": "Flask url_map",
    }
    assert [r.path for r in flask.routes] == [
        "/healthz",
        "/shop/items/{item_id}/{rest}",
        "/shop/broken",
        "/shop/about",
    ]  # no /static/<path:filename>
    fastapi = probe("fastapi_fn:app", paths=[])
    assert [(r.path, r.methods, r.params) for r in fastapi.routes] == [
        ("/healthz", ["GET"], {}),
        ("/things/{thing_id}", ["POST"], {"thing_id": "int"}),
    ]  # not its own /docs or /api/schema.json


def test_routes_of_a_django_project(tmp_path: Path, no_leftovers: Callable[[], None]) -> None:
    directory = APPS_DIR / "django_inventory"
    app = AppSpec(name="d", directory=directory, wsgi="x:y", env={"INVENTORY_DB": "/nonexistent"})
    found = probe_app(
        Path(sys.executable), app, "inventory.wsgi:application", run_dir=tmp_path, routes=True
    )
    no_leftovers()
    assert [(r.path, r.methods, r.params, r.source) for r in found.routes] == [
        ("/healthz", ["GET"], {}, "Django URLconf"),
        ("/items/", ["GET"], {}, "Django URLconf"),
        ("/items/{item_id}/", ["GET"], {"item_id": "int"}, "Django URLconf"),
    ]


def test_suggestions_when_no_path_answers(probe: Prober) -> None:
    found = probe("flask_fn:app", paths=["/nope"], routes=True, suggest=True)
    assert statuses(found) == {"/nope": "404"}
    suggested = {p: c.describe() for p, c in found.suggestions.items()}
    assert suggested == {"/healthz": "200", "/shop/about": "200", "/shop/broken": "500"}
    answered = probe("flask_fn:app", paths=["/healthz"], routes=True, suggest=True)
    assert answered.suggestions == {}  # /healthz answered: nothing to suggest
