"""`estimator init`: describe a user's app as a scenario file and a starter locustfile.

The app is installed into the environment its runs will use (one interpreter variant, the
first CPython asked for; the server packages resolved with the app's own pins), its setup
commands run there (migrations, `init-db`), then its entry point is imported there to tell
WSGI from ASGI, to find a health path that answers 2xx (redirects followed) and to list its
routes. Unless URL paths or a locustfile are given, the app is then started briefly under
the server a run would use, and the starter tasks (from its OpenAPI document or its routes)
are tried against it. Files are checked (the scenario is read back as `estimator run`
will) before anything is written, and never overwritten without `force`.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import Field

from estimator import paths
from estimator._model import Model
from estimator.errors import ConfigError, InterpreterError
from estimator.interpreters import Interpreter, ResolvedVariant, discover, plan_variants
from estimator.measure import CellSpec, cells
from estimator.onboard.detect import guess_entries, guess_interface, guess_name, guess_requirements
from estimator.onboard.discover import starter_plan
from estimator.onboard.environment import environment_for
from estimator.onboard.health import HEALTH_CANDIDATES, HealthChoice, settle_health
from estimator.onboard.probe import AppProbe, describe_import_failure, probe_app
from estimator.onboard.scenario_file import InitSpec, check_rendered, render_scenario
from estimator.onboard.starter import StarterPlan, render_locustfile
from estimator.scenario import AppSpec, Interface, Scenario, ServerConfig
from estimator.scenario.models import SERVER_INTERFACE

LOCUSTFILE_NAME = "locustfile.py"
DEFAULT_SERVERS: dict[Interface, list[ServerConfig]] = {
    "wsgi": [ServerConfig(kind="gunicorn-sync", workers=2)],
    "asgi": [ServerConfig(kind="uvicorn", workers=2)],
}
Progress = Callable[[str], None]


class InitRequest(Model):
    """What the user said (flags or answers); None: guess it."""

    project: Path | None = Field(None, description="the app's project directory (default: .)")
    entry: str | None = Field(None, description="'package.module:app'")
    interface: Interface | None = Field(None, description="None: detect it")
    name: str | None = None
    requirements: list[Path] | None = Field(
        None, description="requirement files or pyproject.toml (relative to project or absolute)"
    )
    packages: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    setup: list[list[str]] = Field(default_factory=list)
    health_path: str | None = None
    locustfile: Path | None = Field(None, description="an existing locustfile to use")
    paths: list[str] | None = Field(None, description="URL paths for a starter locustfile")
    openapi: bool = Field(False, description="generate the locustfile from the OpenAPI doc")
    openapi_url: str | None = Field(None, description="where the app serves its OpenAPI doc")
    variants: list[str] = Field(default_factory=lambda: ["all"])
    servers: list[ServerConfig] | None = None
    output: Path | None = Field(None, description="the scenario file (default: scenario.toml)")
    force: bool = Field(False, description="overwrite existing files")


class InitResult(Model):
    scenario_path: Path
    scenario: Scenario
    locustfile_path: Path
    locustfile_generated: bool
    starter: StarterPlan | None = None
    probe: AppProbe
    probe_variant: str
    health: HealthChoice
    notes: list[str] = Field(default_factory=list, description="warnings the user should read")


def _nothing(_: str) -> None:
    pass


def _writable(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise ConfigError(f"directory {path.parent} does not exist; create it or change -o")


def _requirements(request: InitRequest, directory: Path) -> list[Path]:
    if request.requirements is None:
        return guess_requirements(directory)
    out = []
    for given in request.requirements:
        candidates = [given, directory / given] if not given.is_absolute() else [given]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise ConfigError(
                f"requirements file '{given}' not found (looked in . and {directory}); give "
                "a requirements file or pyproject.toml"
            )
        real = found.resolve()
        out.append(real.relative_to(directory) if real.is_relative_to(directory) else real)
    return out


def _entry(request: InitRequest, directory: Path) -> str:
    if request.entry:
        return request.entry
    guesses = guess_entries(directory)
    if not guesses:
        raise ConfigError(
            f"could not find the app's entry point in {directory}; give it with "
            "--app package.module:app"
        )
    if request.interface == "asgi":  # Django: its asgi.py rather than its wsgi.py
        guesses.sort(key=lambda g: ".wsgi:" in g.entry)
    return guesses[0].entry


def probe_variant(
    names: Sequence[str], interpreters: list[Interpreter] | None
) -> tuple[ResolvedVariant, list[str]]:
    """The variant init imports the app with (the first CPython asked for, else the first
    variant found) and a note per variant that is not installed here."""
    plan = plan_variants(names, discover() if interpreters is None else interpreters)
    notes = [f"variant {m.name} is not available here: {m.message}" for m in plan.missing]
    if not plan.resolved:
        raise InterpreterError(
            f"none of the variants {list(names)} is installed here; run `estimator "
            "interpreters` and pass some that are with --variants"
        )
    cpython = [v for v in plan.resolved if v.spec.implementation == "cpython"]
    return (cpython or plan.resolved)[0], notes


def _alternatives(directory: Path, interface: Interface, entry: str) -> list[str]:
    """The app's other interface, offered commented out (Django ships both)."""
    other: Interface = "asgi" if interface == "wsgi" else "wsgi"
    package = entry.split(":", 1)[0].rsplit(".", 1)[0]
    for g in guess_entries(directory):
        if g.entry.startswith(f"{package}.{other}:"):
            kinds = [k for k, i in SERVER_INTERFACE.items() if i == other]
            return [
                f'{other} = "{g.entry}"   # to measure it as {other.upper()} too: uncomment, add a '
                f"{kinds[-1]} server"
            ]
    return []


