from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest

from estimator.errors import ServerError
from estimator.serve.versions import canonical, installed_versions, version_tuple
from tests.promised import missing_promised


def test_version_tuple() -> None:
    assert version_tuple("25.1.0") == (25, 1, 0)
    assert version_tuple("0.4.0.post1") == (0, 4, 0)
    assert version_tuple("23.0rc1") == (23, 0)
    assert version_tuple("27") == (27,)


def test_canonical() -> None:
    assert canonical("Uvicorn_Worker") == canonical("uvicorn-worker") == "uvicorn-worker"


def test_reads_the_project_venv_without_running_it() -> None:
    found = installed_versions(Path(sys.executable), ["gunicorn", "uvicorn-worker", "nope"])
    assert set(found) == {"gunicorn", "uvicorn-worker"}
    assert found["gunicorn"] == metadata.version("gunicorn")


@pytest.mark.integration
def test_asks_an_interpreter_that_is_not_a_venv() -> None:
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    if not base.exists():
        missing_promised(f"the base interpreter of .venv ({base})")
    found = installed_versions(base, ["pip", "surely-not-installed"])
    assert "surely-not-installed" not in found


def test_an_interpreter_that_fails_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(ServerError, match=r"could not list its packages \(exit code 3: boom\)"):
        installed_versions(fake, ["gunicorn"])
