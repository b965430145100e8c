"""The environment a run of the app uses, built for onboarding (`init`, `preflight`): the
app's requirements, the server packages resolved with the app's own pins, and its setup
commands, which run right after the install — before the app is imported or probed, so an
app whose pages need the tables its `init-db` or `migrate` creates answers at once.

A failed setup command is explained: its command, exit, the line that says why, and its
last lines of output (the install log holds every command; the failed one's output is
the part after its `$ ` line)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field

from estimator._model import Model
from estimator.errors import ProvisionError
from estimator.interpreters import Environment, ResolvedVariant, provision
from estimator.measure import CellSpec
from estimator.measure.run import requirement_set
from estimator.serve import logs

_SETUP = re.compile(
    r"setup command (?P<cmd>\[.*\]) failed \((?P<exit>[^)]*)\); full log: (?P<log>.+)$"
)
TAIL_LINES = 40


class SetupFailure(Model):
    command: str = Field(description="the argv as written, e.g. \"['flask', 'init-db']\"")
    exit: str
    why: str
    log: Path
    tail: list[str] = Field(description="the failed command's last lines of output")

    @property
    def line(self) -> str:
        return f"setup command {self.command} failed ({self.exit}): {self.why}; log: {self.log}"


def setup_failure(exc: ProvisionError) -> SetupFailure | None:
    """The setup command that failed, if that is what `exc` is about."""
    m = _SETUP.search(exc.message)
    if m is None:
        return None
    log = Path(m["log"])
    tail = logs.tail(log, TAIL_LINES)
    starts = [i for i, line in enumerate(tail) if line.startswith("$ ")]
    tail = tail[starts[-1] :] if starts else tail  # the failed command's own output
    why = logs.cause(tail[1:]) or (tail[-1].strip() if tail else "no output")
    return SetupFailure(command=m["cmd"], exit=m["exit"], why=why, log=log, tail=tail)


def environment_for(cell: CellSpec, variant: ResolvedVariant) -> Environment:
    """The environment `cell` runs in, built (with its setup commands) or reused.
    ProvisionError otherwise; for a failed setup command, one line saying which and why,
    with its last lines of output as the error's details."""
    try:
        return provision(variant, requirement_set(cell, variant))
    except ProvisionError as exc:
        failed = setup_failure(exc)
        if failed is None:
            raise
        raise ProvisionError(failed.line, details=failed.tail[-12:]) from None
