"""Find the interpreters on this machine.

Sources, in this order (the first one to find a binary names its `path`; all are kept in
`sources`): explicit paths, pyenv's `$PYENV_ROOT/versions/*/bin` (read directly: pyenv's
shims hide those builds from `uv python find`), `PATH`, and what `uv python list
--only-installed` knows (with `UV_PYTHON_DOWNLOADS=never`; uv missing is fine). Names looked
for: `python3.X`, `python3.Xt`, `python3`, `pypy3`, `pypy3.X`. Shim directories (pyenv, asdf)
are skipped: a shim is a script that picks some other interpreter. Duplicates (same real path)
are listed once. Each binary is probed once (cached); one that fails is skipped with a note.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import Field

from estimator import procs
from estimator._model import Model
from estimator.errors import InterpreterError
from estimator.interpreters.facts import Interpreter, InterpreterFacts, read_facts
from estimator.tools import find_uv

NAME = re.compile(r"^(python3(\.\d+t?)?|pypy3(\.\d+)?)$")
INCOMPLETE_MARKER = ".estimator-build-incomplete"
"""Written into a pyenv version dir while `estimator interpreters install` builds it."""

UV_LIST_TIMEOUT_S = 30.0


class Skipped(Model):
    path: Path
    reason: str


class Discovery(Model):
    """What a scan found: usable interpreters, and the candidates skipped with the reason."""

    interpreters: list[Interpreter]
    skipped: list[Skipped] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="e.g. uv not installed")


def pyenv_root() -> Path:
    value = os.environ.get("PYENV_ROOT")
    return Path(value) if value else Path.home() / ".pyenv"


def _candidates_in(directory: Path) -> list[Path]:
    try:
        names = sorted(p.name for p in directory.iterdir())
    except OSError:
        return []
    # most specific first (python3.14t, python3.14, python3): the name shown is the first
    names.sort(key=lambda n: (n in ("python3", "pypy3"), -len(n), n))
    return [directory / n for n in names if NAME.match(n)]


def _is_shim(path: Path) -> bool:
    return path.parent.name == "shims"


def pyenv_candidates(root: Path | None = None) -> tuple[list[Path], list[Skipped]]:
    root = pyenv_root() if root is None else root
    versions = root / "versions"
    found: list[Path] = []
    skipped: list[Skipped] = []
    try:
        dirs = sorted(p for p in versions.iterdir() if p.is_dir())
    except OSError:
        return [], []
    for d in dirs:
        if (d / INCOMPLETE_MARKER).exists():
            skipped.append(Skipped(path=d, reason="build in progress or interrupted"))
            continue
        found.extend(_candidates_in(d / "bin"))
    return found, skipped


def path_candidates(path_var: str | None = None) -> list[Path]:
    path_var = os.environ.get("PATH", "") if path_var is None else path_var
    out: list[Path] = []
    for entry in path_var.split(os.pathsep):
        if not entry or Path(entry).name == "shims":
            continue
        out.extend(_candidates_in(Path(entry)))
    return out


def parse_uv_list(text: str) -> list[Path]:
    """Paths from `uv python list --output-format json` (unit-tested on recorded output)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InterpreterError(f"uv python list printed no JSON ({exc.msg})") from exc
    if not isinstance(data, list):
        raise InterpreterError("uv python list printed JSON that is not a list")
    out = []
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            out.append(Path(item["path"]))
    return out


def uv_candidates(uv: str | None = None) -> tuple[list[Path], list[str]]:
    uv = uv or find_uv()
    if uv is None:
        return [], ["uv not installed: interpreters only uv knows are not listed"]
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never", NO_COLOR="1")
    try:
        proc = procs.spawn(
            [uv, "python", "list", "--only-installed", "--output-format", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError as exc:
        return [], [f"uv python list could not run: {exc}"]
    try:
        out, _ = proc.communicate(timeout=UV_LIST_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return [], [f"uv python list gave no answer within {UV_LIST_TIMEOUT_S:.0f} s"]
    finally:
        procs.stop(proc, timeout=2.0)
    if proc.returncode != 0:
        return [], [f"uv python list failed ({procs.describe_exit(proc.returncode)})"]
    try:
        return [p for p in parse_uv_list(out.decode(errors="replace")) if not _is_shim(p)], []
    except InterpreterError as exc:
        return [], [exc.message]


def explicit_candidates(paths: Sequence[Path]) -> list[Path]:
    """A file is taken as is; a directory (an install prefix or its bin/) is searched."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            inside = _candidates_in(p / "bin") or _candidates_in(p)
            out.extend(inside or [p])
        else:
            out.append(p)
    return out


def merge(
    candidates: Iterable[tuple[Path, str]],
    *,
    probe_cache: Path | None = None,
) -> Discovery:
    """Dedupe (by real path, and by inode: `python3.14t` and `python3.14` are hard links)
    and probe. `candidates` are (path, source) in priority order."""
    by_real: dict[tuple[int, int], tuple[Path, Path, list[str]]] = {}
    skipped: list[Skipped] = []
    for path, source in candidates:
        try:
            if not path.is_file() or not os.access(path, os.X_OK):
                if source == "explicit":
                    skipped.append(Skipped(path=path, reason="not an executable file"))
                continue
            real = path.resolve()
            st = real.stat()
        except OSError as exc:
            skipped.append(Skipped(path=path, reason=str(exc)))
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in by_real:
            srcs = by_real[ident][2]
            if source not in srcs:
                srcs.append(source)
        else:
            by_real[ident] = (path, real, [source])
    found: list[Interpreter] = []
    for path, real, sources in by_real.values():
        try:
            facts: InterpreterFacts = read_facts(path, cache=probe_cache)
        except InterpreterError as exc:
            skipped.append(Skipped(path=path, reason=exc.message))
            continue
        found.append(Interpreter(path=path, real_path=real, sources=sources, facts=facts))
    found.sort(key=_sort_key)
    return Discovery(interpreters=found, skipped=skipped)


def _sort_key(i: Interpreter) -> tuple[int, tuple[int, int, int], bool, str]:
    impl_rank = {"cpython": 0, "pypy": 1}.get(i.facts.implementation, 2)
    return (impl_rank, i.facts.version_tuple, i.facts.free_threaded_build, str(i.path))


def scan(
    extra_paths: Sequence[Path] = (),
    *,
    use_path: bool = True,
    use_pyenv: bool = True,
    use_uv: bool = True,
    pyenv: Path | None = None,
    probe_cache: Path | None = None,
) -> Discovery:
    """Every source, with what was skipped and why (the CLI shows both)."""
    candidates: list[tuple[Path, str]] = [(p, "explicit") for p in explicit_candidates(extra_paths)]
    skipped: list[Skipped] = []
    notes: list[str] = []
    if use_pyenv:
        found, skipped_dirs = pyenv_candidates(pyenv)
        candidates += [(p, "pyenv") for p in found]
        skipped += skipped_dirs
    if use_path:
        candidates += [(p, "PATH") for p in path_candidates()]
    if use_uv:
        uv_found, uv_notes = uv_candidates()
        candidates += [(p, "uv") for p in uv_found]
        notes += uv_notes
    result = merge(candidates, probe_cache=probe_cache)
    return Discovery(
        interpreters=result.interpreters, skipped=skipped + result.skipped, notes=notes
    )


def discover(extra_paths: Sequence[Path] = ()) -> list[Interpreter]:
    """Every usable interpreter on this machine, plus `extra_paths` (config), listed once."""
    return scan(extra_paths).interpreters
