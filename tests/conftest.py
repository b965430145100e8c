"""Shared fixtures: isolate every test's cache, data and results paths."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never touch the user's ~/.cache/estimator, settings (calibrated CPU speeds) or
    results store, except the shared environment cache (venvs are slow to build and keyed by
    content, so sharing is safe)."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("ESTIMATOR_DATA_DIR", str(data))
    monkeypatch.setenv("ESTIMATOR_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("ESTIMATOR_RESULTS", raising=False)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
