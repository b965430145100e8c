"""The key of an environment: everything that, when it changes, needs a new one."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from estimator.errors import ProvisionError
from estimator.interpreters.environment import RequirementSet
from estimator.interpreters.variants import ResolvedVariant
from estimator.interpreters.worker_facts import hook_fingerprint

_INCLUDE = re.compile(r"^\s*(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)")
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def _hash_file(path: Path, out: list[bytes], seen: set[Path], what: str) -> None:
    """Append (path, content digest) of `path` and of the files it includes (-r, -c)."""
    real = path.resolve()
    if real in seen:
        return
    seen.add(real)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProvisionError(
            f"{what} '{path}' cannot be read ({exc.strerror or exc}); fix the path"
        ) from exc
    out.append(str(path).encode() + b"\0" + hashlib.sha256(data).digest())
    for line in data.decode(errors="replace").splitlines():
        m = _INCLUDE.match(line)
        if m:
            _hash_file(path.parent / m.group(2), out, seen, f"file included by {path}")


def environment_key(resolved: ResolvedVariant, requirements: RequirementSet, installer: str) -> str:
    interp = resolved.interpreter
    h = hashlib.sha256()
    try:
        st = interp.real_path.stat()
    except OSError as exc:
        raise ProvisionError(
            f"interpreter {interp.path} is gone ({exc.strerror}); run 'estimator interpreters'"
        ) from exc
    facts = interp.facts.model_dump(mode="json", exclude={"executable", "is_venv"})
    ident = {
        "interpreter": str(interp.real_path),
        "binary": [st.st_mtime_ns, st.st_size],
        "facts": facts,
        "specifiers": requirements.specifiers,
        "extra": sorted(resolved.extra_packages),
        "setup": requirements.setup,
        "workdir": str(requirements.workdir) if requirements.workdir else None,
        "project": str(requirements.project_dir) if requirements.project_dir else None,
        "installer": installer,
        "hook": hook_fingerprint(),
    }
    if requirements.setup_env:  # only when set: existing environments keep their keys
        ident["setup_env"] = requirements.setup_env
    h.update(json.dumps(ident, sort_keys=True).encode())
    seen: set[Path] = set()
    parts: list[bytes] = []
    for f in requirements.files:
        _hash_file(f, parts, seen, "requirements file")
    if requirements.project_dir is not None:
        if (
            not (requirements.project_dir / "pyproject.toml").is_file()
            and not (requirements.project_dir / "setup.py").is_file()
        ):
            raise ProvisionError(
                f"project dir '{requirements.project_dir}' has no pyproject.toml or setup.py; "
                "give its requirements files instead"
            )
        for name in _PROJECT_FILES:
            p = requirements.project_dir / name
            if p.is_file():
                _hash_file(p, parts, seen, "project file")
    for part in parts:
        h.update(part)
    fa = interp.facts
    tag = f"{fa.implementation}-{fa.version}{'t' if fa.free_threaded_build else ''}"
    return f"{tag}-{h.hexdigest()[:16]}"
