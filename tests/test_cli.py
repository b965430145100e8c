from __future__ import annotations

import subprocess
import sys

import pytest

from estimator import __version__
from estimator.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"estimator {__version__}"


def test_help_lists_only_registered_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "estimator", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "usage: estimator" in out
