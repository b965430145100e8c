"""What an app's own requirements say about the server packages: `gunicorn==22.0.0` in a
requirements.txt written for a Procfile, `uvicorn[standard]>=0.29` in a pyproject.toml.

Read from the files the app's environment is installed from (requirements files and the
files they include with -r/-c, `[project] dependencies` of a pyproject.toml) and from its
extra specifiers. Environment markers are evaluated for the interpreter the environment is
for, so a pin that only applies to another Python is not the app's pin there.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from pydantic import Field

from estimator._model import Model
from estimator.serve.versions import canonical

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)")
_MAX_INCLUDES = 50


class Pin(Model):
    """One requirement of the app on a server package."""

    name: str = Field(description="canonical project name, e.g. 'gunicorn'")
    requirement: str = Field(description="as written, e.g. 'gunicorn==22.0.0'")
    specifier: str = Field(description="the version part, e.g. '==22.0.0' ('' for any)")
    url: bool = Field(False, description="a direct reference (name @ url): version unknown")
    source: str = Field(description="where it is written, e.g. 'requirements.txt'")


def _lines(path: Path) -> Iterator[str]:
    """Logical lines of a requirements file: comments dropped, continuations joined."""
    pending = ""
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = (pending + line).strip(), ""
        if line:
            yield line
    if pending.strip():
        yield pending.strip()


def _requirement_file(path: Path, seen: set[Path]) -> Iterator[tuple[str, str]]:
    """(requirement text, source) of a requirements file and the files it includes."""
    real = path.resolve()
    if real in seen or len(seen) > _MAX_INCLUDES or not path.is_file():
        return
    seen.add(real)
    if path.name == "pyproject.toml":
        yield from _pyproject(path)
        return
    for line in _lines(path):
        m = _INCLUDE.match(line)
        if m:
            yield from _requirement_file(path.parent / m.group(2), seen)
        elif not line.startswith("-"):  # other options (--index-url, -e DIR) pin nothing
            yield line.split(" --", 1)[0].strip(), path.name


def _pyproject(path: Path) -> Iterator[tuple[str, str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    deps = data.get("project", {}).get("dependencies") or []
    for dep in deps if isinstance(deps, list) else []:
        if isinstance(dep, str):
            yield dep, path.name


def _applies(req: Requirement, python_version: tuple[int, int], implementation: str) -> bool:
    if req.marker is None:
        return True
    env: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    version = ".".join(map(str, python_version))
    name = implementation.lower()
    env.update(
        python_version=version,
        python_full_version=f"{version}.0",
        implementation_name=name,
        platform_python_implementation={"cpython": "CPython", "pypy": "PyPy"}.get(name, name),
    )
    try:
        return bool(req.marker.evaluate(env))
    except Exception:  # an unknown marker variable: assume the pin applies
        return True


def app_pins(
    files: Iterable[Path],
    specifiers: Iterable[str],
    *,
    names: Iterable[str],
    python_version: tuple[int, int],
    implementation: str,
) -> dict[str, Pin]:
    """The app's requirements on the packages `names`, by canonical name (the first one
    found wins; unparseable lines are the installer's business, not ours)."""
    wanted = {canonical(n) for n in names}
    found: dict[str, Pin] = {}
    seen: set[Path] = set()
    texts: list[tuple[str, str]] = []
    for f in files:
        texts += list(_requirement_file(f, seen))
    texts += [(s, "the app's packages") for s in specifiers]
    for text, source in texts:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        name = canonical(req.name)
        if name not in wanted or name in found:
            continue
        if not _applies(req, python_version, implementation):
            continue
        found[name] = Pin(
            name=name,
            requirement=text,
            specifier=str(req.specifier),
            url=req.url is not None,
            source=source,
        )
    return found
