"""`infra/import_reference_prices.py` re-makes the shipped data files byte for byte from
reference tables (rebuilt here from the package's own data, so the test reads nothing outside
the repository)."""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

DATA = Path(__file__).resolve().parents[2] / "estimator" / "pricing" / "data"
SCRIPT = Path(__file__).resolve().parents[2] / "infra" / "import_reference_prices.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_reference_prices", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reference(tmp_path: Path) -> Path:
    ref = tmp_path / "reference"
    ref.mkdir()
    with (DATA / "ec2_on_demand.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    columns = [
        "instance_type",
        "family",
        "vcpu",
        "memory_gib",
        "arch",
        "cpu_vendor",
        "burstable",
        "region",
        "on_demand_usd_per_hour",
    ]
    with (ref / "aws_ec2_instances.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({c: r[c] for c in columns[:-1]} | {columns[-1]: r["usd_per_hour"]})
    shutil.copy(DATA / "serverless.csv", ref / "aws_serverless_prices.csv")
    return ref


def test_script_reproduces_the_shipped_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _script().main(["--reference", str(_reference(tmp_path)), "--out", str(out)]) == 0
    for name in ("ec2_on_demand.csv", "serverless.csv", "metadata.json"):
        assert (out / name).read_bytes() == (DATA / name).read_bytes(), name


def test_script_rejects_a_non_positive_price(tmp_path: Path) -> None:
    ref = _reference(tmp_path)
    path = ref / "aws_ec2_instances.csv"
    path.write_text(path.read_text().replace(",us-east-1,0.0052\n", ",us-east-1,0\n", 1))
    with pytest.raises(SystemExit, match=r"line 2: non-positive price '0'"):
        _script().main(["--reference", str(ref), "--out", str(tmp_path / "out")])


def test_physical_core_rule_of_the_script() -> None:
    cores = _script().physical_cores
    assert cores("m6i", "x86_64", 4) == 2
    assert cores("c7a", "x86_64", 4) == 4
    assert cores("r7a", "x86_64", 8) == 8
    assert cores("c7g", "arm64", 4) == 4
