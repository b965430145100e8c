"""A results store with the recorded runs, shared read-only by the input tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import fixture_store


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 16 recorded runs (tests that write make their own store)."""
    return fixture_store(tmp_path_factory.mktemp("recorded") / "results.sqlite")


@pytest.fixture
def no_user_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(tmp_path / "cache"))


# the launcher's fixtures (the project environment's servers, a stdlib app, a leak check)
from tests.serve.conftest import (  # noqa: E402
    assert_no_leftovers,
    fixture_app,
    pinned,
    python,
    run_dir,
)

__all__ = ["assert_no_leftovers", "fixture_app", "pinned", "python", "run_dir"]
