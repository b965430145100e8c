"""Errors every stage raises. The CLI turns them into one line and an exit code."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError


class EstimatorError(Exception):
    """A problem the user can act on: the message names the thing and the fix (one line);
    `details` are lines of evidence shown below it (e.g. a failed command's last output)."""

    exit_code = 2

    def __init__(self, message: str, *, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)

    def __str__(self) -> str:
        return self.message


class ConfigError(EstimatorError):
    """Bad input: a scenario, a flag, a file."""


class InterpreterError(EstimatorError):
    """An interpreter or variant that is missing or can't do what was asked."""


class ProvisionError(EstimatorError):
    """An environment that could not be created or installed."""


class ServerError(EstimatorError):
    """A server that failed to start, crashed or did not become ready."""


class LoadError(EstimatorError):
    """The load generator failed."""


class StoreError(EstimatorError):
    """The results store is unreadable or from an incompatible version."""


class PricingError(EstimatorError):
    """A price that is missing or could not be fetched."""


def _loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def describe_validation_error(exc: ValidationError, source: str) -> str:
    """One line per problem: `source: key = value: what is allowed`."""
    lines = []
    for err in exc.errors(include_url=False):
        key = _loc(err["loc"])
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key '{key}'; remove it or check its spelling")
        elif err["type"] == "missing":
            lines.append(f"{source}: missing required key '{key}'")
        elif isinstance(err.get("input"), dict | list):  # a whole table: the message says it
            lines.append(f"{source}: {key}: {msg}")
        else:
            lines.append(f"{source}: {key} = {err.get('input')!r}: {msg}")
    return "; ".join(lines)
