"""The scenario file `estimator init` writes for a user's app: commented TOML that
`load_scenario` reads back as is (checked before it is written).

Pure rendering: what to put in it (the detected interface, the generated locustfile) is
decided by `estimator.onboard.describe`, which can start the app.
"""

from __future__ import annotations

import datetime
import json
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field

from estimator._model import Model
from estimator.errors import ConfigError
from estimator.scenario.loader import scenario_from_dict
from estimator.scenario.models import AppSpec, LoadPlan, Scenario, ServerConfig, Slo

SERVER_KINDS_HELP = "gunicorn-sync, gunicorn-gthread for WSGI; uvicorn, gunicorn-uvicorn for ASGI"


class InitSpec(Model):
    """Everything the scenario file says, with the comments that explain it."""

    app: AppSpec = Field(description="directory and locustfile absolute")
    variants: list[str] = Field(min_length=1)
    servers: list[ServerConfig] = Field(min_length=1)
    load: LoadPlan = Field(default_factory=LoadPlan)
    slo: Slo = Field(default_factory=Slo)
    detected: str | None = Field(None, description="how the entry point's interface is known")
    alternatives: list[str] = Field(
        default_factory=list, description="TOML lines offered commented out in the app table"
    )
    locustfile_note: str | None = Field(None, description="where the locustfile came from")


def toml_value(value: Any) -> str:
    """A TOML literal for a string, number, bool or (nested) list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value))  # JSON string escapes are valid TOML basic strings
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML literal for {type(value).__name__}")


def _relative(path: Path, base: Path) -> str:
    """`path` relative to `base` when they share a root, else absolute."""
    try:
        return os.path.relpath(path.resolve(), base.resolve())
    except ValueError:  # pragma: no cover - different drives (Windows)
        return str(path.resolve())


def _key(name: str) -> str:
    bare = name.replace("_", "").replace("-", "").isalnum() and name.isascii()
    return name if bare else json.dumps(name)


def _app_table(spec: InitSpec, base: Path) -> list[str]:
    app = spec.app
    out = ["[[apps]]", f"name = {toml_value(app.name)}"]
    out += [
        "# The project directory: the server runs here, in the app's own environment.",
        f"directory = {toml_value(_relative(app.directory, base))}",
    ]
    if spec.detected:
        out.append(f"# {spec.detected}")
    for iface in ("wsgi", "asgi"):
        entry = getattr(app, iface)
        if entry is not None:
            out.append(f"{iface} = {toml_value(entry)}")
    out += [f"# {alt}" for alt in spec.alternatives]
    out += [
        "# Installed into a fresh virtual environment per interpreter (never into estimator's):",
        '# requirement files or "pyproject.toml" (relative to directory), and extra specifiers.',
        f"requirements = {toml_value([str(r) for r in app.requirements])}",
        f"packages = {toml_value(app.packages)}",
        "# Commands run once per environment in the app directory, before any run (migrations,",
        '# seed data); a leading "python" is that environment\'s interpreter.',
        f"setup = {toml_value(app.setup)}",
        "# Must answer 2xx once the app is up: estimator waits for it before loading.",
        f"health_path = {toml_value(app.health_path)}",
    ]
    if app.locustfile is not None:
        out.append("# The load test (a locustfile, relative to this file).")
        if spec.locustfile_note:
            out.append(f"# {spec.locustfile_note}")
        out.append(f"locustfile = {toml_value(_relative(app.locustfile, base))}")
    out.append("")
    out.append("# The app's environment variables; '{run_dir}' expands to each run's directory.")
    if app.env:
        out.append("[apps.env]")
        out += [f"{_key(k)} = {toml_value(v)}" for k, v in app.env.items()]
    else:
        out += ["# [apps.env]", '# DATABASE_URL = "sqlite:///{run_dir}/db.sqlite3"']
    return out


def _servers(spec: InitSpec) -> list[str]:
    out = [
        "# Server configurations to measure; add more to compare them. Kinds:",
        f"# {SERVER_KINDS_HELP}.",
        "# The workers share the server's CPU(s) (see [cpu]).",
    ]
    for server in spec.servers:
        out += ["[[servers]]", f"kind = {toml_value(server.kind)}"]
        out.append(f"workers = {server.workers}")
        if server.threads is not None:
            out.append(f"threads = {server.threads}")
        if server.preload:
            out.append("preload = true")
        if server.extra_args:
            out.append(f"extra_args = {toml_value(server.extra_args)}")
        out.append("")
    return out


def _table(name: str, model: Model) -> list[str]:
    out = [f"[{name}]"]
    for key, value in model.model_dump().items():
        if value is None or value == []:
            continue
        out.append(f"{key} = {toml_value(value)}")
    return out


def render_scenario(spec: InitSpec, path: Path, *, today: datetime.date | None = None) -> str:
    """The scenario file's text, for writing at `path` (relative paths are relative to it)."""
    base = path.resolve().parent
    day = (today or datetime.date.today()).isoformat()
    name = spec.app.name
    lines = [
        f"# Scenario for app '{spec.app.name}', written by `estimator init` on {day}.",
        f"#   estimator preflight {path.name}   checks every interpreter variant quickly",
        f"#   estimator run {path.name}         measures (resumable: finished runs are kept)",
        "#   estimator estimate --peak-rps N --region us-east-1   turns them into a monthly bill",
        "# Relative paths are relative to this file (the app's requirements: to its directory).",
        f"name = {toml_value(name)}",
        "",
        "# Interpreter variants to compare (`estimator interpreters` lists this machine's):",
        '# "all" = every CPython >= 3.10 and PyPy found, or e.g. ["cpython-3.11", "cpython-3.13"].',
        f"variants = {toml_value(spec.variants)}",
        "# Runs per configuration: 3 or more give confidence intervals.",
        "repetitions = 1",
        "",
        *_app_table(spec, base),
        "",
        *_servers(spec),
        "# How each run drives load (seconds; rates in req/s): a warm-up until throughput is",
        "# steady, steady phases at fractions of its peak, then a capacity search up to the SLO.",
        *_table("load", spec.load),
        "",
        "# The latency and error-rate limits capacity is measured against.",
        *_table("slo", spec.slo),
        "",
        "# Where the server and the load generator run. Default: the server on the last CPU,",
        "# the generator on the others. quota_cpus models a smaller instance (a cgroup quota).",
        "# [cpu]",
        "# server_cpus = [1]",
        "# quota_cpus = 0.5",
        "",
    ]
    return "\n".join(lines)


def check_rendered(text: str, path: Path) -> Scenario:
    """Read the rendered text back exactly as `estimator run` will; ConfigError if it
    does not validate (a bug, or values the user gave that the model refuses)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - render_scenario's bug
        raise ConfigError(f"{path}: the generated scenario is not valid TOML: {exc}") from None
    raw.setdefault("name", path.stem)
    return scenario_from_dict(raw, base_dir=path.resolve().parent, source=str(path))
