"""Published single-thread CPU scores per EC2 family: the default CPU speeds' source.

Shipped as `data/aws_cpu_scores.csv`, derived by `infra/import_cpu_scores.py` from Spare Cores'
sc-inspector-data (CC BY-SA 4.0; attribution and licence in `data/CPU_SCORES.md` and the
file's header). One row per family: the median score of its typical sizes (.large, .xlarge,
.2xlarge; else every non-metal size), for each benchmark column separately (a speed ratio
never mixes columns). These are native-code synthetic benchmarks, not Python: a proxy until
`estimator calibrate` measures the real thing.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import Field

from estimator._model import Model

Benchmark = Literal["geekbench6_single", "passmark_single_thread"]
BENCHMARKS: dict[Benchmark, str] = {
    "geekbench6_single": "Geekbench 6 single-core",
    "passmark_single_thread": "PassMark single-thread",
}
TYPICAL_SIZES = ("large", "xlarge", "2xlarge")
DATA_FILE = "aws_cpu_scores.csv"
COLUMNS = (
    "family",
    "arch",
    "cpu",
    "cpu_key",
    "sizes",
    "geekbench6_single",
    "passmark_single_thread",
    "measured",
)


class FamilyScore(Model):
    """One EC2 family's typical single-thread scores and the CPU it runs on."""

    family: str
    arch: Literal["x86_64", "arm64"]
    cpu: str = Field(description="the CPU as lscpu names it, cleaned: 'AMD EPYC 9R14'")
    cpu_key: str = Field(description="a slug of the CPU: 'amd-epyc-9r14', 'aws-graviton2'")
    sizes: list[str] = Field(description="the sizes whose median is taken")
    geekbench6_single: float | None
    passmark_single_thread: float | None
    measured: str = Field(description="dates of the runs used (ISO, or first/last)")

    def score(self, benchmark: Benchmark) -> float | None:
        value: float | None = getattr(self, benchmark)
        return value


_NOISE = (
    re.compile(r"\s*\[PassMark host:.*\]$"),
    re.compile(r"\((?:R|TM)\)", re.IGNORECASE),
    re.compile(r"\s*@\s*[\d.]+\s*GHz", re.IGNORECASE),
    re.compile(r"\bCPU\b", re.IGNORECASE),
    re.compile(r"\s+\d+-Core Processor$", re.IGNORECASE),
    re.compile(r"\s+Processor$", re.IGNORECASE),
)


def clean_cpu(model: str) -> str:
    """'Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz' → 'Intel Xeon Platinum 8259CL'."""
    text = model
    for pattern in _NOISE:
        text = pattern.sub("", text)
    return " ".join(text.split())


def cpu_key(model: str) -> str:
    """A slug naming one CPU: 'amd-epyc-9r14'; Graviton by generation: 'aws-graviton2'."""
    text = clean_cpu(model)
    text = re.sub(r"\s*\(.*\)$", "", text)  # 'AWS Graviton2 (Neoverse-N1)' → 'AWS Graviton2'
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def derive(rows: Iterable[Mapping[str, str]]) -> list[FamilyScore]:
    """Per family, from the reference CSV's rows (aws_cpu_single_thread.csv columns)."""
    by_family: dict[str, list[Mapping[str, str]]] = defaultdict(list)
    for r in rows:
        by_family[r["family"]].append(r)
    out = []
    for family, members in sorted(by_family.items()):
        non_metal = [r for r in members if "metal" not in r["instance_type"].split(".", 1)[1]]
        typical = [r for r in non_metal if r["instance_type"].split(".", 1)[1] in TYPICAL_SIZES]
        chosen = typical or non_metal
        if not chosen:
            continue
        cpus = Counter(clean_cpu(r["cpu_model"]) for r in chosen)
        cpu = cpus.most_common(1)[0][0]
        arch = "arm64" if "graviton" in cpu.lower() or "cortex" in cpu.lower() else "x86_64"

        def column(name: str, rs: list[Mapping[str, str]] = chosen) -> float | None:
            return _median([float(r[name]) for r in rs if r.get(name)])

        dates = sorted(d for r in chosen for d in r.get("measured_date", "").split("/") if d)
        out.append(
            FamilyScore(
                family=family,
                arch=arch,
                cpu=cpu,
                cpu_key=cpu_key(cpu),
                sizes=sorted({r["instance_type"].split(".", 1)[1] for r in chosen}),
                geekbench6_single=column("geekbench6_single"),
                passmark_single_thread=column("passmark_single_thread"),
                measured=dates[0] if dates[0] == dates[-1] else f"{dates[0]}/{dates[-1]}",
            )
        )
    return out


HEADER = """\
# Per-family single-thread CPU scores: the median of each family's .large/.xlarge/.2xlarge
# rows (else of its non-metal rows), one benchmark column at a time. Derived by
# infra/import_cpu_scores.py from aws_cpu_single_thread.csv, itself parsed from Spare Cores
# sc-inspector-data (https://github.com/SpareCores/sc-inspector-data), commit
# {commit}.
# Credit: Spare Cores, sc-inspector-data. Licence: Creative Commons Attribution-ShareAlike 4.0
# International (CC BY-SA 4.0); this file is an adaptation under the same licence.
# Synthetic native-code benchmarks, one run per type: a proxy, not a Python measurement.
"""


def to_csv(scores: Iterable[FamilyScore], commit: str) -> str:
    out = io.StringIO()
    out.write(HEADER.format(commit=commit))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for s in scores:
        writer.writerow(
            [
                s.family,
                s.arch,
                s.cpu,
                s.cpu_key,
                ";".join(s.sizes),
                "" if s.geekbench6_single is None else f"{s.geekbench6_single:g}",
                "" if s.passmark_single_thread is None else f"{s.passmark_single_thread:g}",
                s.measured,
            ]
        )
    return out.getvalue()


def parse_csv(text: str) -> list[FamilyScore]:
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    out = []
    for r in csv.DictReader(lines):
        out.append(
            FamilyScore(
                family=r["family"],
                arch="arm64" if r["arch"] == "arm64" else "x86_64",
                cpu=r["cpu"],
                cpu_key=r["cpu_key"],
                sizes=r["sizes"].split(";"),
                geekbench6_single=float(r["geekbench6_single"]) if r["geekbench6_single"] else None,
                passmark_single_thread=float(r["passmark_single_thread"])
                if r["passmark_single_thread"]
                else None,
                measured=r["measured"],
            )
        )
    return out


@cache
def family_scores() -> dict[str, FamilyScore]:
    """The shipped table, by family."""
    text = (
        resources.files("estimator.capacity")
        .joinpath("data")
        .joinpath(DATA_FILE)
        .read_text("utf-8")
    )
    return {s.family: s for s in parse_csv(text)}


def cpu_score(key: str, benchmark: Benchmark) -> tuple[float, list[str]] | None:
    """The median score of the families on CPU `key`, and those families."""
    fams = [s for s in family_scores().values() if s.cpu_key == key and s.score(benchmark)]
    if not fams:
        return None
    value = statistics.median(s.score(benchmark) or 0.0 for s in fams)
    return value, sorted(s.family for s in fams)
