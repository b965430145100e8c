"""Which server packages (and versions) an environment has, read without starting it where
possible: a virtual environment's `*.dist-info` directories."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from estimator import procs
from estimator.errors import ServerError

_QUERY = (
    "import json, sys\n"
    "import importlib.metadata as m\n"
    "out = {}\n"
    "for n in sys.argv[1:]:\n"
    "    try:\n"
    "        out[n] = m.version(n)\n"
    "    except m.PackageNotFoundError:\n"
    "        pass\n"
    "print(json.dumps(out))\n"
)


def canonical(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def version_tuple(version: str) -> tuple[int, ...]:
    """'25.1.0' → (25, 1, 0); '0.4.0.post1' → (0, 4, 0)."""
    parts: list[int] = []
    for piece in version.split("."):
        m = re.match(r"\d+", piece)
        if m is None:
            break
        parts.append(int(m.group()))
        if m.end() != len(piece):
            break
    return tuple(parts)


def venv_root(python: Path) -> Path | None:
    """The virtual environment `python` belongs to (`<root>/bin/python`), if it is one."""
    root = python.parent.parent
    return root if (root / "pyvenv.cfg").is_file() else None


def installed_versions(python: Path, names: Iterable[str]) -> dict[str, str]:
    """Versions of the distributions `names` importable by `python` (missing ones absent)."""
    wanted = {canonical(n) for n in names}
    root = venv_root(python)
    if root is not None:
        found: dict[str, str] = {}
        for info in root.glob("lib*/*/site-packages/*.dist-info"):
            name, _, version = info.name.removesuffix(".dist-info").partition("-")
            if canonical(name) in wanted:
                found[canonical(name)] = version
        return found
    return _query(python, sorted(wanted))


def _query(python: Path, names: list[str], timeout: float = 30.0) -> dict[str, str]:
    """Ask the interpreter itself (not a virtual environment: packages may be anywhere)."""
    with procs.running(
        [python, "-E", "-c", _QUERY, *names], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ServerError(
                f"interpreter {python} did not list its packages within {timeout:g} s; "
                "check that it runs"
            ) from None
    if proc.returncode != 0:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise ServerError(
            f"interpreter {python} could not list its packages "
            f"({procs.describe_exit(proc.returncode)}: {last[0]}); check that it runs"
        )
    data = json.loads(out)
    return {canonical(k): str(v) for k, v in data.items()}
