"""Start-up hook copied into every environment estimator provisions (with a `.pth` file).

It runs only when `ESTIMATOR_WORKER_FACTS_DIR` is set (the `.pth` line checks before importing
this module, so an unset variable costs one dict lookup). It then writes `<pid>.json` into
that directory: at start-up, in every forked child (`os.register_at_fork`) and at exit
(`atexit`; the authoritative record, because a C extension imported later may have re-enabled
the GIL). With `ESTIMATOR_CINDERX=1` it first enables CinderX's JIT (`cinderx.jit.auto()`;
`ESTIMATOR_CINDERX=N` uses `compile_after_n_calls(N)` instead); a failure is recorded in the
facts, never hidden.

Runs on every interpreter we provision, PyPy 3.9 to CPython 3.14t: standard library only, no
syntax newer than 3.9 outside annotations (which `from __future__` keeps unevaluated).
Never raises into the application.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time


class _State:
    installed = False
    cinderx_requested = False
    cinderx_error: str | None = None


def _gil_enabled() -> bool | None:
    probe = getattr(sys, "_is_gil_enabled", None)
    if probe is not None:
        return bool(probe())
    # no free-threading in this version: CPython and PyPy always hold a GIL
    return True if sys.implementation.name in ("cpython", "pypy") else None


def _jit() -> tuple[bool | None, bool | None, str]:
    """(available, enabled, how we know)."""
    jit = getattr(sys, "_jit", None)
    if jit is not None:
        return bool(jit.is_available()), bool(jit.is_enabled()), "sys._jit"
    if sys.implementation.name == "pypy":
        try:
            __import__("pypyjit")
        except ImportError:
            return False, False, "pypy"
        return True, True, "pypy"
    import sysconfig

    flags = str(sysconfig.get_config_var("CFLAGS_NODIST") or "").split()
    if "-D_Py_JIT" not in flags:
        return False, False, "build config"
    env = os.environ.get("PYTHON_JIT")
    default_on = "-D_Py_TIER2=1" in flags
    on = default_on if env is None else env not in ("0", "")
    return True, on, "build config + PYTHON_JIT"


def _cinderx() -> tuple[bool, str | None]:
    """(active, why not) for CinderX's JIT in this process."""
    mod = sys.modules.get("cinderx")
    if mod is None:
        return False, _State.cinderx_error
    try:
        err = mod.get_import_error()
        if err is not None:
            return False, f"cinderx native extension unavailable: {err}"
        jit = sys.modules.get("cinderx.jit")
        enabled = bool(jit.is_enabled()) if jit is not None else False
        ok = bool(mod.is_initialized()) and enabled
        return ok, None if ok else (_State.cinderx_error or "cinderx JIT not enabled")
    except Exception as exc:  # report, never break the app
        return False, f"{type(exc).__name__}: {exc}"


def facts(event: str) -> dict[str, object]:
    import sysconfig

    available, enabled, source = _jit()
    cinderx_active, cinderx_error = _cinderx()
    vi = sys.version_info
    return {
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "event": event,
        "time": time.time(),
        "implementation": sys.implementation.name,
        "version": f"{vi[0]}.{vi[1]}.{vi[2]}",
        "executable": sys.executable,
        "argv": [str(a) for a in sys.argv[:4]],
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "gil_enabled": _gil_enabled(),
        "jit_available": available,
        "jit_enabled": enabled,
        "jit_source": source,
        "cinderx_requested": _State.cinderx_requested,
        "cinderx_active": cinderx_active,
        "cinderx_error": cinderx_error,
    }


def write(event: str) -> None:
    directory = os.environ.get("ESTIMATOR_WORKER_FACTS_DIR")
    if not directory:
        return
    try:
        data = json.dumps(facts(event))
        pid = os.getpid()
        final = os.path.join(directory, f"{pid}.json")
        tmp = os.path.join(directory, f".{pid}.{event}.tmp")
        with open(tmp, "w") as fh:
            fh.write(data)
        os.replace(tmp, final)  # readers never see half a record
    except Exception:  # a facts hook must never break the app
        pass


def _enable_cinderx(mode: str) -> None:
    """'1' or 'auto': `cinderx.jit.auto()` (CinderX's recommended start); a number N:
    `compile_after_n_calls(N)`."""
    _State.cinderx_requested = True
    try:
        import importlib

        cinderx = importlib.import_module("cinderx")
        err = cinderx.get_import_error()
        if err is not None:
            _State.cinderx_error = f"cinderx native extension unavailable: {err}"
            return
        jit = importlib.import_module("cinderx.jit")
        if mode.isdigit() and mode != "1":
            jit.compile_after_n_calls(int(mode))
        else:
            jit.auto()
        if not jit.is_enabled():
            jit.enable()
    except Exception as exc:  # recorded in the facts
        _State.cinderx_error = f"{type(exc).__name__}: {exc}"


def install() -> None:
    """Called from the `.pth` line when ESTIMATOR_WORKER_FACTS_DIR is set."""
    if _State.installed:
        return
    _State.installed = True
    cinderx_mode = os.environ.get("ESTIMATOR_CINDERX", "")
    if cinderx_mode not in ("", "0"):
        _enable_cinderx(cinderx_mode)
    write("start")
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=lambda: write("fork"))
    atexit.register(write, "exit")
