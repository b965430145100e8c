"""Building one virtual environment in a temporary directory (uv or venv+pip), logged to one
file; failures name the package that broke."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from estimator import procs
from estimator.errors import ProvisionError
from estimator.interpreters.environment import Installer, RequirementSet
from estimator.interpreters.install_errors import explain
from estimator.interpreters.variants import ResolvedVariant
from estimator.interpreters.worker_facts import FACTS_DIR_ENV, install_hook
from estimator.redact import child_env

_PURELIB = "import sysconfig; print(sysconfig.get_paths()['purelib'])"


def _run(
    argv: Sequence[str],
    log: IO[str],
    cwd: Path,
    timeout: float,
    extra_env: Mapping[str, str] | None = None,
    *,
    minimal: bool = False,
) -> int:
    """`argv` logged to `log`; the installers get estimator's environment (indexes, proxies),
    `minimal` (the user's setup commands) only `extra_env`."""
    if minimal:
        env = dict(extra_env or {})
    else:
        env = dict(_clean_env(), UV_PYTHON_DOWNLOADS="never", NO_COLOR="1", PIP_NO_INPUT="1")
        env.update(extra_env or {})
    log.write("$ " + " ".join(map(str, argv)) + "\n")
    log.flush()
    with procs.running(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT) as proc:
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.write(f"\n(estimator: stopped after {timeout:.0f} s)\n")
            return -1


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def pyproject_dependencies(path: Path) -> list[str]:
    """`[project] dependencies` of a pyproject.toml (pip reads requirement files only)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProvisionError(f"{path} cannot be read as TOML ({exc}); fix it") from None
    deps = data.get("project", {}).get("dependencies") or []
    return [d for d in deps if isinstance(d, str)]


def _install_args(req: RequirementSet, extra: Sequence[str], installer: Installer) -> list[str]:
    args: list[str] = []
    for f in req.files:
        if installer == "pip" and f.name == "pyproject.toml":
            args += pyproject_dependencies(f)  # uv reads it with -r, pip does not
        else:
            args += ["-r", str(f.resolve())]
    args += list(req.specifiers) + list(extra)
    if req.project_dir is not None:
        args += ["-e", str(req.project_dir.resolve())]
    return args


def _query(python: Path, code: str) -> str:
    proc = procs.spawn(
        [python, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_clean_env()
    )
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        procs.stop(proc, timeout=2.0)
    if proc.returncode != 0:
        raise ProvisionError(
            f"{python} failed ({procs.describe_exit(proc.returncode)}): "
            f"{err.decode(errors='replace').strip()[-200:]}"
        )
    return out.decode().strip()


def _clean_env() -> dict[str, str]:
    """Our environment minus what would leak into the new venv's processes."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", FACTS_DIR_ENV, "ESTIMATOR_CINDERX"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def parse_freeze(text: str) -> dict[str, str]:
    """`name==version` lines (and `name @ url`, `-e url`) to a name -> version map."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-e "):
            out[line[3:].strip()] = "editable"
        elif "==" in line:
            name, version = line.split("==", 1)
            out[name.strip().lower()] = version.strip()
        elif " @ " in line:
            name, url = line.split(" @ ", 1)
            out[name.strip().lower()] = url.strip()
    return out


def relocate(tmp: Path, final: Path) -> None:
    """Rewrite the temporary path in bin/ scripts (pip writes absolute shebangs)."""
    old, new = str(tmp).encode(), str(final).encode()
    for script in (tmp / "bin").iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        data = script.read_bytes()
        if old in data and b"\0" not in data[:1024]:
            mode = script.stat().st_mode
            script.write_bytes(data.replace(old, new))
            script.chmod(mode)


def _fail(resolved: ResolvedVariant, output: str, log_path: Path, step: str) -> ProvisionError:
    failure = explain(output)
    interp = resolved.interpreter
    who = f"{resolved.name} ({interp.facts.label}, {interp.path})"
    if failure.package:
        what = f"package '{failure.package}' failed: {failure.reason}"
    else:
        what = f"{step} failed: {failure.reason}"
    detail = f" [{failure.detail}]" if failure.detail else ""
    return ProvisionError(f"{who}: {what}{detail}; full log: {log_path}")


@dataclasses.dataclass
class EnvBuild:
    """One environment build in a temporary directory, logged to one file."""

    resolved: ResolvedVariant
    req: RequirementSet
    installer: Installer
    uv: str
    tmp: Path
    log_path: Path
    timeout: float
    prompt: str

    @property
    def python(self) -> str:
        return str(venv_python(self.tmp))

    def _steps(self) -> list[tuple[str, list[str]]]:
        interp = str(self.resolved.interpreter.path)
        install = _install_args(self.req, self.resolved.extra_packages, self.installer)
        if self.installer == "uv":
            steps = [
                (
                    "creating the venv",
                    [
                        self.uv,
                        "venv",
                        "-q",
                        "--relocatable",
                        "--prompt",
                        self.prompt,
                        "--python",
                        interp,
                        str(self.tmp),
                    ],
                )
            ]
            if install:
                # Bytecode now (pip does it by default), not in the first server start of
                # every worker: that would slow the first measured cell and race the writes.
                uv_install = [self.uv, "pip", "install", "--compile-bytecode"]
                steps.append(("installing", [*uv_install, "--python", self.python, *install]))
        else:
            steps = [
                (
                    "creating the venv",
                    [interp, "-m", "venv", "--prompt", self.prompt, str(self.tmp)],
                )
            ]
            if install:
                pip = [self.python, "-m", "pip", "install", "--disable-pip-version-check"]
                steps.append(("installing", [*pip, *install]))
        return steps

    def run(self) -> tuple[dict[str, str], Path]:
        self.log_path.write_text("")
        with self.log_path.open("a") as log:
            for step, argv in self._steps():
                log.flush()
                start = os.fstat(log.fileno()).st_size
                code = _run(argv, log, self.tmp.parent, self.timeout)
                if code != 0:
                    log.flush()
                    output = self.log_path.read_bytes()[start:].decode(errors="replace")
                    raise _fail(self.resolved, output, self.log_path, step)
            site = Path(_query(Path(self.python), _PURELIB))
            install_hook(site)
            for argv in self.req.setup:
                run = [self.python if i == 0 and a == "python" else a for i, a in enumerate(argv)]
                cwd = self.req.workdir or self.tmp.parent
                code = _run(run, log, cwd, self.timeout, self._setup_env(), minimal=True)
                if code != 0:
                    raise ProvisionError(
                        f"{self.resolved.name}: setup command {argv} failed "
                        f"({procs.describe_exit(code)}); full log: {self.log_path}"
                    )
        return parse_freeze(self._freeze()), site

    def _setup_env(self) -> dict[str, str]:
        """Setup commands run in the new environment as if activated (its bin first on PATH:
        console scripts such as `alembic` are the app's), with the app's variables and a
        minimal environment otherwise (`estimator.redact.child_env`, plus `pass_env`)."""
        path = os.pathsep.join([str(Path(self.python).parent), os.environ.get("PATH", os.defpath)])
        # unbuffered: the log holds output and errors in the order they were written
        base = {**child_env(self.req.pass_env), "PYTHONUNBUFFERED": "1"}
        return {**base, "VIRTUAL_ENV": str(self.tmp), "PATH": path, **self.req.setup_env}

    def _freeze(self) -> str:
        if self.installer == "uv":
            cmd = [self.uv, "pip", "freeze", "--python", self.python]
        else:
            cmd = [self.python, "-m", "pip", "freeze", "--disable-pip-version-check"]
        proc = procs.spawn(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_clean_env())
        try:
            out, _ = proc.communicate(timeout=120)
        finally:
            procs.stop(proc, timeout=2.0)
        return out.decode(errors="replace")
