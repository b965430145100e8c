"""Runs inside the *app's* environment (never imported by estimator): imports the app's entry
point, tells WSGI from ASGI, GETs a few paths in-process (following redirects to the same
host) and, when asked, lists the app's routes and tries likely health paths among them.

    python -c "<this file's source>" ENTRY RESULT_JSON [--as=wsgi|--as=asgi]
        [--routes=ROUTES_PY [--suggest]] [PATH ...]

ROUTES_PY is `_probe_routes.py`, executed into a namespace (not imported: nothing of
estimator goes on sys.path). With --suggest, when no PATH answers 2xx, parameterless GET
routes are tried too (`suggestions`).

Run with `-c` from the app's directory, so the directory is on sys.path and nothing of
estimator is. Writes its findings as JSON to RESULT_JSON; always exits 0 once that is written
(an import error is a finding). Standard library only, Python 3.8+ and PyPy 3.9 syntax.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import io
import json
import os
import sys
import traceback
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

HEALTH_TIMEOUT_S = 30.0
MAX_HOPS = 5
SAME_HOST = ("127.0.0.1", "localhost", "testserver")

# (module, class name) anywhere in the app object's class hierarchy → (interface, framework,
# what it is). The most specific class comes first in the MRO: falcon.asgi.App beats falcon.App.
KNOWN: dict[tuple[str, str], tuple[str, str, str]] = {
    ("flask.app", "Flask"): ("wsgi", "Flask", "a Flask application"),
    ("quart.app", "Quart"): ("asgi", "Quart", "a Quart application"),
    ("django.core.handlers.wsgi", "WSGIHandler"): ("wsgi", "Django", "Django's WSGI handler"),
    ("django.core.handlers.asgi", "ASGIHandler"): ("asgi", "Django", "Django's ASGI handler"),
    ("fastapi.applications", "FastAPI"): ("asgi", "FastAPI", "a FastAPI application"),
    ("starlette.applications", "Starlette"): ("asgi", "Starlette", "a Starlette application"),
    ("falcon.asgi.app", "App"): ("asgi", "Falcon", "a Falcon ASGI application"),
    ("falcon.app", "App"): ("wsgi", "Falcon", "a Falcon WSGI application"),
    ("bottle", "Bottle"): ("wsgi", "Bottle", "a Bottle application"),
    ("pyramid.router", "Router"): ("wsgi", "Pyramid", "a Pyramid application"),
    ("litestar.app", "Litestar"): ("asgi", "Litestar", "a Litestar application"),
    ("a2wsgi.asgi", "ASGIMiddleware"): ("wsgi", "a2wsgi", "an ASGI app wrapped for WSGI"),
    ("a2wsgi.wsgi", "WSGIMiddleware"): ("asgi", "a2wsgi", "a WSGI app wrapped for ASGI"),
}


def _error(exc: BaseException) -> dict[str, Any]:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    text = "".join(lines).rstrip().splitlines()
    message = str(exc).strip().splitlines()
    return {
        "type": type(exc).__name__,
        "message": message[0] if message else "",
        "module": getattr(exc, "name", None) if isinstance(exc, ImportError) else None,
        "traceback": text[-15:],
    }


def load(entry: str) -> Any:
    module_name, _, attr = entry.partition(":")
    factory = attr.endswith("()")
    obj: Any = importlib.import_module(module_name)
    for part in attr[:-2].split(".") if factory else attr.split("."):
        obj = getattr(obj, part)
    return obj() if factory else obj


def _positional(func: Any) -> int | None:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = [p for p in sig.parameters.values() if p.kind in kinds]
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in sig.parameters.values()):
        return None
    return len([p for p in params if p.default is inspect.Parameter.empty])


def classify(app: Any) -> tuple[str | None, str | None, str]:
    """(interface, framework, how we know)."""
    for klass in type(app).__mro__:
        hit = KNOWN.get((klass.__module__, klass.__name__))
        if hit is not None:
            return hit[0], hit[1], f"{hit[2]} ({klass.__module__}.{klass.__name__})"
    if not callable(app):
        return None, None, f"{type(app).__name__} object is not callable"
    call = app if inspect.isroutine(app) else getattr(app, "__call__", None)  # noqa: B004
    if inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app):
        return "asgi", None, "its call is a coroutine function (scope, receive, send)"
    n = _positional(app)
    if n == 2:
        return "wsgi", None, "a callable of (environ, start_response)"
    if n == 3:
        return "asgi", None, "a callable of (scope, receive, send)"
    return None, None, f"a callable taking {n if n is not None else 'any number of'} arguments"


def wsgi_get(app: Any, target: str) -> dict[str, Any]:
    path, _, query = target.partition("?")
    status: list[str] = []
    headers: list[tuple[str, str]] = []

    def start_response(s: str, h: list[tuple[str, str]], exc_info: Any = None) -> Any:
        status[:] = [s]
        headers[:] = list(h)
        return lambda data: None

    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(path).encode("utf-8").decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    body = app(environ, start_response)
    try:
        for _ in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    if not status:
        return {"error": "the app never called start_response"}
    location = next((v for k, v in headers if k.lower() == "location"), None)
    return {"status": int(status[0].split()[0]), "location": location}


def next_target(current: str, location: str | None) -> str | None:
    """Where a redirect from `current` leads when it stays on this host (plain HTTP)."""
    if not location:
        return None
    url = urlsplit(urljoin("http://127.0.0.1" + current, location))
    if url.scheme != "http" or (url.hostname or "") not in SAME_HOST or url.port not in (None, 80):
        return None
    return (url.path or "/") + ("?" + url.query if url.query else "")


def wsgi_follow(app: Any, target: str) -> dict[str, Any]:
    answer, current = wsgi_get(app, target), target
    hops: list[list[Any]] = []
    while 300 <= answer.get("status", 0) < 400 and len(hops) < MAX_HOPS:
        nxt = next_target(current, answer.get("location"))
        if nxt is None:
            break
        hops.append([answer["status"], nxt])
        answer, current = wsgi_get(app, nxt), nxt
    return dict(answer, hops=hops, path=current) if hops else answer


async def asgi_follow(app: Any, target: str, state: dict[str, Any]) -> dict[str, Any]:
    answer, current = await _asgi_request(app, target, state), target
    hops: list[list[Any]] = []
    while 300 <= answer.get("status", 0) < 400 and len(hops) < MAX_HOPS:
        nxt = next_target(current, answer.get("location"))
        if nxt is None:
            break
        hops.append([answer["status"], nxt])
        answer, current = await _asgi_request(app, nxt, state), nxt
    return dict(answer, hops=hops, path=current) if hops else answer


async def asgi_get(app: Any, targets: list[str]) -> dict[str, Any]:
    """Lifespan startup (if the app speaks it), one GET per target, lifespan shutdown."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    events: dict[str, asyncio.Event] = {"startup": asyncio.Event(), "shutdown": asyncio.Event()}
    failed: list[str] = []
    state: dict[str, Any] = {}

    async def l_send(message: dict[str, Any]) -> None:
        kind = str(message.get("type", ""))
        if kind.endswith(".failed"):
            failed.append(str(message.get("message", "")))
        for phase, event in events.items():
            if kind.startswith(f"lifespan.{phase}"):
                event.set()

    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
    task = asyncio.ensure_future(app(scope, queue.get, l_send))
    await queue.put({"type": "lifespan.startup"})
    started = asyncio.ensure_future(events["startup"].wait())
    await asyncio.wait(
        [task, started], timeout=HEALTH_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED
    )
    lifespan = events["startup"].is_set()
    started.cancel()
    if failed:
        task.cancel()
        raise RuntimeError(f"the app's lifespan startup failed: {failed[0]}")
    if task.done() and not task.cancelled():
        task.exception()  # retrieved: an app without lifespan support raises, that's fine
    out: dict[str, Any] = {}
    for target in targets:
        try:
            out[target] = await asyncio.wait_for(asgi_follow(app, target, state), 30)
        except Exception as exc:  # reported, not raised
            out[target] = {"error": f"{type(exc).__name__}: {exc}"}
    if lifespan and not task.done():
        await queue.put({"type": "lifespan.shutdown"})
        await asyncio.wait([task], timeout=5)
    if not task.done():
        task.cancel()
    return out


