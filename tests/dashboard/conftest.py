"""AppTest fixtures: the dashboard's entry point on a results store (ESTIMATOR_RESULTS, as
`estimator dashboard --results` passes it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from estimator.paths import DASHBOARD_APP
from tests.fixtures import fixture_store
from tests.report.reports import markdown_plain

APP = DASHBOARD_APP
TIMEOUT_S = 60  # a loaded 2-core machine; a run takes well under a second when idle


@pytest.fixture(scope="session")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 16 recorded runs (read-only: tests that write make their own store)."""
    return fixture_store(tmp_path_factory.mktemp("dashboard") / "results.sqlite")


@pytest.fixture
def open_app(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """`open_app(store)`: the dashboard's first run on `store`, checked by `ok()` unless
    `check=False`."""

    def _open(store: Path, *, check: bool = True) -> AppTest:
        monkeypatch.setenv("ESTIMATOR_RESULTS", str(store))
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S).run()
        return ok(at) if check else at

    return _open


@pytest.fixture
def app(open_app: Callable[..., AppTest], results: Path) -> AppTest:
    """The dashboard on the recorded runs, after its first run (the Overview)."""
    return open_app(results)


def ok(at: AppTest) -> AppTest:
    """No exception and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def goto(at: AppTest, page: str) -> AppTest:
    return ok(at.switch_page(f"app_pages/{page}.py").run())


def metrics(at: AppTest, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def captions(at: AppTest) -> str:
    """The captions' text as a reader sees it (Markdown escapes undone)."""
    return markdown_plain("\n".join(c.value for c in at.caption))