def _first_cell(draft: AppSpec, servers: list[ServerConfig], variant: str) -> CellSpec:
    """The cell a run of the app starts with (its environment is the one init builds)."""
    scenario = Scenario(name=draft.name, apps=[draft], variants=[variant], servers=servers)
    return cells(scenario, [variant])[0]


def _check_app(
    request: InitRequest,
    cell: CellSpec,
    variant: ResolvedVariant,
    *,
    work: Path,
    progress: Progress,
) -> AppProbe:
    """Build the environment the app's runs use (setup commands included), import the app
    there and ask it about its paths and routes; ConfigError if it does not import."""
    app = cell.app
    entry = app.entry_for(cell.server.interface)
    then = f" and running its {len(app.setup)} setup command(s)" if app.setup else ""
    progress(f"installing the app's requirements for {variant.name}{then}")
    env = environment_for(cell, variant)
    progress(f"importing {entry} with {variant.name}")
    probe = probe_app(
        env.python,
        app,
        entry,
        run_dir=work / "probe",
        extra_env=variant.env,
        paths=[request.health_path] if request.health_path else list(HEALTH_CANDIDATES),
        interface=request.interface,
        routes=True,
        suggest=request.health_path is None,
    )
    if probe.error is not None:
        hint = "" if app.requirements else f"; no requirements were found in {app.directory}"
        raise ConfigError(
            f"'{entry}' does not import with {variant.name}: "
            f"{describe_import_failure(probe, app.directory)}{hint} (output: {work / 'probe'})"
        )
    return probe


def _interface(
    request: InitRequest, probe: AppProbe, variant: ResolvedVariant, notes: list[str]
) -> tuple[Interface, str]:
    """The app's interface and the scenario's comment saying how it is known."""
    interface = request.interface or probe.interface
    if interface is None:
        raise ConfigError(
            f"could not tell whether '{probe.entry}' is a WSGI or an ASGI app ({probe.reason}); "
            "say which with --interface wsgi|asgi"
        )
    if request.interface is None:
        return (
            interface,
            f"Detected: {probe.reason} → {interface.upper()} (imported with {variant.name})",
        )
    if probe.interface and request.interface != probe.interface:
        notes.append(
            f"--interface {request.interface} overrides what the import found: {probe.reason}"
        )
    return interface, f"Given with --interface (the import found: {probe.reason or 'nothing'})"


