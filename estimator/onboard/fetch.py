"""The app started briefly for `estimator init` — the server a run would use, in the
environment a run would use — to fetch its OpenAPI document and to try the starter tasks
against it; stopped (its whole process group) when the block ends, whatever happens."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from estimator.errors import ConfigError
from estimator.interpreters import ResolvedVariant
from estimator.measure import CellSpec
from estimator.onboard.environment import environment_for
from estimator.onboard.http import AppClient
from estimator.serve import placement_for, serve


@contextlib.contextmanager
def running_app(
    cell: CellSpec, variant: ResolvedVariant, *, run_dir: Path, ready_timeout: float = 90.0
) -> Iterator[AppClient]:
    """A client of the app served as `cell` says, once it answers its health path."""
    env = environment_for(cell, variant)
    with serve(
        env.python,
        cell.app,
        cell.server,
        run_dir=run_dir,
        placement=placement_for(cell.cpu),
        extra_env=variant.env,
        ready_timeout=ready_timeout,
    ) as server:
        yield AppClient(server.host, server.port)


def fetch_openapi(client: AppClient, path: str, *, app: str) -> dict[str, Any]:
    """The JSON document the app serves at `path`; ConfigError when there is none (with
    what to do instead)."""
    answer = client.get(path)
    if answer.status != 200:
        said = answer.status if answer.status is not None else answer.describe()
        raise ConfigError(
            f"GET {path} answered {said}: app '{app}' serves no OpenAPI document there; give "
            "its path with --openapi PATH, or the URL paths to load with --paths"
        )
    doc = answer.data()
    if not isinstance(doc, dict):
        raise ConfigError(
            f"GET {path} did not return a JSON object; give the OpenAPI document's path with "
            "--openapi PATH, or the URL paths to load with --paths"
        )
    return doc