async def _asgi_request(app: Any, target: str, state: dict[str, Any]) -> dict[str, Any]:
    path, _, query = target.partition("?")
    sent: dict[str, Any] = {}
    done = asyncio.Event()
    pending = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop()
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message.get("type") == "http.response.start":
            sent["status"] = int(message["status"])
            for k, v in message.get("headers", []):
                if bytes(k).lower() == b"location":
                    sent["location"] = bytes(v).decode("latin-1")
        elif message.get("type") == "http.response.body" and not message.get("more_body"):
            done.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode("latin-1", "replace"),
        "query_string": query.encode("latin-1", "replace"),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": dict(state),
    }
    await app(scope, receive, send)
    done.set()
    if "status" not in sent:
        return {"error": "the app sent no response"}
    return {"status": sent["status"], "location": sent.get("location")}


def check_paths(app: Any, interface: str, targets: list[str]) -> dict[str, Any]:
    if interface == "wsgi":
        out: dict[str, Any] = {}
        for target in targets:
            try:
                out[target] = wsgi_follow(app, target)
            except Exception as exc:  # reported, not raised
                out[target] = {"error": f"{type(exc).__name__}: {exc}"}
        return out
    return asyncio.run(asgi_get(app, targets))


def _option(args: list[str], name: str) -> str | None:
    found = [a[len(name) + 1 :] for a in args if a.startswith(name + "=")]
    return found[0] if found else None


