"""Fetch an app's OpenAPI document: start it briefly (the server a run would use, in the
environment a run would use), GET the document, stop it."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any

from estimator.errors import ConfigError, ServerError
from estimator.interpreters import ResolvedVariant, provision
from estimator.measure import CellSpec
from estimator.measure.run import requirement_set
from estimator.serve import placement_for, serve

FETCH_TIMEOUT_S = 30.0


def _get(host: str, port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=FETCH_TIMEOUT_S)
    try:
        conn.request("GET", path, headers={"Accept": "application/json", "Connection": "close"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    except (OSError, http.client.HTTPException) as exc:
        raise ServerError(f"GET {path} from the app failed: {type(exc).__name__}: {exc}") from None
    finally:
        conn.close()


def fetch_openapi(
    cell: CellSpec,
    variant: ResolvedVariant,
    path: str,
    *,
    run_dir: Path,
    ready_timeout: float = 90.0,
) -> dict[str, Any]:
    """The JSON document the app serves at `path`, its server started as `cell` says.
    ConfigError when there is none (with what to do instead)."""
    env = provision(variant, requirement_set(cell, variant))
    with serve(
        env.python,
        cell.app,
        cell.server,
        run_dir=run_dir,
        placement=placement_for(cell.cpu),
        extra_env=variant.env,
        ready_timeout=ready_timeout,
    ) as server:
        status, body = _get(server.host, server.port, path)
    if status != 200:
        raise ConfigError(
            f"GET {path} answered {status}: app '{cell.app.name}' serves no OpenAPI document "
            "there; give its path with --openapi-url, or the URL paths to load with --paths"
        )
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise ConfigError(
            f"GET {path} did not return a JSON object; give the OpenAPI document's path with "
            "--openapi-url, or the URL paths to load with --paths"
        )
    return doc
