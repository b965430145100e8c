"""Guesses about a project directory, from its files only (nothing is imported): the app's
name, its requirements, its entry point(s) and Django settings. `estimator init` offers them
as defaults; `probe` then checks them in the app's own environment."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import Field

from estimator._model import Model
from estimator.scenario import Interface

_SETTINGS = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"](?P<mod>[\w.]+)['"]""")
_APP = re.compile(
    r"^(?P<var>[A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*(?:[\w.]+\.)?"
    r"(?P<cls>Flask|FastAPI|Starlette|Quart|Litestar|Bottle|App)\(",
    re.M,
)
_FACTORY = re.compile(r"^def (?P<func>create_app|make_app|app_factory)\(", re.M)
_FRAMEWORK_IMPORT = re.compile(
    r"^\s*(?:from|import)\s+(?P<mod>flask|fastapi|starlette|quart|litestar|bottle|falcon)\b",
    re.M,
)
_SKIP_DIRS = {
    ".venv",
    "venv",
    "env",
    ".git",
    "node_modules",
    "site-packages",
    "tests",
    "test",
    "migrations",
    "build",
    "dist",
    "__pycache__",
}
_PREFERRED = ("app.py", "main.py", "wsgi.py", "asgi.py", "application.py", "server.py")
_MAX_FILES = 300
_NAME_BAD = re.compile(r"[^a-z0-9_.-]+")


class EntryGuess(Model):
    """A candidate entry point and why we think so."""

    entry: str = Field(description="'package.module:attribute'")
    framework: str | None = Field(None, description="what the file imports: flask, fastapi…")
    why: str


def guess_name(directory: Path) -> str:
    """A results name from the directory's name ('My Shop' → 'my-shop')."""
    name = _NAME_BAD.sub("-", directory.resolve().name.lower()).strip("-._")
    return name if name and name[0].isalnum() else "app"


def guess_requirements(directory: Path) -> list[Path]:
    """requirements.txt; else requirements/{prod,production,base}.txt; else pyproject.toml
    when it declares dependencies; else nothing. Relative to `directory`."""
    if (directory / "requirements.txt").is_file():
        return [Path("requirements.txt")]
    for name in ("prod.txt", "production.txt", "base.txt"):
        if (directory / "requirements" / name).is_file():
            return [Path("requirements") / name]
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            return []
        if data.get("project", {}).get("dependencies"):
            return [Path("pyproject.toml")]
    return []


def django_settings(directory: Path) -> str | None:
    """The settings module manage.py defaults to, if there is a manage.py."""
    manage = directory / "manage.py"
    try:
        m = _SETTINGS.search(manage.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    return m["mod"] if m else None


def _django_entries(directory: Path, settings: str) -> list[EntryGuess]:
    """'mysite.settings' → mysite.wsgi:application (and asgi) when those files exist;
    'config.settings.local' finds config/wsgi.py too."""
    parts = settings.split(".")[:-1]
    out: list[EntryGuess] = []
    for n in range(len(parts), 0, -1):
        package = ".".join(parts[:n])
        folder = directory.joinpath(*parts[:n])
        for iface in ("wsgi", "asgi"):
            if (folder / f"{iface}.py").is_file():
                out.append(
                    EntryGuess(
                        entry=f"{package}.{iface}:application",
                        framework="django",
                        why=f"manage.py uses {settings}; {package}/{iface}.py exists",
                    )
                )
        if out:
            return out
    return out


def _python_files(directory: Path) -> list[Path]:
    files = [p for p in sorted(directory.glob("*.py")) if p.name != "manage.py"]
    for sub in sorted(directory.iterdir()):
        if sub.is_dir() and sub.name not in _SKIP_DIRS and (sub / "__init__.py").is_file():
            files += sorted(sub.glob("*.py"))
    files.sort(key=lambda p: (p.name not in _PREFERRED, len(p.parts), str(p)))
    return files[:_MAX_FILES]


def _module(path: Path, directory: Path) -> str:
    rel = path.relative_to(directory).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def guess_entries(directory: Path) -> list[EntryGuess]:
    """Candidate entry points, most likely first: Django's from manage.py, else module-level
    `app = Flask(...)`/`FastAPI(...)`/… assignments, then app factories."""
    directory = directory.resolve()
    settings = django_settings(directory)
    if settings:
        found = _django_entries(directory, settings)
        if found:
            return found
    apps: list[EntryGuess] = []
    factories: list[EntryGuess] = []
    for path in _python_files(directory):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        imported = _FRAMEWORK_IMPORT.search(text)
        if imported is None:
            continue
        framework = imported["mod"]
        module = _module(path, directory)
        if not module or not all(part.isidentifier() for part in module.split(".")):
            continue  # 'my-app.py' can't be imported by that name
        rel = path.relative_to(directory)
        for m in _APP.finditer(text):
            why = f"{rel} assigns {m['var']} = {m['cls']}(...)"
            apps.append(EntryGuess(entry=f"{module}:{m['var']}", framework=framework, why=why))
        for m in _FACTORY.finditer(text):
            why = f"{rel} defines the app factory {m['func']}()"
            entry = f"{module}:{m['func']}()"
            factories.append(EntryGuess(entry=entry, framework=framework, why=why))
    return apps + factories


_ASGI_FRAMEWORKS = {"fastapi", "starlette", "quart", "litestar"}


def guess_interface(directory: Path, entry: str) -> Interface:
    """WSGI or ASGI, from the files only (the probe tells for sure): Django by the module
    the entry point names (wsgi/asgi), others by the framework their module imports."""
    module = entry.split(":", 1)[0]
    if module.endswith(".asgi"):
        return "asgi"
    for g in guess_entries(directory):
        if g.entry.split(":", 1)[0] == module and g.framework:
            return "asgi" if g.framework in _ASGI_FRAMEWORKS else "wsgi"
    return "wsgi"
