"""estimator as a user installs it, away from any checkout.

The wheel and the sdist carry every file of the package (the sample apps, locustfiles,
dashboard pages, shipped scenarios, price catalog) and no build leftovers, even when the tree
they are built from has some. Then `uv tool install --from . estimator` and `pipx install .`,
each into a fresh tool directory, give an `estimator` that, from a directory outside the
checkout and with a PATH that has no uv, runs the `smoke` scenario (building the sample
app's environment with the uv installed beside it), writes an HTML report, serves the
dashboard, and writes and preflights a scenario for an app of the user's own."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

import estimator
from estimator import procs
from estimator.tools import find_tool
from tests.byo.conftest import APPS_DIR
from tests.dashboard.launch import cli_dashboard, leftovers
from tests.promised import missing_promised, require_uv

CHECKOUT = Path(estimator.__file__).resolve().parent.parent
JUNK_PARTS = {"__pycache__", "instance"}
JUNK_SUFFIXES = (".pyc", ".pyo", ".sqlite", ".sqlite3", ".db")
INSTALL_TIMEOUT_S = 900
RUN_TIMEOUT_S = 600


def is_junk(relative: str) -> bool:
    parts = relative.split("/")
    return bool(JUNK_PARTS & set(parts)) or parts[-1].endswith(JUNK_SUFFIXES)


def _run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = RUN_TIMEOUT_S,
) -> tuple[int, str]:
    """Run to the end (its process group stopped however this ends); exit code and output."""
    with procs.running(
        argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    ) as proc:
        out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out.decode(errors="replace")


def _checked(
    argv: Sequence[str | os.PathLike[str]],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = RUN_TIMEOUT_S,
) -> str:
    code, out = _run(argv, env=env, cwd=cwd, timeout=timeout)
    assert code == 0, f"{' '.join(map(str, argv))} exited {code}:\n{out[-4000:]}"
    return out


@pytest.fixture(scope="module")
def checkout() -> Path:
    if not (CHECKOUT / "pyproject.toml").is_file():
        pytest.fail(f"estimator is not imported from a checkout ({CHECKOUT})")
    return CHECKOUT


# --- the archives --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(source tree, wheel, sdist): a copy of the checkout with build leftovers planted (and no
    .gitignore, so the project's own build config must leave them out), built by uv."""
    root = tmp_path_factory.mktemp("dist")
    tree = root / "tree"
    ignore = shutil.ignore_patterns(".git", ".venv", ".*_cache", "test-artifacts", "reports")
    shutil.copytree(checkout, tree, ignore=ignore, symlinks=True)
    (tree / ".gitignore").unlink(missing_ok=True)
    planted = [
        "estimator/__pycache__/paths.cpython-311.pyc",
        "estimator/dashboard/__pycache__/app.cpython-311.pyc",
        "estimator/sample_apps/flask_app/instance/shop.sqlite3",
        "estimator/loadtests/__pycache__/mix.pypy39.pyc",
        "results.sqlite",
        "estimator/stray.db",
    ]
    for rel in planted:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_bytes(b"leftover")
    out = root / "out"
    _checked([require_uv(), "build", "--quiet", "--out-dir", out, tree], timeout=INSTALL_TIMEOUT_S)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return tree, wheel, sdist


def _package_files(tree: Path) -> set[str]:
    return {
        p.relative_to(tree).as_posix()
        for p in (tree / "estimator").rglob("*")
        if p.is_file() and not is_junk(p.relative_to(tree).as_posix())
    }


