"""`estimator run --json`: the plan and the run's summary as JSON on stdout, the human
progress on stderr (a fake measurement: the real one is tests/test_distribution.py's)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from estimator.cli import main
from estimator.cli import run as run_cli
from estimator.sweep import run_sweep
from tests.test_sweep import FakeMeasure


@pytest.fixture
def fake_measure(monkeypatch: pytest.MonkeyPatch) -> FakeMeasure:
    fake = FakeMeasure()
    monkeypatch.setattr(run_cli, "run_sweep", functools.partial(run_sweep, measure_cell=fake))
    return fake


def test_run_json_prints_the_summary(
    fake_measure: FakeMeasure, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = str(tmp_path / "results.sqlite")
    assert main(["run", "smoke", "--json", "--results", results]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)  # stdout is the JSON alone
    assert "scenario smoke: 1 cells (1 to run, 0 already done)" in err
    (label,) = fake_measure.calls
    assert summary["scenario"] == "smoke"
    assert summary["results"] == results
    assert summary["planned"] == [{"cell": label, "done": False, "not_runnable": None}]
    assert (summary["ok"], summary["failed"], summary["skipped_done"]) == (1, 0, 0)
    assert summary["interrupted"] is False
    (row,) = summary["runs"]
    assert (row["app"], row["server"], row["status"]) == ("flask", "gunicorn-sync w1", "ok")

    assert main(["run", "smoke", "--json", "--dry-run", "--results", results]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["dry_run"] is True
    assert again["planned"] == [{"cell": label, "done": True, "not_runnable": None}]
    assert again["runs"] == []
