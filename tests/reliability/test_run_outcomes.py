"""How a run ends when things go wrong in it: an app answering 500 to everything is a failed
run (case 8: stored as ok), a run whose cells all failed exits 1 (case 8: exit 0), a bug in
estimator is one line and a traceback file (exit 70, not 1, which `diff` uses for a cost
rise)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from estimator.errors import LoadError
from estimator.load.models import FailureCount
from estimator.measure.windows import check_any_success as _check_any_success
from estimator.store.runs import Store
from tests.fixtures import fixture_runs
from tests.reliability.cases import FAULT, Case, cases
from tests.reliability.helpers import cli

OUTCOMES = [
    Case(
        "all-requests-500",
        "an app that answers 500 to every request (health path 200)",
        "the run fails: 'every request failed during warm-up' with the reasons",
        "500",
    ),
    Case(
        "all-cells-failed",
        "`estimator run` where every cell fails (an interpreter that is not installed)",
        "exit 1, 'N of N cells failed', the failures stored",
        "cells",
    ),
    Case(
        "estimator-bug",
        "an unexpected exception inside a command (a bug)",
        "exit 70, one line, the traceback in a private file",
        "bug",
    ),
]


@cases(FAULT, "a run that goes wrong", OUTCOMES)
def test_a_run_that_goes_wrong_says_so(
    case: Case,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if case.data == "500":
        warmup = fixture_runs()[0].phases[0].load
        failing = warmup.model_copy(
            update={
                "failures": warmup.requests,
                "failure_reasons": [
                    FailureCount(
                        method="GET",
                        name="/products",
                        reason="HTTPError('500 Server Error')",
                        count=warmup.requests,
                    )
                ],
            }
        )
        server = SimpleNamespace(url="http://127.0.0.1:8000")
        with pytest.raises(LoadError) as exc:
            _check_any_success([failing, failing], server)  # type: ignore[arg-type]
        assert "every request failed during warm-up" in exc.value.message
        assert "500 Server Error" in exc.value.message
        _check_any_success([warmup], server)  # type: ignore[arg-type]  # a success: fine
    elif case.data == "cells":
        scen = tmp_path / "s.toml"
        scen.write_text('apps = ["flask"]\nvariants = ["cpython-3.9"]\n')
        monkeypatch.setattr("estimator.sweep.discover", list)
        results = tmp_path / "r.sqlite"
        rc, out, err = cli(capsys, "run", scen, "--results", results, "--preflight", "never")
        assert rc == 1, (out, err)
        assert "1 of 1 cells failed" in out
        with Store(results, create=False) as store:
            assert [r.status for r in store.rows()] == ["failed"]
    else:

        def bug(*_: object, **__: object) -> list[object]:
            raise RuntimeError("an estimator bug")

        Store(tmp_path / "r.sqlite").close()
        monkeypatch.setattr(Store, "rows", bug)
        rc, out, err = cli(capsys, "runs", "--results", tmp_path / "r.sqlite")
        assert rc == 70, (out, err)
        assert len(err.strip().splitlines()) == 1
        assert "internal error (a bug, please report it): RuntimeError: an estimator bug" in err
        trace = Path(err.rsplit("traceback in ", 1)[1].strip())
        assert "Traceback" in trace.read_text()
        assert oct(trace.stat().st_mode & 0o777) == "0o600"
        trace.unlink()
