"""Ask the app's own environment about the app: does the entry point import, is it WSGI or
ASGI (and which framework), what do a few paths answer in-process (redirects to the same
host followed), which routes does it have. Estimator never imports the user's app itself;
`_probe_app.py` runs with the environment's interpreter, from the app's directory, with the
environment the server would get."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import Field, ValidationError

from estimator import procs
from estimator._model import Model
from estimator.errors import ServerError
from estimator.scenario import AppSpec, Interface
from estimator.serve import logs
from estimator.serve.env import server_env

PROBE_SOURCE = (Path(__file__).resolve().parent / "_probe_app.py").read_text(encoding="utf-8")
ROUTES_FILE = Path(__file__).resolve().parent / "_probe_routes.py"
PROBE_TIMEOUT_S = 120.0


class ImportFailure(Model):
    """Why the entry point did not import (or its attribute or factory failed)."""

    type: str
    message: str
    module: str | None = Field(None, description="the missing module, for an ImportError")
    traceback: list[str] = Field(default_factory=list)

    @property
    def line(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


class PathCheck(Model):
    """What a GET of one path answered in-process, after the redirects it followed."""

    status: int | None = Field(None, description="the last answer's status")
    location: str | None = Field(None, description="a redirect not followed (another host)")
    error: str | None = None
    hops: list[tuple[int, str]] = Field(
        default_factory=list, description="(status, where to) of each redirect followed"
    )
    path: str | None = Field(None, description="the path that gave the last answer")

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def redirected(self) -> bool:
        return bool(self.hops) or (self.status is not None and 300 <= self.status < 400)

    def describe(self) -> str:
        """'200', '404', '301 → /books/ → 200', '302 → https://sso.example.com/'."""
        hops = "".join(f"{status} → {to} → " for status, to in self.hops)
        if self.status is None:
            return hops + (self.error or "no answer")
        return hops + f"{self.status}" + (f" → {self.location}" if self.location else "")


class Route(Model):
    """A route of the app, from its framework (Flask url_map, Django URLconf, Starlette)."""

    path: str = Field(description="a template: '/books/{pk}/'")
    methods: list[str]
    params: dict[str, str] = Field(default_factory=dict, description="name → converter")
    source: str


class AppProbe(Model):
    """What the probe found."""

    entry: str
    python: str
    implementation: str
    interface: Interface | None = None
    framework: str | None = None
    reason: str = Field("", description="how the interface was told")
    openapi_url: str | None = Field(None, description="FastAPI's OpenAPI document path")
    error: ImportFailure | None = None
    paths: dict[str, PathCheck] = Field(default_factory=dict)
    paths_error: str | None = None
    routes: list[Route] = Field(default_factory=list)
    routes_error: str | None = None
    suggestions: dict[str, PathCheck] = Field(
        default_factory=dict, description="parameterless routes tried when no path answered"
    )
    output: list[str] = Field(default_factory=list, description="the probe's last output lines")

    @property
    def imported(self) -> bool:
        return self.error is None


def probe_app(
    python: Path,
    app: AppSpec,
    entry: str,
    *,
    run_dir: Path,
    extra_env: Mapping[str, str] = {},
    paths: Sequence[str] = (),
    interface: Interface | None = None,
    routes: bool = False,
    suggest: bool = False,
    timeout: float = PROBE_TIMEOUT_S,
) -> AppProbe:
    """Import `entry` with `python` in `app.directory` and GET `paths` in-process (as a WSGI
    or ASGI app: `interface`, else what the probe tells); with `routes`, list the app's
    routes, and with `suggest` try its parameterless GET routes when no path answers 2xx.
    An import error is a finding (`AppProbe.error`); ServerError if the probe itself could
    not run."""
    run_dir.mkdir(parents=True, exist_ok=True)
    result_path = run_dir / "probe.json"
    log_path = run_dir / "probe.log"
    result_path.unlink(missing_ok=True)
    env = server_env(python, app, run_dir, extra_env)
    options = [f"--as={interface}"] if interface else []
    if routes:
        options += [f"--routes={ROUTES_FILE}", *(["--suggest"] if suggest else [])]
    argv: list[str | Path] = [python, "-c", PROBE_SOURCE, entry, result_path, *options, *paths]
    with (
        log_path.open("wb") as log,
        procs.running(
            argv, cwd=app.directory, env=env, stdout=log, stderr=subprocess.STDOUT
        ) as proc,
    ):
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
    output = logs.tail(log_path, 20)
    if code is None:
        raise ServerError(
            f"importing '{entry}' with {python} did not finish within {timeout:g} s (does the "
            f"module start something at import?); output: {log_path}"
        )
    if not result_path.is_file():
        why = logs.cause(output) or (output[-1] if output else "no output")
        raise ServerError(
            f"the import check of '{entry}' with {python} stopped ({procs.describe_exit(code)})"
            f": {why}; output: {log_path}"
        )
    try:
        data = json.loads(result_path.read_text())
        return AppProbe.model_validate({**data, "output": output})
    except (ValueError, ValidationError) as exc:
        raise ServerError(
            f"the import check of '{entry}' wrote an unreadable result ({exc}); output: {log_path}"
        ) from None


_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def _where(failure: ImportFailure, directory: Path) -> str:
    """' (app/views.py line 3)': the last traceback frame inside the app's directory."""
    root = directory.resolve()
    for line in reversed(failure.traceback):
        m = _FRAME.search(line)
        if m is None:
            continue
        path = Path(m["file"])
        if path.is_relative_to(root):
            return f" ({path.relative_to(root)} line {m['line']})"
    return ""


def describe_import_failure(probe: AppProbe, directory: Path) -> str:
    """'ModuleNotFoundError: No module named 'x' (app.py line 3); add the package that
    provides 'x' to the app's requirements': the cause, where, and the fix."""
    err = probe.error
    if err is None:
        return "it imports"
    top = probe.entry.split(":", 1)[0].split(".", 1)[0]
    if err.type == "ModuleNotFoundError" and err.module and err.module.split(".")[0] != top:
        fix = f"add the package that provides '{err.module}' to the app's requirements"
    elif err.type in ("ModuleNotFoundError", "AttributeError"):
        fix = f"check the entry point '{probe.entry}' and the app's directory {directory}"
    else:
        fix = "fix the app (this is raised while importing it)"
    return f"{err.line}{_where(err, directory)}; {fix}"
