"""Where estimator keeps things: one place, XDG by default, every path overridable."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The checkout estimator runs from (editable install): the sample apps and load tests live
there."""

SAMPLE_APPS_DIR = REPO_ROOT / "sample_apps"
LOADTESTS_DIR = REPO_ROOT / "loadtests"


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


def default_results_path() -> Path:
    """The SQLite results store: `ESTIMATOR_RESULTS` or `<data dir>/results.sqlite`."""
    override = os.environ.get("ESTIMATOR_RESULTS")
    return Path(override) if override else data_dir() / "results.sqlite"


def envs_dir() -> Path:
    return cache_dir() / "envs"
