"""Pieces every command module shares: the console, the --results option, the store."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
from pathlib import Path

from rich.console import Console

from estimator import paths
from estimator.errors import ConfigError
from estimator.escape import plain_text
from estimator.store.runs import Store

SQLITE_MAGIC = b"SQLite format 3\x00"


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


def warn_unreadable(unreadable: list[str], path: Path) -> None:
    """Runs a store holds that this version can't read: left out, and said so (one line)."""
    if unreadable:
        ids = ", ".join(u.split(":", 1)[0] for u in unreadable[:5])
        more = f" and {len(unreadable) - 5} more" if len(unreadable) > 5 else ""
        print(
            f"estimator: warning: {len(unreadable)} run(s) in {path} can't be read by this "
            f"version and are left out ({plain_text(ids)}{more}); `estimator show ID` says why",
            file=sys.stderr,
        )


def check_output(output: Path, results: Path, *, force: bool) -> None:
    """-o must not be the results store, nor (without --force) another SQLite database."""
    with contextlib.suppress(OSError):
        if output.exists() and results.exists() and output.samefile(results):
            raise ConfigError(
                f"-o {output} is the results store itself; write the report to another file"
            )
    if output.is_dir():
        raise ConfigError(f"-o {output} is a folder; give a file name, e.g. -o report.html")
    try:
        with output.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError:
        return
    if head == SQLITE_MAGIC and not force:
        raise ConfigError(
            f"-o {output} is an SQLite database (a results store?); pick another file, or add "
            "--force to overwrite it"
        )


def write_output(output: Path, text: str) -> None:
    """Write all of `text` or leave `output` as it was (a temporary file renamed over it)."""
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ConfigError(f"cannot write {output}: {exc.strerror}; pick another -o") from None


def seconds(text: str) -> float:
    """argparse type: a duration above 0 and at most a day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"{text!r}: give seconds above 0 and at most 86400")
    return value
