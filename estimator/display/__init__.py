"""Display layer: the one place an estimate becomes words and display rows.

The estimate stage returns numbers (costs with their interval ends, tie groups, savings with
theirs); this package turns them into the phrases every output shows ("saves $X–$Y", "no
measurable difference", "at most …", "≥ …", one line per tie group), the rows of the ranked
and serverless tables, and one spec per chart. The terminal, every report format (csv, json,
md, html), `estimator diff` and the dashboard lay these out and escape them for their medium
(each format has one escaping function); none words a figure itself, so they cannot drift
apart. The shape follows Infracost's `internal/output`: one shared view model, one formatter
per format.

- `text`: numbers and intervals as text (money, counts, rates, CIs).
- `phrases`: savings, headlines, tie groups, not-ranked, arrival process, diff changes, a
  measured connection setting that cuts the bill, unevenly used workers.
- `rows`: one configuration as every table shows it; the inputs, hosts and prices lists.
- `charts`: the $/month chart as a spec (rendered as SVG in HTML, as altair in the dashboard).
- `speeds`: the vCPU rule, each target's CPU speed and its source, break-even speeds.
"""

from estimator.display.charts import Bar, ChartSpec, cost_chart
from estimator.display.phrases import (
    arrivals_line,
    change_phrase,
    headline_text,
    not_ranked_phrase,
    saving_phrase,
    setting_lines,
    setting_phrase,
    tie_lines,
    tie_rule_line,
    workers_phrase,
)
from estimator.display.rows import (
    RANKED,
    SERVERLESS,
    Row,
    host_line,
    inputs,
    missing_lines,
    pricing_lines,
    ranked_cells,
    row,
    rows,
    serverless_cells,
    title,
)
from estimator.display.speeds import (
    SPEED_COLUMNS,
    break_even_lines,
    speed_lines,
    speed_rows,
    vcpu_lines,
)
from estimator.display.text import amount, pct, usd, usd_range

__all__ = [
    "RANKED",
    "SERVERLESS",
    "SPEED_COLUMNS",
    "Bar",
    "ChartSpec",
    "Row",
    "amount",
    "arrivals_line",
    "break_even_lines",
    "change_phrase",
    "cost_chart",
    "headline_text",
    "host_line",
    "inputs",
    "missing_lines",
    "not_ranked_phrase",
    "pct",
    "pricing_lines",
    "ranked_cells",
    "row",
    "rows",
    "saving_phrase",
    "serverless_cells",
    "setting_lines",
    "setting_phrase",
    "speed_lines",
    "speed_rows",
    "tie_lines",
    "tie_rule_line",
    "title",
    "usd",
    "usd_range",
    "vcpu_lines",
    "workers_phrase",
]
