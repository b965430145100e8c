"""The shipped per-family CPU scores: how they are derived (one column at a time, typical
sizes), that they carry their attribution and licence, and the published speeds made of
them."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest

from estimator.capacity.cpudata import (
    DATA_FILE,
    clean_cpu,
    cpu_key,
    cpu_score,
    derive,
    family_scores,
    parse_csv,
    to_csv,
)
from estimator.capacity.speeds import published_speeds
from tests.capacity.factory import summary
from tests.promised import skip_unpromised

REFERENCE = (
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "aws_cpu_single_thread.csv"
)


def row(t: str, cpu: str, gb: str, pm: str) -> dict[str, str]:
    return {
        "instance_type": t,
        "family": t.split(".", maxsplit=1)[0],
        "cpu_model": cpu,
        "geekbench6_single": gb,
        "passmark_single_thread": pm,
        "measured_date": "2024-06-04/2024-11-07",
    }


def test_median_of_typical_sizes_each_column_on_its_own() -> None:
    rows = [
        row("x1.medium", "AMD EPYC 9R14", "900", "1000"),  # not a typical size
        row("x1.large", "AMD EPYC 9R14", "1000", "2000"),
        row("x1.xlarge", "AMD EPYC 9R14 96-Core Processor", "1100", ""),
        row("x1.2xlarge", "AMD EPYC 9R14", "1200", "2200"),
        row("x1.metal-48xl", "AMD EPYC 9R14", "2000", "3000"),  # never metal
        row("y1.8xlarge", "AWS Graviton2 (Neoverse-N1)", "950", "1100"),
        row("y1.metal", "AWS Graviton2 (Neoverse-N1)", "990", "1150"),
    ]
    x1, y1 = derive(rows)
    assert (x1.family, x1.cpu, x1.cpu_key) == ("x1", "AMD EPYC 9R14", "amd-epyc-9r14")
    assert x1.arch == "x86_64"
    assert x1.sizes == ["2xlarge", "large", "xlarge"]
    assert (x1.geekbench6_single, x1.passmark_single_thread) == (1100, 2100)
    assert (y1.sizes, y1.geekbench6_single, y1.arch) == (["8xlarge"], 950, "arm64")
    assert parse_csv(to_csv([x1, y1], "abc")) == [x1, y1]


@pytest.mark.parametrize(
    ("model", "clean", "key"),
    [
        (
            "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
            "Intel Xeon Platinum 8259CL",
            "intel-xeon-platinum-8259cl",
        ),
        (
            "Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz",
            "Intel Xeon E5-2686 v4",
            "intel-xeon-e5-2686-v4",
        ),
        ("AMD EPYC 7R13 48-Core Processor", "AMD EPYC 7R13", "amd-epyc-7r13"),
        ("AWS Graviton4 (Neoverse-V2)", "AWS Graviton4 (Neoverse-V2)", "aws-graviton4"),
        (
            "Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz "
            "[PassMark host: Intel Xeon Platinum 8259CL]",
            "Intel Xeon Platinum 8175M",
            "intel-xeon-platinum-8175m",
        ),
    ],
)
def test_cpu_names(model: str, clean: str, key: str) -> None:
    assert clean_cpu(model) == clean
    assert cpu_key(model) == key


def test_the_shipped_file_carries_attribution_and_licence() -> None:
    data = resources.files("estimator.capacity").joinpath("data")
    text = data.joinpath(DATA_FILE).read_text("utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    assert "Spare Cores" in header
    assert "CC BY-SA 4.0" in header
    notes = data.joinpath("CPU_SCORES.md").read_text("utf-8")
    assert "CC BY-SA 4.0" in notes
    assert "not Python" in notes
    scores = family_scores()
    assert len(scores) > 100
    assert scores["m7a"].cpu_key == "amd-epyc-9r14"
    assert scores["c6g"].cpu_key == "aws-graviton2"


def test_the_shipped_file_is_what_the_reference_table_derives() -> None:
    if not REFERENCE.is_file():
        skip_unpromised(f"the team's reference table is not next to this checkout ({REFERENCE})")
    with REFERENCE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {s.family: s for s in derive(rows)} == family_scores()


def test_published_speeds_use_one_column_relative_to_the_host_cpu() -> None:
    host = summary().host  # 'AMD EPYC': not recognised by itself
    cpu, none = published_speeds(host, ["c6g"], "geekbench6_single")
    assert cpu.cpu_key is None
    assert none == {}
    cpu, gb = published_speeds(host, ["c6g", "m7i", "lambda-arm64"], "geekbench6_single", "m7i")
    _, pm = published_speeds(host, ["c6g", "m7i"], "passmark_single_thread", "m7i")
    found = cpu_score("intel-xeon-platinum-8488c", "geekbench6_single")
    assert found is not None
    base, families = found  # the median of every family on the host's CPU
    assert {"m7i", "c7i", "r7i"} <= set(families)
    assert gb["m7i"].speed == pytest.approx(1802 / base)
    assert gb["c6g"].speed == pytest.approx(963 / base)
    assert pm["c6g"].speed < gb["c6g"].speed  # PassMark puts Graviton2 further behind
    assert gb["lambda-arm64"].cpu_key == "aws-graviton2"
    assert "Geekbench 6 single-core" in gb["c6g"].detail
    assert "PassMark" in pm["c6g"].detail
