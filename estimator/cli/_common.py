"""Pieces every command module shares: the console, the --results option, the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from estimator import paths
from estimator.store.runs import Store


def console(stderr: bool = False) -> Console:
    """Piped output: wide enough not to wrap tables (rich assumes 80 columns otherwise)."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(file=stream, width=None if stream.isatty() else 200, highlight=False)


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
