from __future__ import annotations

import csv
import io

from estimator.pricing import Catalog
from estimator.report import parse_report
from estimator.views.costs import report_for
from estimator.views.export import export_files
from estimator.views.snapshot import StoreSnapshot
from estimator.views.whatif import WhatIf


def test_every_format_is_offered_with_its_file_name(snap: StoreSnapshot, catalog: Catalog) -> None:
    rep = report_for(snap, WhatIf(peak_rps=250), catalog)
    files = {f.format: f for f in export_files(rep)}
    assert set(files) == {"csv", "json", "md", "html"}
    for f in files.values():
        assert f.filename.startswith("estimator-us-east-1-on-demand-250rps-")
        assert f.filename.endswith("." + ("md" if f.format == "md" else f.format))
        assert f.data
    assert files["csv"].mime == "text/csv"
    back = parse_report(files["json"].data, "export")
    assert back.headlines == rep.headlines
    rows = list(csv.reader(io.StringIO(files["csv"].data)))
    assert any("flask | cpython" in ",".join(r) for r in rows)
    assert "<html" in files["html"].data.lower()
    assert rep.headlines[0].app in files["md"].data
