"""The calibration book: calibrated ratios (geometric mean over common variants), which host
calibration an estimate uses, and the messages when one can't be used."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from estimator.calibrate import (
    CalibrateError,
    CalibrationBook,
    family_of,
    import_target,
    load_book,
    load_scores,
    ratios,
    record_host,
    save_book,
    scores_json,
)
from estimator.host import facts_from_raw
from tests.calibrate.helpers import score
from tests.capacity.factory import summary
from tests.capacity.test_vcpu_rule import GRAVITON2_VM

HOST = summary().host
TARGET = facts_from_raw(GRAVITON2_VM)


def book() -> CalibrationBook:
    b = record_host(
        CalibrationBook(),
        [score("cpython-3.11", 800, HOST), score("cpython-3.13", 1000, HOST)],
        "this machine",
    )
    return import_target(
        b,
        [score("cpython-3.11", 400, TARGET), score("cpython-3.13", 800, TARGET)],
        "c6g",
        "c6g.json",
    )


def test_ratio_is_the_geometric_mean_over_common_variants() -> None:
    found, warnings = ratios(book(), HOST)
    assert warnings == []
    assert found["c6g"].ratio == pytest.approx(math.sqrt(0.5 * 0.8))
    assert "cpython-3.11 400 ÷ 800 = 0.5" in found["c6g"].detail


def test_another_measuring_host_has_no_calibration_to_relate_to() -> None:
    other = HOST.model_copy(update={"cpu_model": "Intel Xeon Platinum 8375C"})
    found, warnings = ratios(book(), other)
    assert found == {}
    assert "has no calibration on record" in warnings[0]
    assert "estimator calibrate" in warnings[0]


def test_no_common_variant_is_named() -> None:
    b = import_target(book(), [score("pypy-3.9", 100, TARGET)], "c7g", "c7g.json")
    found, warnings = ratios(b, HOST)
    assert set(found) == {"c6g"}
    assert "c7g: calibrated with pypy-3.9" in warnings[0]


def test_import_replaces_a_familys_scores_and_the_book_round_trips(tmp_path: Path) -> None:
    b = import_target(book(), [score("cpython-3.11", 600, TARGET)], "c6g", "again.json")
    path = save_book(b, tmp_path / "calibration.json")
    again = load_book(path)
    targets = [e for e in again.entries if e.role == "target"]
    assert [(e.family, e.source) for e in targets] == [("c6g", "again.json")]
    assert load_book(tmp_path / "none.json") == CalibrationBook()


def test_score_files_and_their_errors(tmp_path: Path) -> None:
    good = tmp_path / "scores.json"
    good.write_text(scores_json([score("cpython-3.11", 800, HOST)]))
    assert load_scores(good)[0].score == 800
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    with pytest.raises(CalibrateError, match="not a calibration score file"):
        load_scores(bad)
    with pytest.raises(CalibrateError, match="cannot read"):
        load_scores(tmp_path / "missing.json")
    corrupt = tmp_path / "calibration.json"
    corrupt.write_text("[]")
    with pytest.raises(CalibrateError, match="move it away"):
        load_book(corrupt)


@pytest.mark.parametrize(
    ("family", "target", "expected"),
    [("c7g", None, "c7g"), (None, "c7g.large", "c7g"), ("M7A", None, "m7a")],
)
def test_family_of(family: str | None, target: str | None, expected: str) -> None:
    assert family_of(family, target) == expected


def test_family_of_needs_exactly_one_valid_name() -> None:
    with pytest.raises(CalibrateError, match="--family c7g"):
        family_of(None, None)
    with pytest.raises(CalibrateError, match="not an EC2 family"):
        family_of("c7g large", None)
