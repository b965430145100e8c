"""Recorded runs and a store holding them, shared by the view tests (read-only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.measure import RunResult
from estimator.pricing import Catalog, load_catalog
from estimator.views.snapshot import StoreSnapshot, load_snapshot
from tests.fixtures import fixture_runs, fixture_store


@pytest.fixture(scope="session")
def runs() -> list[RunResult]:
    return fixture_runs()


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_store(tmp_path_factory.mktemp("views") / "results.sqlite")


@pytest.fixture(scope="session")
def snap(store_path: Path) -> StoreSnapshot:
    return load_snapshot(store_path)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(user_catalog=False)
