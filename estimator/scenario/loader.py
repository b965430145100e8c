"""Read a scenario from TOML (a file, or the name of a shipped scenario) into the typed model.

Relative paths in a file resolve against the file's directory. An app given as a string names
a sample app ("flask", "django", "fastapi"), measured with the scenario's `locustfile` when it
sets one (else the `mix`); a locustfile given as a bare name names a shipped load test ("mix",
"compute", "upstream", "products", "report").
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from estimator.errors import ConfigError, describe_validation_error
from estimator.scenario.models import AppSpec, Scenario

BUILTIN_PACKAGE = "estimator.scenario.builtin"


def builtin_scenarios() -> dict[str, Path]:
    """Shipped scenarios by name."""
    root = resources.files(BUILTIN_PACKAGE)
    return {
        Path(entry.name).stem: Path(str(entry))
        for entry in root.iterdir()
        if entry.name.endswith(".toml")
    }


def resolve_scenario_path(ref: str | Path) -> Path:
    path = Path(ref)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ConfigError(f"scenario file '{path}' not found; give a path to a .toml file")
        return path
    shipped = builtin_scenarios()
    if str(ref) in shipped:
        return shipped[str(ref)]
    raise ConfigError(
        f"scenario '{ref}' is neither a file nor a shipped scenario; "
        f"shipped: {', '.join(sorted(shipped))}"
    )


def load_scenario(ref: str | Path) -> Scenario:
    path = resolve_scenario_path(ref)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the scenario as UTF-8"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a scenario; check the file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    raw.setdefault("name", path.stem)
    scenario = scenario_from_dict(raw, base_dir=path.parent, source=str(path))
    check_files(scenario, str(path))
    return scenario


def check_files(scenario: Scenario, source: str) -> None:
    """Every app directory and locustfile exists (a dry run says so, not the run)."""
    for i, app in enumerate(scenario.apps):
        if not app.directory.is_dir():
            raise ConfigError(
                f"{source}: apps[{i}] '{app.name}': directory {app.directory} does not exist; "
                "fix 'directory' (relative paths start at the scenario file's folder)"
            )
        locustfile = scenario.locustfile_for(app)
        if not locustfile.is_file():
            raise ConfigError(
                f"{source}: app '{app.name}': locustfile {locustfile} does not exist; fix "
                "'locustfile' (a path, or a shipped load test: mix, compute, upstream, products)"
            )


def _check_nul(value: Any, source: str, where: str = "") -> None:
    """A NUL character can't be in a path, an argument or an environment value."""
    if isinstance(value, str) and "\0" in value:
        raise ConfigError(f"{source}: {where or 'a value'} contains a NUL character; remove it")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_nul(k, source, where)
            _check_nul(v, source, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_nul(v, source, f"{where}[{i}]")


def scenario_from_dict(raw: dict[str, Any], *, base_dir: Path, source: str) -> Scenario:
    _check_nul(raw, source)
    data = dict(raw)
    if isinstance(data.get("locustfile"), str):
        data["locustfile"] = _locustfile(data["locustfile"], base_dir)
    if "apps" in data:
        apps = [_app(a, base_dir, source, i) for i, a in enumerate(_list(data["apps"]))]
        default = data.get("locustfile")
        if isinstance(default, Path):  # a sample app takes the scenario's load test
            apps = [
                a.model_copy(update={"locustfile": default}) if isinstance(a, AppSpec) else a
                for a in apps
            ]
        data["apps"] = apps
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, source)) from None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _app(value: Any, base_dir: Path, source: str, index: int) -> Any:
    if isinstance(value, str):
        from estimator.scenario.builtin_apps import SAMPLE_APPS

        if value not in SAMPLE_APPS:
            raise ConfigError(
                f"{source}: apps[{index}] = '{value}' is not a sample app "
                f"({', '.join(sorted(SAMPLE_APPS))}); describe your app as a table instead "
                "(see `estimator init`)"
            )
        return SAMPLE_APPS[value]
    if not isinstance(value, dict):
        return value  # the model reports the type error with its key
    app = dict(value)
    directory = base_dir / str(app.get("directory", "."))
    app["directory"] = directory.resolve()
    if isinstance(app.get("locustfile"), str):
        app["locustfile"] = _locustfile(app["locustfile"], base_dir)
    return app


def _locustfile(value: str, base_dir: Path) -> Path:
    if "/" not in value and not value.endswith(".py"):
        from estimator.scenario.builtin_apps import LOADTESTS

        if value in LOADTESTS:
            return LOADTESTS[value]
    return (base_dir / value).resolve()


ADDED_AT_DEFAULT: dict[str, dict[str, object]] = {
    "server": {"reuse_port": False, "keep_alive_s": None},
    "load": {"keep_alive": True},
}
"""Fields added after stores of measured runs existed: at their default they are left out of
the content hashes, so a scenario that does not set them keeps its version and its cells
their keys (runs already measured are neither redone nor set apart)."""


def drop_added_defaults(section: str, payload: dict[str, Any]) -> dict[str, Any]:
    """`payload` (a dumped server config or load plan) without the added fields that are at
    their default (`ADDED_AT_DEFAULT`)."""
    added = ADDED_AT_DEFAULT[section]
    return {k: v for k, v in payload.items() if not (k in added and v == added[k])}


def scenario_hash(scenario: Scenario) -> str:
    """Content hash of what determines the measurements (not the name)."""
    payload = scenario.model_dump(
        mode="json", exclude={"name": True, "apps": {"__all__": {"public_env", "pass_env"}}}
    )
    payload["servers"] = [drop_added_defaults("server", s) for s in payload["servers"]]
    payload["load"] = drop_added_defaults("load", payload["load"])
    blob = json.dumps(payload, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
