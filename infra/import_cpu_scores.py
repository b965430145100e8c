#!/usr/bin/env python3
"""Re-make estimator's per-family CPU scores from the team's reference table.

    .venv/bin/python infra/import_cpu_scores.py [--reference DIR]

Reads `aws_cpu_single_thread.csv` (default: ../shared/reference next to the checkout; Spare
Cores sc-inspector-data, CC BY-SA 4.0) and writes `estimator/capacity/data/aws_cpu_scores.csv`:
per family the median of its typical sizes' scores, each benchmark column on its own
(`estimator.capacity.cpudata.derive`). The package reads only that file at run time;
`CPU_SCORES.md` next to it (attribution, licence, caveats) is written by hand.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from estimator.capacity.cpudata import DATA_FILE, derive, to_csv  # noqa: E402

OUT = REPO / "estimator" / "capacity" / "data" / DATA_FILE
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
SOURCE = "aws_cpu_single_thread.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    args = parser.parse_args(argv)
    path = args.reference / SOURCE
    if not path.is_file():
        print(f"error: {path} not found; pass --reference DIR", file=sys.stderr)
        return 2
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    commits = sorted({r["source_commit"] for r in rows})
    scores = derive(rows)
    OUT.write_text(to_csv(scores, ",".join(commits)), encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}: {len(scores)} families from {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
