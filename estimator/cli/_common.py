"""Pieces every command module shares: the console, the --results option, the store."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from rich.console import Console

from estimator import paths
from estimator.store.runs import Store


class _Console(Console):
    """rich's console, except that a closed output pipe raises BrokenPipeError for
    `estimator.cli.main` to handle like any other output (rich would exit 1 itself)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "output pipe closed")


def console(stderr: bool = False, *, width: int = 200) -> Console:
    """Piped output: wide enough not to wrap tables (rich assumes 80 columns otherwise)."""
    stream = sys.stderr if stderr else sys.stdout
    return _Console(file=stream, width=None if stream.isatty() else width, highlight=False)


def add_results_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results",
        type=Path,
        metavar="PATH",
        help=f"results store (default: $ESTIMATOR_RESULTS or {paths.default_results_path()})",
    )


def results_path(args: argparse.Namespace) -> Path:
    path: Path | None = getattr(args, "results", None)
    return path if path is not None else paths.default_results_path()


def open_store(args: argparse.Namespace, *, create: bool = False) -> Store:
    return Store(results_path(args), create=create)
