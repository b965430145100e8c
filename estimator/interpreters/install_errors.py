"""Name the package that made an install fail, from uv's or pip's output.

Users need "package X: no wheel for cp314t and its source build failed", not 200 lines of
resolver output. Patterns were taken from real uv 0.13 and pip 23-25 runs (see the tests).
"""

from __future__ import annotations

import re

from estimator._model import Model

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"

# (pattern with a `pkg` group, reason); first match in the output wins, so order matters.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(rf"Because (?:only )?(?P<pkg>{_NAME})\S* has no usable wheels"),
        "no wheel for this interpreter, and building from source is disabled",
    ),
    (
        re.compile(
            rf"Because (?:all versions of |only )?(?P<pkg>{_NAME})\S*? (?:has|have) no wheels? "
            r"with a matching (?:Python (?:ABI|implementation|version) )?tag"
        ),
        "no wheel for this interpreter's ABI",
    ),
    (
        re.compile(rf"Because (?P<pkg>{_NAME}) was not found in the package registry"),
        "not found in the package index",
    ),
    (
        re.compile(rf"Because (?P<pkg>{_NAME}) was not found in the provided package locations"),
        "not found in the given package locations",
    ),
    (
        re.compile(rf"there is no version of (?P<pkg>{_NAME})"),
        "no such version",
    ),
    (
        re.compile(
            rf"Because (?:all versions of |only )?(?P<pkg>{_NAME})\S* (?:depends on Python|"
            r"requires Python|is not compatible with the current Python)"
        ),
        "does not support this Python version",
    ),
    (
        re.compile(rf"Because (?!there\b|you\b)(?:all versions of |only )?(?P<pkg>{_NAME})\S*"),
        "dependencies cannot be satisfied",
    ),
    (re.compile(rf"Failed to build `(?P<pkg>{_NAME})"), "building it from source failed"),
    (re.compile(rf"Failed to (?:download|fetch)[^`]*`(?P<pkg>{_NAME})"), "download failed"),
    (
        re.compile(rf"No matching distribution found for (?P<pkg>{_NAME})"),
        "no version for this interpreter in the index",
    ),
    (re.compile(rf"Failed building wheel for (?P<pkg>{_NAME})"), "building it from source failed"),
    (
        re.compile(rf"Failed to build installable wheels for .*?\((?P<pkg>{_NAME})"),
        "building it from source failed",
    ),
    (
        re.compile(rf"Cannot install (?P<pkg>{_NAME})\S*(?: and|,| because)"),
        "dependencies conflict",
    ),
]
_PIP_CURRENT = re.compile(r"^(?:Processing|Collecting|Building wheel for) (?P<pkg>\S+)", re.M)
_BUILD_ERROR = re.compile(
    r"(subprocess-exited-with-error|did not run successfully|metadata-generation-failed)"
)


class InstallFailure(Model):
    package: str | None
    reason: str
    detail: str = ""


def _clean(pkg: str) -> str:
    pkg = pkg.strip("`'\",;:")
    if "/" in pkg:  # a path or URL: pip prints 'Processing ./badpkg'
        pkg = pkg.rstrip("/").rsplit("/", 1)[-1]
    return re.split(r"[=<>!~@\[ ]", pkg, maxsplit=1)[0]


def _detail(output: str) -> str:
    """The most telling line: a compiler/build error or the last 'error:' line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in lines:
        if re.search(r"error: .*\.h: No such file|fatal error:|ModuleNotFoundError", ln):
            return ln[:200]
    for ln in lines:  # a compiler's own error ("file.c:12:3: error: ..."), not its argv
        if re.search(r"\.(c|cc|cpp|cxx|h|hpp|pyx|rs):\d+(:\d+)?: error:", ln):
            return ln[:200]
    cause = [ln for ln in lines if ln.startswith(("cause:", "error:", "ERROR:"))]
    return cause[-1][:200] if cause else (lines[-1][:200] if lines else "")


def explain(output: str) -> InstallFailure:
    """The failing package and why, from an installer's combined output."""
    for pattern, reason in _PATTERNS:
        m = pattern.search(output)
        if m:
            return InstallFailure(package=_clean(m["pkg"]), reason=reason, detail=_detail(output))
    if _BUILD_ERROR.search(output):
        current = _PIP_CURRENT.findall(output)
        return InstallFailure(
            package=_clean(current[-1]) if current else None,
            reason="building it from source failed",
            detail=_detail(output),
        )
    return InstallFailure(package=None, reason="the installer failed", detail=_detail(output))
