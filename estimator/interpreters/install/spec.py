"""What `estimator interpreters install` is asked for: '3.14', '3.14t', '3.14+jit', '3.13.15t'."""

from __future__ import annotations

import re

from pydantic import Field

from estimator._model import Model
from estimator.errors import InterpreterError

_SPEC = re.compile(
    r"^(?:cpython-)?(?P<major>3)\.(?P<minor>\d+)(?:\.(?P<micro>\d+))?(?P<t>t)?"
    r"(?P<mods>(?:\+[a-z]+)*)$"
)


class InstallSpec(Model):
    major: int
    minor: int
    micro: int | None = None
    free_threaded: bool = False
    jit: bool = False
    optimized: bool = False
    text: str = Field(description="as the user typed it")

    @property
    def series(self) -> tuple[int, int]:
        return (self.major, self.minor)


def parse_install_spec(text: str, *, optimized: bool = False) -> InstallSpec:
    """'3.14', '3.14t', '3.14+jit', '3.13.15t', 'cpython-3.14+cinderx' -> InstallSpec."""
    m = _SPEC.match(text.strip().lower())
    if m is None:
        raise InterpreterError(
            f"'{text}' is not an interpreter to install; use e.g. 3.14, 3.14t, 3.14+jit, 3.13t, "
            "3.13.15t"
        )
    mods = [x for x in m["mods"].split("+") if x]
    bad = [x for x in mods if x not in ("jit", "cinderx", "opt")]
    if bad:
        raise InterpreterError(f"'{text}': unknown modifier '+{bad[0]}'; known: +jit, +opt")
    spec = InstallSpec(
        major=int(m["major"]),
        minor=int(m["minor"]),
        micro=int(m["micro"]) if m["micro"] else None,
        free_threaded=bool(m["t"]),
        jit="jit" in mods,
        optimized=optimized or "opt" in mods,
        text=text,
    )
    if spec.free_threaded and spec.jit:
        raise InterpreterError(
            f"'{text}': CPython's JIT is not supported on free-threaded builds; install "
            f"{spec.major}.{spec.minor}t and {spec.major}.{spec.minor}+jit separately"
        )
    if spec.series < (3, 13) and (spec.free_threaded or spec.jit):
        raise InterpreterError(
            f"'{text}': free-threaded and JIT builds exist from CPython 3.13 on; pick 3.13 or later"
        )
    if "cinderx" in mods and (spec.series != (3, 14) or spec.free_threaded):
        raise InterpreterError(f"'{text}': CinderX needs a CPython 3.14 GIL build; install 3.14")
    return spec