def _servers(request: InitRequest, interface: Interface, entry: str) -> list[ServerConfig]:
    servers = request.servers or DEFAULT_SERVERS[interface]
    wrong = [s.label for s in servers if s.interface != interface]
    if wrong:
        raise ConfigError(
            f"--server {', '.join(wrong)}: not for {interface.upper()} apps like '{entry}'; "
            f"use {' or '.join(k for k, i in SERVER_INTERFACE.items() if i == interface)}"
        )
    return servers


def _as(app: AppSpec, interface: Interface, entry: str, **update: object) -> AppSpec:
    """The app with `entry` as its `interface` entry point only."""
    changed = app.model_copy(update={"wsgi": None, "asgi": None, interface: entry, **update})
    return AppSpec.model_validate(changed.model_dump())


def init_app(
    request: InitRequest,
    *,
    interpreters: list[Interpreter] | None = None,
    progress: Progress = _nothing,
) -> InitResult:
    """Check the app, then write the scenario (and a starter locustfile unless one is
    given). Raises ConfigError naming what to fix; nothing is written then."""
    directory = (request.project or Path(".")).resolve()
    if not directory.is_dir():
        raise ConfigError(f"project directory {directory} does not exist; give --project DIR")
    output = (request.output or Path("scenario.toml")).resolve()
    _writable(output, request.force)
    generate = request.locustfile is None
    locustfile = (
        output.parent / LOCUSTFILE_NAME if request.locustfile is None else request.locustfile
    ).resolve()
    if generate:
        _writable(locustfile, request.force)
    elif not locustfile.is_file():
        raise ConfigError(f"locustfile {request.locustfile} does not exist; check the path")
    entry = _entry(request, directory)
    name = request.name or guess_name(directory)
    variant, notes = probe_variant(request.variants, interpreters)
    guessed: Interface = request.interface or (
        request.servers[0].interface if request.servers else guess_interface(directory, entry)
    )
    draft = AppSpec(
        name=name,
        directory=directory,
        wsgi=entry,
        requirements=_requirements(request, directory),
        packages=request.packages,
        env=request.env,
        setup=request.setup,
        locustfile=locustfile,
    )
    draft = _as(draft, guessed, entry, health_path=request.health_path or "/")
    work = paths.data_dir() / "init" / f"{name}-{uuid.uuid4().hex[:8]}"
    servers = _servers(request, guessed, entry)
    cell = _first_cell(draft, servers, variant.name)
    probe = _check_app(request, cell, variant, work=work, progress=progress)
    interface, detected = _interface(request, probe, variant, notes)
    servers = _servers(request, interface, entry)
    health = settle_health(request.health_path, probe, notes)
    app = _as(draft, interface, entry, health_path=health.path)
    spec = InitSpec(
        app=app,
        variants=request.variants,
        servers=servers,
        detected=detected,
        alternatives=_alternatives(directory, interface, entry),
    )
    starter = None
    if generate:
        starter = starter_plan(
            _first_cell(app, servers, variant.name),
            variant,
            probe,
            paths=request.paths,
            openapi_path=request.openapi_url
            or ((probe.openapi_url or "/openapi.json") if request.openapi else None),
            work=work,
            progress=progress,
        )
        note = f"Generated {starter.source}: edit it to look like your real traffic."
        spec = spec.model_copy(update={"locustfile_note": note})
    text = render_scenario(spec, output)
    scenario = check_rendered(text, output)
    if starter is not None:
        locustfile.write_text(render_locustfile(starter, app_name=name), encoding="utf-8")
    output.write_text(text, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return InitResult(
        scenario_path=output,
        scenario=scenario,
        locustfile_path=locustfile,
        locustfile_generated=generate,
        starter=starter,
        probe=probe,
        probe_variant=variant.name,
        health=health,
        notes=notes,
    )
