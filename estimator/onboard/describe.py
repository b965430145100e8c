"""`estimator init`: describe a user's app as a scenario file and a starter locustfile.

The app is installed into its own environment (one interpreter variant, the first CPython
asked for), its entry point imported there to tell WSGI from ASGI and to find a health path
that answers 200; for an OpenAPI-generated locustfile the app is started briefly under the
server a run would use. Files are checked (the scenario is read back as `estimator run`
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
from estimator.interpreters import (
    Interpreter,
    RequirementSet,
    ResolvedVariant,
    discover,
    plan_variants,
    provision,
)
from estimator.measure import cells
from estimator.onboard.detect import guess_entries, guess_name, guess_requirements
from estimator.onboard.fetch import fetch_openapi
from estimator.onboard.probe import AppProbe, describe_import_failure, probe_app
from estimator.onboard.scenario_file import InitSpec, check_rendered, render_scenario
from estimator.onboard.starter import (
    StarterPlan,
    endpoints_from_openapi,
    endpoints_from_paths,
    render_locustfile,
)
from estimator.scenario import AppSpec, Interface, Scenario, ServerConfig
from estimator.scenario.models import SERVER_INTERFACE

HEALTH_CANDIDATES = ("/healthz", "/health", "/")
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


def _health(request: InitRequest, probe: AppProbe, notes: list[str]) -> str:
    if request.health_path is not None:
        check = probe.paths.get(request.health_path)
        if check is not None and check.status != 200:
            notes.append(
                f"GET {request.health_path} answered {check.describe()} in the app's process; "
                "runs need it to answer 200: fix the app or health_path"
            )
        return request.health_path
    answered = {p: c for p, c in probe.paths.items() if c.status == 200}
    for path in HEALTH_CANDIDATES:
        if path in answered:
            return path
    seen = ", ".join(f"{p} → {c.describe()}" for p, c in probe.paths.items())
    raise ConfigError(
        f"no health path answers 200 ({seen or probe.paths_error or 'not checked'}); give the "
        "path of a cheap page that does with --health PATH"
    )


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


def _starter(
    request: InitRequest,
    probe: AppProbe,
    scenario: Scenario,
    variant: ResolvedVariant,
    *,
    work: Path,
    progress: Progress,
) -> StarterPlan:
    app = scenario.apps[0]
    if request.paths is not None:
        return endpoints_from_paths(request.paths)
    if request.openapi or request.openapi_url or probe.openapi_url:
        url = request.openapi_url or probe.openapi_url or "/openapi.json"
        progress(f"starting the app under {variant.name} to fetch {url}")
        cell = cells(scenario, [variant.name])[0]
        doc = fetch_openapi(cell, variant, url, run_dir=work / "openapi")
        source = f"from the app's OpenAPI document ({url})"
        return endpoints_from_openapi(doc, source=source, exclude=[app.health_path])
    return endpoints_from_paths(["/"]).model_copy(
        update={"source": "for GET / only (no paths given): add your app's real requests"}
    )


def _check_app(
    request: InitRequest,
    draft: AppSpec,
    variant: ResolvedVariant,
    *,
    work: Path,
    progress: Progress,
) -> AppProbe:
    """Install the app's requirements for `variant` and import it there; ConfigError if it
    does not import."""
    entry = draft.entry_for("wsgi")  # the draft holds the entry point as 'wsgi'
    progress(f"installing the app's requirements for {variant.name}")
    files = [draft.directory / r for r in draft.requirements]
    env = provision(variant, RequirementSet(files=files, specifiers=draft.packages))
    progress(f"importing {entry} with {variant.name}")
    probe = probe_app(
        env.python,
        draft,
        entry,
        run_dir=work / "probe",
        extra_env=variant.env,
        paths=[request.health_path] if request.health_path else list(HEALTH_CANDIDATES),
        interface=request.interface,
    )
    if probe.error is not None:
        hint = "" if files else f"; no requirements were found in {draft.directory}"
        raise ConfigError(
            f"'{entry}' does not import with {variant.name}: "
            f"{describe_import_failure(probe, draft.directory)}{hint} (output: {work / 'probe'})"
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
    requirements = _requirements(request, directory)
    entry = _entry(request, directory)
    name = request.name or guess_name(directory)
    variant, notes = probe_variant(request.variants, interpreters)
    draft = AppSpec(
        name=name,
        directory=directory,
        wsgi=entry,
        requirements=requirements,
        packages=request.packages,
        env=request.env,
        setup=request.setup,
    )
    work = paths.data_dir() / "init" / f"{name}-{uuid.uuid4().hex[:8]}"
    probe = _check_app(request, draft, variant, work=work, progress=progress)
    interface, detected = _interface(request, probe, variant, notes)
    servers = request.servers or DEFAULT_SERVERS[interface]
    wrong = [s.label for s in servers if s.interface != interface]
    if wrong:
        raise ConfigError(
            f"--server {', '.join(wrong)}: not for {interface.upper()} apps like '{entry}'; "
            f"use {' or '.join(k for k, i in SERVER_INTERFACE.items() if i == interface)}"
        )
    app = draft.model_copy(
        update={
            "wsgi": entry if interface == "wsgi" else None,
            "asgi": entry if interface == "asgi" else None,
            "health_path": _health(request, probe, notes),
            "locustfile": locustfile,
        }
    )
    app = AppSpec.model_validate(app.model_dump())
    spec = InitSpec(
        app=app,
        variants=request.variants,
        servers=servers,
        detected=detected,
        alternatives=_alternatives(directory, interface, entry),
    )
    scenario = Scenario(name=name, apps=[app], variants=spec.variants, servers=spec.servers)
    starter = None
    if generate:
        starter = _starter(request, probe, scenario, variant, work=work, progress=progress)
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
        notes=notes,
    )
