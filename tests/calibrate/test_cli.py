"""`estimator calibrate` end to end: a real (short) run of the benchmark on this machine for
two variants, and `calibrate import` turning a target's scores into a family's CPU speed that
changes the estimate's ranking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from estimator.calibrate import CalibrationBook, load_book, record_host, save_book, scores_json
from estimator.host import facts_from_raw
from tests.calibrate.helpers import cli, score
from tests.capacity.test_vcpu_rule import GRAVITON2_VM
from tests.fixtures import fixture_runs, fixture_store

QUICK = [
    "--value-seconds",
    "0.05",
    "--warmup-seconds",
    "0.1",
    "--min-values",
    "3",
    "--max-seconds",
    "1",
    "-q",
]


@pytest.mark.integration
@pytest.mark.timeout(900)
def test_calibrate_scores_two_variants_and_saves_the_host(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "scores.json"
    code, out, err = cli(
        capsys,
        "calibrate",
        "--variants",
        "cpython-3.11,cpython-3.13",
        "--json",
        "-o",
        str(out_file),
        *QUICK,
    )
    assert code == 0, err
    scores = json.loads(out)
    assert [s["variant"] for s in scores] == ["cpython-3.11", "cpython-3.13"]
    for s in scores:
        assert {"variant", "score", "ci_low", "ci_high", "n", "host"} <= set(s)
        assert s["ci_low"] <= s["score"] <= s["ci_high"]
        assert s["n"] >= 3
        assert s["benchmark"] == "shop-mix/1"
        assert s["host"]["logical_cpus"] >= 1
        assert len(s["cpu"]) == 1  # pinned to one CPU
        assert s["endpoints_ms"]["report"] > 0
        assert s["packages"]["flask"] == "3.1.3"
    assert json.loads(out_file.read_text()) == scores
    (host,) = [e for e in load_book().entries if e.role == "host"]
    assert [s.variant for s in host.scores] == ["cpython-3.11", "cpython-3.13"]


def _estimate(capsys: pytest.CaptureFixture[str], store: Path) -> dict[str, Any]:
    code, out, err = cli(
        capsys,
        "estimate",
        "--results",
        str(store),
        "--peak-rps",
        "4000",
        "--region",
        "us-east-1",
        "--no-user-catalog",
        "--assume",
        "host_reference=m7a",
        "--json",
    )
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_import_makes_a_family_calibrated_and_changes_the_ranking(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = fixture_store(tmp_path / "results.sqlite")
    before = _estimate(capsys, store)
    flask = next(h for h in before["headlines"] if h["app"] == "flask")
    assert flask["instance_type"].startswith("c7g.")
    # the measuring host's scores, then a Graviton2 target scoring twice as much (test inputs)
    host = fixture_runs()[0].host
    save_book(record_host(CalibrationBook(), [score("cpython-3.11", 800, host)], "this machine"))
    target = tmp_path / "c6g.json"
    target.write_text(
        scores_json([score("cpython-3.11", 1600, facts_from_raw(GRAVITON2_VM), "ec2-user@c6g")])
    )
    code, out, err = cli(capsys, "calibrate", "import", str(target), "--target", "c6g.large")
    assert code == 0, err
    assert "c6g: 1 score(s)" in out
    after = _estimate(capsys, store)
    (hs,) = after["cpu_speeds"]
    c6g = next(s for s in hs["speeds"] if s["key"] == "c6g")
    assert c6g["source"] == "calibrated"
    assert c6g["speed"] == pytest.approx(2 * 0.625)  # ratio × the VM host's vCPU core share
    flask = next(h for h in after["headlines"] if h["app"] == "flask")
    assert flask["instance_type"].startswith("c6g.")
    code, out, _ = cli(capsys, "calibrate", "show")
    assert "c6g (" in out
    assert "cpython-3.11: 1,600.0" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calibrate", "--variants", ","], "--variants is empty"),
        (["calibrate", "--family", "c7g"], "--family/--target name the machine --ssh reaches"),
        (["calibrate", "--min-values", "1"], "--min-values must be at least 2"),
        (["calibrate", "--variants", "cpython-3.11,cpython-3.11"], "named twice"),
        (["calibrate", "--variants", "python3"], "is not a variant name"),
        (["calibrate", "import", "nope.json", "--family", "c7g"], "cannot read nope.json"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = cli(capsys, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
