"""`estimator calibrate --ssh user@host`: the same benchmark on a machine you can reach.

With the system `ssh` and `scp` (argv lists, never a local shell): make a temporary directory
there, copy the worker and the Flask sample app (`flask_app/`, `common/`) into it, find each
variant's interpreter (`--remote-python VARIANT=PATH`, else `python3.X` / `pypy3` on the
remote PATH) and, when it lacks the app's packages, a virtual environment with them (the
remote machine needs PyPI for that), then run one worker per variant through `ssh`, its
stdin/stdout the protocol's pipe. The rounds run here, exactly as for local workers. The
remote directory is removed at the end.
"""

from __future__ import annotations

import contextlib
import io
import shlex
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from estimator import procs
from estimator.calibrate.local import APP, REQUIREMENTS, WORKER, close_pipes, worker_argv
from estimator.calibrate.models import CalibrateError
from estimator.calibrate.runner import Progress, Worker
from estimator.errors import InterpreterError
from estimator.interpreters import parse_variant
from estimator.paths import SAMPLE_APPS_DIR

TIMEOUT_S = 120.0
INSTALL_TIMEOUT_S = 900.0
SHIPPED = (APP, "common")
REQ_PATH = f"sample_apps/{REQUIREMENTS.relative_to(SAMPLE_APPS_DIR)}"


@dataclass(frozen=True)
class SshTarget:
    destination: str
    port: int | None = None
    identity: Path | None = None
    options: tuple[str, ...] = ()

    def _common(self, port_flag: str) -> list[str]:
        out = ["-o", "BatchMode=yes"]
        for opt in self.options:
            out += ["-o", opt]
        if self.port is not None:
            out += [port_flag, str(self.port)]
        if self.identity is not None:
            out += ["-i", str(self.identity)]
        return out

    def ssh(self, *remote: str | Path) -> list[str]:
        """ssh argv running `remote` (quoted for the remote shell, which ssh always uses)."""
        return ["ssh", "-T", *self._common("-p"), self.destination, "--", _quote(remote)]

    def scp(self, local: Path, remote_path: str) -> list[str]:
        return ["scp", "-q", *self._common("-P"), str(local), f"{self.destination}:{remote_path}"]


def _quote(argv: Sequence[str | Path]) -> str:
    return shlex.join(str(a) for a in argv)


def run(argv: list[str], what: str, timeout: float = TIMEOUT_S) -> str:
    """Run a local ssh/scp command; its stdout, or CalibrateError with its stderr."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise CalibrateError(f"{argv[0]} not found: install the OpenSSH client") from None
    except subprocess.TimeoutExpired:
        raise CalibrateError(f"{what}: no answer within {timeout:g} s") from None
    if done.returncode != 0:
        tail = " ".join(done.stderr.strip().splitlines()[-3:]) or f"exit code {done.returncode}"
        raise CalibrateError(f"{what}: {tail}")
    return done.stdout


def bundle() -> bytes:
    """worker.py + sample_apps/{flask_app,common} as a .tar.gz (no caches, no databases)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(WORKER, arcname="_worker.py")
        for name in SHIPPED:
            for path in sorted((SAMPLE_APPS_DIR / name).rglob("*")):
                rel = path.relative_to(SAMPLE_APPS_DIR)
                if path.is_dir() or "__pycache__" in rel.parts or "instance" in rel.parts:
                    continue
                tar.add(path, arcname=str(Path("sample_apps") / rel))
    return buf.getvalue()


def variant_env(name: str) -> dict[str, str]:
    """The variables a variant runs with (as the interpreters stage sets them)."""
    try:
        spec = parse_variant(name)
    except InterpreterError as exc:
        raise CalibrateError(exc.message) from None
    if spec.cinderx:
        raise CalibrateError(f"{name}: CinderX variants are not calibrated over ssh")
    env: dict[str, str] = {}
    if spec.implementation == "cpython":
        if spec.free_threaded:
            env["PYTHON_GIL"] = "0"
        env["PYTHON_JIT"] = "1" if spec.jit else "0"
    return env


def default_python(name: str) -> str:
    spec = parse_variant(name)
    if spec.implementation == "pypy":
        return "pypy3"
    return f"python{spec.major}.{spec.minor}{'t' if spec.free_threaded else ''}"


def _prepare_python(t: SshTarget, remote: str, variant: str, python: str, say: Progress) -> str:
    """`python` if it imports the app's packages, else a venv there with them."""
    check = t.ssh(python, "-c", "import flask, sqlalchemy")
    if subprocess.run(check, capture_output=True, timeout=TIMEOUT_S, check=False).returncode == 0:
        return python
    venv = f"{remote}/venv-{variant}"
    say(f"{variant}: installing the Flask sample app's requirements on {t.destination}")
    run(t.ssh(python, "-m", "venv", venv), f"{variant} on {t.destination}: {python} -m venv")
    run(
        t.ssh(f"{venv}/bin/python", "-m", "pip", "install", "-q", "-r", f"{remote}/{REQ_PATH}"),
        f"{variant} on {t.destination}: installing the sample app's requirements (the machine "
        f"needs PyPI, or give --remote-python {variant}=PATH of a Python with them)",
        timeout=INSTALL_TIMEOUT_S,
    )
    return f"{venv}/bin/python"


@contextlib.contextmanager
def remote_workers(
    t: SshTarget,
    variants: Sequence[str],
    pythons: Mapping[str, str],
    cpu: int | None,
    progress: Progress,
) -> Iterator[list[Worker]]:
    """One worker per variant on the remote machine; the remote directory removed after."""
    envs = {v: variant_env(v) for v in variants}
    remote = run(
        t.ssh("mktemp", "-d", "/tmp/estimator-calibrate.XXXXXX"), f"ssh {t.destination}"
    ).strip()
    if not remote.startswith("/tmp/estimator-calibrate."):
        raise CalibrateError(f"ssh {t.destination}: mktemp gave {remote!r}")
    try:
        with _tmpfile(bundle()) as local_bundle:
            run(t.scp(local_bundle, f"{remote}/bundle.tar.gz"), f"scp to {t.destination}")
        run(t.ssh("tar", "-xzf", f"{remote}/bundle.tar.gz", "-C", remote), "unpacking there")
        with contextlib.ExitStack() as stack:
            workers: list[Worker] = []
            for v in variants:
                python = _prepare_python(t, remote, v, pythons.get(v, default_python(v)), progress)
                argv = worker_argv(python, f"{remote}/_worker.py", f"{remote}/sample_apps", cpu)
                env_args = [f"{k}={val}" for k, val in sorted(envs[v].items())]
                if cpu is not None and parse_variant(v).implementation == "pypy":
                    argv = ["taskset", "-c", str(cpu), *argv]  # PyPy cannot pin itself
                proc = stack.enter_context(
                    procs.running(
                        t.ssh("env", *env_args, *argv),
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stop_timeout=5.0,
                    )
                )
                assert proc.stdin is not None
                assert proc.stdout is not None
                stack.callback(close_pipes, proc)
                w = Worker(v, t.destination, proc.stdin, proc.stdout, variant_env=envs[v])
                w.start()
                workers.append(w)
            try:
                yield workers
            finally:
                for w in workers:
                    w.quit()
    finally:
        with contextlib.suppress(CalibrateError):
            run(t.ssh("rm", "-rf", remote), f"cleaning {remote} on {t.destination}")


@contextlib.contextmanager
def _tmpfile(data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="estimator-bundle-") as tmp:
        path = Path(tmp) / "bundle.tar.gz"
        path.write_bytes(data)
        yield path
