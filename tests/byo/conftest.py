"""Fixtures for the bring-your-own-app tests: the fixture apps copied out of the repository
(as a user's app lives elsewhere, and each test gets fresh files: a Django database, a
generated locustfile), an environment cache of their own, and a leak check."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import psutil
import pytest

from estimator.cli import main

APPS_DIR = Path(__file__).resolve().parent / "apps"


@pytest.fixture(scope="session")
def byo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One environment cache for the session: the apps' environments are keyed by their
    (temporary) directories, so they would only pile up in the shared cache."""
    return tmp_path_factory.mktemp("byo-cache")


@pytest.fixture(autouse=True)
def _byo_cache(byo_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(byo_cache))


@pytest.fixture
def copy_app(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a fixture app into the test's directory; returns its new path."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(APPS_DIR / name, dest, ignore=shutil.ignore_patterns("__pycache__"))
        return dest

    return copy


def leftovers(root: Path) -> list[psutil.Process]:
    """Live processes this test started (children, or anything running in or naming `root`:
    an orphan re-parented to init counts too)."""
    found = {p.pid: p for p in psutil.Process().children(recursive=True)}
    needle = str(root.resolve())
    for p in psutil.process_iter():
        try:
            if needle in " ".join(p.cmdline()) or p.cwd().startswith(needle):
                found[p.pid] = p
        except psutil.Error:
            continue
    alive = []
    for p in found.values():
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.Error:
            continue
    return alive


@pytest.fixture
def no_leftovers(tmp_path: Path) -> Iterator[Callable[[], None]]:
    """`check()` asserts nothing is left now; the test fails too if anything is left at its end."""

    def check() -> None:
        left = leftovers(tmp_path)
        for p in left:  # don't let one failure leak into the next tests
            p.kill()
        assert not left, f"processes left behind: {[(p.pid, p.cmdline()) for p in left]}"

    yield check
    check()


CliRun = Callable[[Sequence[object]], tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRun:
    """Run `estimator ARGS` in this process (stdin not a terminal): (exit code, out, err)."""

    def run(args: Sequence[object]) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def tiny_load(scenario: Path) -> None:
    """The scenario init wrote, made tiny: every duration in its [load] table 1 s (3 s for a
    maximum), at most 2 capacity steps, and a generous p95 (a busy CI machine must not fail
    the capacity search: the numbers are not what these tests check). Only the keys the file
    has are changed, whatever the load plan's fields are called."""
    out, table = [], ""
    for line in scenario.read_text().splitlines():
        header = re.match(r"^\[(\w+)\]\s*$", line)
        table = header.group(1) if header else table
        m = re.match(r"^(\w+) = [\d.]+$", line)
        key = m.group(1) if m else ""
        if table == "load" and key.endswith("_s"):
            out.append(f"{key} = {3.0 if 'max' in key else 1.0}")
        elif table == "load" and key.endswith("max_steps"):
            out.append(f"{key} = 2")
        elif table == "slo" and key == "p95_ms":
            out.append("p95_ms = 5000.0")
        else:
            out.append(line)
    scenario.write_text("\n".join(out) + "\n")