def _routes(app: Any, framework: str | None, source: str, result: dict[str, Any]) -> Any:
    """The routes module's namespace (None if it failed), result["routes"] filled."""
    namespace: dict[str, Any] = {"__name__": "_estimator_probe_routes"}
    try:
        with open(source, encoding="utf-8") as fh:
            exec(compile(fh.read(), source, "exec"), namespace)  # our own file
        result["routes"] = namespace["list_routes"](app, framework)
    except Exception as exc:  # reported, not raised
        result["routes_error"] = f"{type(exc).__name__}: {exc}"
        return None
    return namespace


def _ok(answer: Any) -> bool:
    return isinstance(answer, dict) and 200 <= int(answer.get("status") or 0) < 300


def main(argv: list[str]) -> dict[str, Any]:
    entry, args = argv[0], argv[2:]
    forced = _option(args, "--as")
    routes_source = _option(args, "--routes")
    targets = [t for t in args if not t.startswith("--")]
    result: dict[str, Any] = {
        "entry": entry,
        "python": sys.version.split()[0],
        "implementation": sys.implementation.name,
    }
    sys.path.insert(0, os.getcwd())
    try:
        app = load(entry)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt of an app are findings too
        result["error"] = _error(exc)
        return result
    interface, framework, reason = classify(app)
    result.update(interface=interface, framework=framework, reason=reason)
    interface = forced or interface
    openapi = getattr(app, "openapi_url", None) if framework == "FastAPI" else None
    result["openapi_url"] = openapi if isinstance(openapi, str) else None
    namespace = _routes(app, framework, routes_source, result) if routes_source else None
    if targets and interface is not None:
        try:
            result["paths"] = check_paths(app, interface, targets)
        except Exception as exc:  # reported, not raised
            result["paths_error"] = f"{type(exc).__name__}: {exc}"
            return result
    answers = result.get("paths", {}).values()
    if namespace is not None and "--suggest" in args and not any(_ok(a) for a in answers):
        more = namespace["health_candidates"](result.get("routes", []), targets)
        if more and interface is not None:
            try:
                result["suggestions"] = check_paths(app, interface, more)
            except Exception as exc:  # reported, not raised
                result["routes_error"] = f"{type(exc).__name__}: {exc}"
    return result


if __name__ == "__main__":
    found = main(sys.argv[1:])
    with open(sys.argv[2], "w") as fh:
        json.dump(found, fh)
    sys.stdout.flush()
    os._exit(0)  # an app's non-daemon threads must not keep the probe alive
