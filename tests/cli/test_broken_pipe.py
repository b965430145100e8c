"""`estimator … | head`: when whoever reads the output stops, every command ends quietly
(exit 141, as a Unix tool killed by SIGPIPE; no traceback, no message)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from estimator import procs
from estimator.cli import EXIT_OUTPUT_CLOSED, main
from tests.fixtures import fixture_runs, fixture_store

ESTIMATE = ["--peak-rps", "400", "--region", "us-east-1"]
COMMANDS = [
    ["runs"],
    ["runs", "--json"],
    ["show", "{run}"],
    ["show", "{run}", "--json"],
    ["compare", "flask 3.11 sync", "flask 3.13 sync"],
    ["compare", "flask 3.11 sync", "flask 3.13 sync", "--json"],
    ["estimate", *ESTIMATE],
    ["estimate", *ESTIMATE, "--json"],
    ["report", *ESTIMATE, "--format", "md"],
    ["report", *ESTIMATE, "--format", "csv"],
    ["pricing", "list", "--region", "us-east-1"],
    ["pricing", "list", "--region", "us-east-1", "--json"],
    ["run", "smoke", "--dry-run"],
    ["interpreters", "--json"],
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_store(tmp_path_factory.mktemp("pipe") / "results.sqlite")


def into_closed_pipe(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run `estimator ARGS` with its stdout a pipe nobody reads any more."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        argv = [sys.executable, "-m", "estimator", *args]
        with procs.running(argv, env=env, stdout=write_end, stderr=subprocess.PIPE) as proc:
            os.close(write_end)
            write_end = -1
            _, err = proc.communicate(timeout=180)
    finally:
        if write_end >= 0:
            os.close(write_end)
    return proc.returncode, err.decode(errors="replace")


@pytest.mark.integration
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_output_to_a_closed_pipe_ends_quietly(args: list[str], results: Path) -> None:
    run_id = fixture_runs()[0].id
    env = dict(os.environ, ESTIMATOR_RESULTS=str(results))
    code, err = into_closed_pipe([a.format(run=run_id) for a in args], env)
    assert (code, err) == (EXIT_OUTPUT_CLOSED, "")


def test_help_into_a_closed_pipe_is_quiet() -> None:
    """argparse itself ignores output errors for --help: quiet, and a success."""
    assert into_closed_pipe(["--help"], dict(os.environ)) == (0, "")


def test_a_broken_pipe_that_is_not_our_output_is_not_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pipe to a child of ours breaking is a bug to see, not the user's `| head`."""

    def handler(_args: object) -> int:
        raise BrokenPipeError(32, "a load driver went away")

    monkeypatch.setattr("estimator.cli.build_parser", lambda: _parser_with(handler))
    with pytest.raises(BrokenPipeError):
        main(["x"])


def _parser_with(handler: Callable[[object], int]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("x")
    parser.set_defaults(handler=handler)
    return parser