def test_the_wheel_holds_the_whole_package_and_no_leftovers(
    built: tuple[Path, Path, Path],
) -> None:
    tree, wheel, _ = built
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = zf.read(meta).decode()
        entry_points = zf.read(meta.replace("METADATA", "entry_points.txt")).decode()
    package = {n for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert sorted(n for n in names if is_junk(n)) == []
    assert package == _package_files(tree)
    for data in (  # what estimator reads as files at run time (estimator/paths.py, loaders)
        "estimator/dashboard/app.py",
        "estimator/sample_apps/flask_app/requirements.txt",
        "estimator/sample_apps/README.md",
        "estimator/loadtests/mix.py",
        "estimator/scenario/builtin/smoke.toml",
        "estimator/pricing/data/ec2_on_demand.csv",
    ):
        assert data in package
    assert "estimator = estimator.cli:main" in entry_points
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert any(r.startswith("Requires-Dist: uv") for r in requires), requires
    assert any(r.startswith("Requires-Dist: locust") and "<" in r for r in requires), requires


def test_the_sdist_has_no_leftovers_and_builds_the_same_wheel(
    built: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    tree, wheel, sdist = built
    with tarfile.open(sdist) as tf:
        names = [m.name.split("/", 1)[1] for m in tf.getmembers() if m.isfile()]
    assert sorted(n for n in names if is_junk(n)) == []
    assert {"pyproject.toml", "README.md", "uv.lock"} <= set(names)
    assert _package_files(tree) <= set(names)
    _checked([require_uv(), "build", "--quiet", "--wheel", "--out-dir", tmp_path, sdist])
    (again,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(again) as a, zipfile.ZipFile(wheel) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())


# --- the installed tool --------------------------------------------------------------------


@dataclass
class Installed:
    how: str
    estimator: Path
    venv_bin: Path
    env: dict[str, str]
    cwd: Path


def _clean_env(home: Path, bin_dir: Path) -> dict[str, str]:
    """What a user's shell has: no uv on PATH (nor our .venv), no virtualenv active."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(
        PATH=f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        UV_PYTHON_DOWNLOADS="never",
        ESTIMATOR_CACHE_DIR=str(home / "cache"),
        ESTIMATOR_DATA_DIR=str(home / "data"),
    )
    env.pop("ESTIMATOR_RESULTS", None)
    return env


def _install_uv_tool(checkout: Path, home: Path) -> Installed:
    tools, bin_dir = home / "uv-tools", home / "bin"
    env = _clean_env(home, bin_dir)
    env.update(UV_TOOL_DIR=str(tools), UV_TOOL_BIN_DIR=str(bin_dir))
    argv = [require_uv(), "tool", "install", "--from", ".", "estimator"]
    _checked(argv, env=env, cwd=checkout, timeout=INSTALL_TIMEOUT_S)
    return Installed("uv tool", bin_dir / "estimator", tools / "estimator" / "bin", env, home)


def _install_pipx(checkout: Path, home: Path) -> Installed:
    pipx = find_tool("pipx")
    if pipx is None:
        missing_promised("pipx (a dev dependency, in .venv/bin)")
    pipx_home, bin_dir = home / "pipx", home / "bin"
    env = _clean_env(home, bin_dir)
    env.update(PIPX_HOME=str(pipx_home), PIPX_BIN_DIR=str(bin_dir), PIPX_MAN_DIR=str(home / "man"))
    python = Path(sys.executable).resolve()  # the project's CPython, not our venv
    argv = [pipx, "install", "--python", str(python), str(checkout)]
    _checked(argv, env=env, cwd=home, timeout=INSTALL_TIMEOUT_S)
    venv_bin = pipx_home / "venvs" / "estimator" / "bin"
    return Installed("pipx", bin_dir / "estimator", venv_bin, env, home)


@pytest.fixture(scope="module", params=["uv tool", "pipx"])
def installed(
    request: pytest.FixtureRequest, checkout: Path, tmp_path_factory: pytest.TempPathFactory
) -> Installed:
    home = tmp_path_factory.mktemp(str(request.param).replace(" ", "-"))
    install = _install_uv_tool if request.param == "uv tool" else _install_pipx
    tool = install(checkout, home)
    assert tool.estimator.is_file()
    return tool


def _estimator(tool: Installed, *args: str | os.PathLike[str]) -> str:
    return _checked([tool.estimator, *args], env=tool.env, cwd=tool.cwd)


@pytest.mark.integration
def test_the_tool_carries_its_own_uv_and_package(installed: Installed) -> None:
    """The package is imported from the tool's venv, and its uv lies beside its python."""
    python = installed.venv_bin / "python"
    code = (
        "import estimator.paths as p, estimator.tools as t; print(p.__file__); print(t.find_uv())"
    )
    where, uv = _checked([python, "-c", code], env=installed.env, cwd=installed.cwd).split()
    assert not Path(where).is_relative_to(CHECKOUT)
    assert uv == str(installed.venv_bin / "uv")
    assert shutil.which("uv", path=installed.env["PATH"]) is None  # none on the user's PATH


@pytest.mark.integration
def test_run_report_dashboard_init_preflight_from_elsewhere(installed: Installed) -> None:
    tool, home = installed, installed.cwd
    results = home / "x.sqlite"
    out = _estimator(tool, "run", "smoke", "--results", results)
    assert "1 ok, 0 failed" in out, out
    markers = list((home / "cache" / "envs").glob("*/estimator-env.json"))
    assert markers, "the run built no environment in the tool's cache"
    assert {json.loads(m.read_text())["installer"] for m in markers} == {"uv"}

    report = home / "r.html"
    _estimator(
        tool, "report", "--results", results, "--peak-rps", "50", "--region", "us-east-1",
        "-o", report,
    )  # fmt: skip
    assert "flask" in report.read_text()

    with cli_dashboard(results, estimator=[str(tool.estimator)], env=tool.env, cwd=home) as cli:
        with urllib.request.urlopen(cli.url, timeout=30) as resp:
            assert resp.status == 200
            assert b"<html" in resp.read().lower()
        with urllib.request.urlopen(cli.url + "_stcore/health", timeout=30) as resp:
            assert resp.read() == b"ok"
        servers = [p.pid for p in cli.streamlit()]
        cli.proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert cli.proc.wait(timeout=30) == 0
        assert leftovers(servers) == []

    project = home / "flask_shop"
    shutil.copytree(APPS_DIR / "flask_shop", project, ignore=shutil.ignore_patterns("__pycache__"))
    scenario = home / "shop.toml"
    _estimator(
        tool, "init", "--project", project, "--no-input", "--variants", "newest-cpython",
        "--paths", "/,/api/items", "-o", scenario,
    )  # fmt: skip
    assert "shopflask.app:app" in scenario.read_text()
    _estimator(tool, "preflight", scenario)
