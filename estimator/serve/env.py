"""The server's environment: an allow-list of ours, the app's, the interpreter variant's.

Nothing else leaks in (no PYTHONPATH, GUNICORN_CMD_ARGS, WEB_CONCURRENCY, virtualenv
activation...): what the server sees is what the results record.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from estimator.scenario import AppSpec

INHERITED = ("HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
"""Plus the names the app lists in `pass_env`."""
RUN_DIR_VAR = "ESTIMATOR_RUN_DIR"
"""Set for every server: apps may keep files there, and a leak check can find the processes
of a run by it."""


def server_env(
    python: Path, app: AppSpec, run_dir: Path, extra_env: Mapping[str, str] = {}
) -> dict[str, str]:
    """`PATH` with the environment's bin first, the allow-listed variables and the app's
    `pass_env`, `app.env` (with '{run_dir}' expanded), then `extra_env` (the interpreter
    variant's, e.g. PYTHON_JIT=1); `ESTIMATOR_RUN_DIR` last (it finds the run's processes)."""
    names = [*INHERITED, *app.pass_env]
    env = {k: os.environ[k] for k in names if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env["PATH"] = os.pathsep.join([str(python.parent), os.environ.get("PATH") or os.defpath])
    env.update({k: v.replace("{run_dir}", str(run_dir)) for k, v in app.env.items()})
    env.update(extra_env)
    env[RUN_DIR_VAR] = str(run_dir)
    return env
