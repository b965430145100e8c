"""Where estimator keeps things: one place, XDG by default, every path overridable."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def _packaged(name: str) -> Path:
    """A directory shipped inside the `estimator` package (wheel or checkout alike). The
    package is always installed as files (uv, pipx, pip, editable), so the resource is a real
    directory that servers and Streamlit can be pointed at."""
    return Path(str(resources.files("estimator").joinpath(name)))


SAMPLE_APPS_DIR = _packaged("sample_apps")
"""The sample apps (their own sys.path root; they run on PyPy 3.9 too)."""
LOADTESTS_DIR = _packaged("loadtests")
"""The shipped locustfiles."""
DASHBOARD_APP = _packaged("dashboard") / "app.py"
"""The Streamlit entry point."""


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / default


def cache_dir() -> Path:
    """Environments, user price catalogs, built interpreters' downloads.

    `ESTIMATOR_CACHE_DIR` wins over `$XDG_CACHE_HOME/estimator`."""
    override = os.environ.get("ESTIMATOR_CACHE_DIR")
    return Path(override) if override else _xdg("XDG_CACHE_HOME", ".cache") / "estimator"


def data_dir() -> Path:
    """Results and run artifacts (server logs). `ESTIMATOR_DATA_DIR` wins over
    `$XDG_DATA_HOME/estimator`."""
    override = os.environ.get("ESTIMATOR_DATA_DIR")
    return Path(override) if override else _xdg("XDG_DATA_HOME", ".local/share") / "estimator"


def config_dir() -> Path:
    """The user's settings, e.g. calibrated CPU speeds. `ESTIMATOR_CONFIG_DIR` wins over
    `$XDG_CONFIG_HOME/estimator`."""
    override = os.environ.get("ESTIMATOR_CONFIG_DIR")
    return Path(override) if override else _xdg("XDG_CONFIG_HOME", ".config") / "estimator"


def default_results_path() -> Path:
    """The SQLite results store: `ESTIMATOR_RESULTS` or `<data dir>/results.sqlite`."""
    override = os.environ.get("ESTIMATOR_RESULTS")
    return Path(override) if override else data_dir() / "results.sqlite"


def envs_dir() -> Path:
    return cache_dir() / "envs"
