"""Runs inside the *app's* environment (never imported by estimator): the app's routes, read
from its framework — Flask's (and Quart's) `url_map`, Django's URLconf, Starlette's (and
FastAPI's) `routes` — as path templates ('/books/{pk}/') with their methods and parameters.

`_probe_app.py` executes this file's source into a namespace when asked for routes, so
nothing of estimator lands on the app's sys.path. Standard library only, Python 3.8+ and
PyPy 3.9 syntax.
"""

from __future__ import annotations

import re
from typing import Any

_FLASK_PARAM = re.compile(r"<(?:([A-Za-z_]\w*)(?:\([^>]*\))?:)?([A-Za-z_]\w*)>")
_DJANGO_PARAM = re.compile(r"<(?:([A-Za-z_]\w*):)?([A-Za-z_]\w*)>")
_STARLETTE_PARAM = re.compile(r"\{([A-Za-z_]\w*)(?::([A-Za-z_]\w*))?\}")
_REGEX_GROUP = re.compile(r"\(\?P<([A-Za-z_]\w*)>((?:[^()\\]|\\.)*)\)")
_REGEX_SPECIAL = re.compile(r"(?<!\\)[()\[\]*+?|^$]")
_HEALTHY = re.compile(r"(^|[/_-])(healthz?|health-?check|ping|ready|readyz|live|livez|status)$")
_SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/__debug__/")
MAX_SUGGESTIONS = 6


def _route(path: str, methods: Any, params: dict[str, str], source: str) -> dict[str, Any]:
    wanted = sorted({str(m).upper() for m in methods or ()} - {"HEAD", "OPTIONS"})
    return {"path": path, "methods": wanted, "params": params, "source": source}


def _flask(app: Any) -> list[dict[str, Any]]:
    out = []
    for rule in app.url_map.iter_rules():
        endpoint = str(getattr(rule, "endpoint", ""))
        if endpoint == "static" or endpoint.endswith(".static"):
            continue
        if getattr(rule, "subdomain", "") or getattr(rule, "host", None):
            continue
        text = str(rule.rule)
        params = {m.group(2): m.group(1) or "string" for m in _FLASK_PARAM.finditer(text)}
        path = _FLASK_PARAM.sub(lambda m: "{" + m.group(2) + "}", text)
        out.append(_route(path, rule.methods, params, "Flask url_map"))
    return out


def _django_part(pattern: Any) -> tuple[str, dict[str, str]] | None:
    """A URL pattern as a template fragment, or None when it can't be one (a regex with
    alternatives, a locale prefix)."""
    kind = type(pattern).__name__
    text = str(pattern)
    if kind == "RoutePattern":
        found = {m.group(2): m.group(1) or "str" for m in _DJANGO_PARAM.finditer(text)}
        return _DJANGO_PARAM.sub(lambda m: "{" + m.group(2) + "}", text), found
    if kind != "RegexPattern":
        return None
    text = text[1:] if text.startswith("^") else text
    text = text[:-1] if text.endswith("$") and not text.endswith("\\$") else text
    text = text[:-2] if text.endswith("\\Z") else text
    params: dict[str, str] = {}

    def group(m: re.Match[str]) -> str:
        params[m.group(1)] = "int" if m.group(2) in ("\\d+", "[0-9]+") else "str"
        return "{" + m.group(1) + "}"

    text = _REGEX_GROUP.sub(group, text)
    if _REGEX_SPECIAL.search(text):
        return None
    return re.sub(r"\\(.)", r"\1", text), params


def _django_methods(callback: Any) -> list[str]:
    actions = getattr(callback, "actions", None)  # Django REST framework viewsets
    if isinstance(actions, dict):
        return list(actions)
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if cls is None:
        return ["GET"]  # a function view: what it accepts is inside it
    names = getattr(cls, "http_method_names", ["get"])
    return [m for m in names if hasattr(cls, m)]


def _django() -> list[dict[str, Any]]:
    from django.urls import URLResolver, get_resolver

    out: list[dict[str, Any]] = []

    def walk(patterns: Any, prefix: str, params: dict[str, str], depth: int) -> None:
        for p in patterns:
            part = _django_part(p.pattern)
            if part is None or depth > 10:
                continue
            path, found = prefix + part[0], {**params, **part[1]}
            if isinstance(p, URLResolver):
                if "admin" in (getattr(p, "app_name", None), getattr(p, "namespace", None)):
                    continue
                walk(p.url_patterns, path, found, depth + 1)
            else:
                out.append(_route("/" + path, _django_methods(p.callback), found, "Django URLconf"))

    walk(get_resolver().url_patterns, "", {}, 0)
    return out


def _starlette(app: Any) -> list[dict[str, Any]]:
    out = []
    for r in getattr(app, "routes", None) or []:
        path, methods = getattr(r, "path", None), getattr(r, "methods", None)
        if not isinstance(path, str) or methods is None:
            continue  # a Mount, a websocket
        if getattr(r, "include_in_schema", True) is False:
            continue  # FastAPI's own /docs, /openapi.json
        params = {m.group(1): m.group(2) or "str" for m in _STARLETTE_PARAM.finditer(path)}
        template = _STARLETTE_PARAM.sub(lambda m: "{" + m.group(1) + "}", path)
        out.append(_route(template, methods, params, "Starlette routes"))
    return out


def list_routes(app: Any, framework: str | None) -> list[dict[str, Any]]:
    """The app's routes, in the framework's order, without admin/static ones."""
    if framework == "Django":
        found = _django()
    elif hasattr(app, "url_map") and hasattr(app.url_map, "iter_rules"):
        found = _flask(app)
    else:
        found = _starlette(app)
    seen = set()
    out = []
    for r in found:
        key = (r["path"], tuple(r["methods"]))
        if key in seen or r["path"].startswith(_SKIP_PREFIXES) or not r["methods"]:
            continue
        seen.add(key)
        out.append(r)
    return out


def health_candidates(routes: list[dict[str, Any]], tried: list[str]) -> list[str]:
    """Parameterless GET routes worth trying as a health path: health-like names first,
    then the shortest."""
    paths = [
        r["path"]
        for r in routes
        if "GET" in r["methods"] and not r["params"] and r["path"] not in tried
    ]
    paths.sort(key=lambda p: (not _HEALTHY.search(p.rstrip("/")), len(p), p))
    return paths[:MAX_SUGGESTIONS]
