"""Reading the server's log: its last lines, and the one line that says why it failed."""

from __future__ import annotations

import re
from pathlib import Path

_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*)?(Error|Exception|Exit|Interrupt)\b(: .*)?$")
_FAILURE = re.compile(
    r"\b(ERROR|CRITICAL|Error|error|Failed|failed|Could not|could not|Cannot|cannot)\b"
)
# the servers' own summary lines: true, but they say *that* it failed, not why
_GENERIC = re.compile(
    r"Shutting down: Master|Reason: |Worker \(pid:\d+\) (exited with code|was sent)"
    r"|Worker failed to boot|App failed to load"
)


def tail(path: Path, n: int = 20, max_bytes: int = 64 * 1024) -> list[str]:
    """The last `n` lines of the file (empty if it does not exist)."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            data = fh.read()
    except OSError:
        return []
    lines = data.decode(errors="replace").splitlines()
    if size > max_bytes:
        lines = lines[1:]  # the first one is probably cut
    return lines[-n:] if n > 0 else []


def cause(lines: list[str]) -> str | None:
    """The most telling line: the last exception line ('ImportError: …'), else the last
    line that says what failed, else the server's own summary of the failure, else None."""
    stripped = [ln.strip() for ln in lines if ln.strip()]
    for ln in reversed(stripped):
        if _EXCEPTION.match(ln):
            return ln
    for ln in reversed(stripped):
        if _FAILURE.search(ln) and not _GENERIC.search(ln):
            return ln
    for ln in reversed(stripped):
        if _FAILURE.search(ln):
            return ln
    return None
