"""`estimator …`: a thin layer over the stages.

Each command group lives in its own module in this package and exposes
``register(subparsers)``; the module's ``ORDER`` sorts the help. Only this layer turns
exceptions into one-line messages and exit codes:

- 0 success, 1 the command ran but reports a failure (e.g. a diff over its threshold),
- 2 bad input or an environment problem (`EstimatorError`), 130 interrupted,
- 70 an internal error (a bug): one line, the traceback written to a file it names.
- 141 (128 + SIGPIPE, as a Unix tool killed by it) whoever read the output stopped reading
  (`estimator runs | head`): no traceback, no message, whatever the command.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import select
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType, ModuleType

from pydantic import ValidationError

from estimator import __version__
from estimator.errors import EstimatorError, describe_validation_error
from estimator.escape import plain_text

Handler = Callable[[argparse.Namespace], int]


def _command_modules() -> list[ModuleType]:
    mods = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "register"):
            mods.append(mod)
    return sorted(mods, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="estimator",
        description=(
            "Measure a Python web backend under interpreters and server configs, "
            "and turn the measurements into a monthly cloud bill."
        ),
    )
    parser.add_argument("--version", action="version", version=f"estimator {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for mod in _command_modules():
        mod.register(sub)
    return parser


class Interrupted(KeyboardInterrupt):
    """SIGTERM/SIGHUP turned into an exception so every context manager cleans up."""


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


def _save_traceback() -> str:
    """The current exception's traceback in a private file (0600); its path."""
    import tempfile
    import traceback

    try:
        fd, name = tempfile.mkstemp(prefix="estimator-error-", suffix=".txt")
        with os.fdopen(fd, "w") as f:
            f.write(traceback.format_exc())
    except OSError:
        return "(could not be written)"
    return name


EXIT_OUTPUT_CLOSED = 128 + signal.SIGPIPE


def _stdout_closed() -> bool:
    """Nobody reads our standard output any more (a pipe whose reader exited)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a non-file (tests)
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Output going nowhere (`| head`) ends it quietly, for every command:
    the one place that handles BrokenPipeError (rich consoles raise it too, see
    `_common.console`)."""
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # buffered output meets a closed pipe here, not at exit
    except BrokenPipeError:
        if not _stdout_closed():
            raise  # a pipe to a child of ours: a bug, not the user's `| head`
        # Python flushes stdout again at exit: point it at /dev/null so that stays quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_OUTPUT_CLOSED


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    previous = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return handler(args)
    except EstimatorError as exc:
        print(f"estimator: error: {exc.message}", file=sys.stderr)
        for line in exc.details:
            print(f"  | {line}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:
        print(f"estimator: error: {describe_validation_error(exc, 'input')}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Interrupted):
        print("estimator: interrupted; finished results are kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # `main` decides: the reader went away, or a bug
    except Exception as exc:  # a bug: one line and where the traceback is, not 40 lines
        where = _save_traceback()
        print(
            f"estimator: internal error (a bug, please report it): {type(exc).__name__}: "
            f"{plain_text(exc)[:300]}; traceback in {where}",
            file=sys.stderr,
        )
        return 70
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
