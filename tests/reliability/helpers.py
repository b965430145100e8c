"""What the reliability tests share: run the CLI in-process, check a one-line error."""

from __future__ import annotations

import pytest

from estimator.cli import main

CliResult = tuple[int, str, str]


def cli(capsys: pytest.CaptureFixture[str], *argv: object) -> CliResult:
    """`estimator ARGV` in this process: (exit code, stdout, stderr). argparse's own errors
    (SystemExit) come back as their exit code."""
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return rc, out, err


def assert_one_line_error(result: CliResult, fragment: str) -> None:
    """Exit 2, no traceback, the error is one line (argparse adds its usage line above it)
    and contains `fragment`."""
    rc, out, err = result
    assert "Traceback" not in err + out, err
    assert rc == 2, (rc, out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1, err
    assert all(line.startswith(("usage:", " ")) for line in lines if line not in errors), err
    assert fragment in errors[0], f"{fragment!r} not in {errors[0]!r}"
