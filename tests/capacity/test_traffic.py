from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from estimator.capacity import CapacityError, TrafficProfile, load_traffic

FRACTIONS = [0.1] * 8 + [1.0] * 12 + [0.5] * 4


def test_constant_and_fraction_profiles() -> None:
    flat = TrafficProfile.constant(10)
    assert flat.peak_rps == 10
    assert flat.requests_per_day == pytest.approx(864_000)
    assert flat.requests_per_month == pytest.approx(26_280_000)  # × 730 ÷ 24
    p = TrafficProfile.from_fractions(200, FRACTIONS)
    assert p.hourly_rps[0] == pytest.approx(20)
    assert p.peak_rps == 200


@pytest.mark.parametrize(
    ("fractions", "message"),
    [
        ([0.5] * 24, "busiest hour is 0.5, not 1.0"),
        ([1.0] * 23, "need 24 values"),
        ([1.5] + [1.0] * 23, "between 0 and 1"),
    ],
)
def test_bad_fractions(fractions: list[float], message: str) -> None:
    with pytest.raises(CapacityError, match=message):
        TrafficProfile.from_fractions(100, fractions)


@pytest.mark.parametrize(
    ("rates", "message"),
    [([1.0] * 23, "at least 24"), ([0.0] * 24, "every hour is 0"), ([-1.0] + [1.0] * 23, ">= 0")],
)
def test_bad_rates(rates: list[float], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TrafficProfile(hourly_rps=rates)


def test_load_json_forms(tmp_path: Path) -> None:
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps([5] * 24))
    assert load_traffic(plain).hourly_rps == [5.0] * 24
    assert load_traffic(plain).source == str(plain)
    obj = tmp_path / "obj.json"
    obj.write_text(json.dumps({"hourly_rps": [7] * 24, "source": "prod, March"}))
    assert load_traffic(obj).source == "prod, March"
    frac = tmp_path / "frac.json"
    frac.write_text(json.dumps({"peak_rps": 100, "fractions": FRACTIONS}))
    assert load_traffic(frac).hourly_rps[-1] == pytest.approx(50)


def test_load_csv_with_and_without_hours(tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("rps\n" + "\n".join(str(h + 1) for h in range(24)) + "\n")
    assert load_traffic(one).hourly_rps == [float(h + 1) for h in range(24)]
    two = tmp_path / "two.csv"
    two.write_text("\n".join(f"{h},{h * 2 + 1}" for h in range(24)))
    assert load_traffic(two).peak_rps == 47


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("short.csv", "1\n2\n", "2 rates; need 24"),
        ("word.csv", "1\nlots\n", "line 2: 'lots' is not a rate"),
        ("broken.json", "[1, 2", "not JSON"),
        ("frac.json", json.dumps({"fractions": FRACTIONS}), "give exactly 'peak_rps'"),
        ("typo.json", json.dumps({"hourly_rpss": [1] * 24}), "unknown key 'hourly_rpss'"),
        ("text.json", json.dumps(["a"] * 24), "traffic file"),
    ],
)
def test_load_errors_are_one_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CapacityError, match=message) as exc:
        load_traffic(path)
    assert "\n" not in str(exc.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CapacityError, match="check the path"):
        load_traffic(tmp_path / "nope.json")
