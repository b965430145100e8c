"""The display layer's $/month chart spec drawn as inline SVG: bars with their 95% interval
as whiskers, grouped by app; no script, no fonts or images fetched, so the HTML report stays
one self-contained file. The dashboard draws the same spec with altair."""

from __future__ import annotations

from html import escape

from estimator.display import Bar, ChartSpec

WIDTH = 860
LABEL = 330
VALUE = 170
ROW = 24
HEAD = 28
STRETCH = 2.5
"""The axis reaches at most this × the dearest bar: longer whiskers end in an arrow."""
COLORS = {
    "cheapest": "#2f855a",
    "tied": "#9ae6b4",
    "baseline": "#8a94a6",
    "other": "#3b6fd8",
    "not ranked": "#d6dbe3",
}


def _color(b: Bar) -> str:
    return COLORS["tied" if b.tied_with_cheapest else b.role]


def _bar(y: float, b: Bar, scale: float, area: float) -> str:
    x = LABEL
    length = max(1.0, b.value * scale)
    dash = ' stroke="#1a202c" stroke-dasharray="4 3" fill-opacity="0.55"' if b.lower_bound else ""
    mid = y + ROW / 2
    whisker = ""
    if b.low is not None:
        lo = x + b.low * scale
        hi = x + area if b.high is None else x + min(b.high * scale, area)
        open_end = b.high is None or b.high * scale > area
        whisker = (
            f'<line x1="{lo:.1f}" y1="{mid:.1f}" x2="{hi:.1f}" y2="{mid:.1f}" class="w"/>'
            f'<line x1="{lo:.1f}" y1="{mid - 5:.1f}" x2="{lo:.1f}" y2="{mid + 5:.1f}" class="w"/>'
            + (
                f'<path d="M{hi - 6:.1f},{mid - 4:.1f} L{hi:.1f},{mid:.1f} '
                f'L{hi - 6:.1f},{mid + 4:.1f}" class="w" fill="none"/>'
                if open_end
                else f'<line x1="{hi:.1f}" y1="{mid - 5:.1f}" x2="{hi:.1f}" '
                f'y2="{mid + 5:.1f}" class="w"/>'
            )
        )
    tip = f"{b.key}: {b.option}, {b.value_text}/month ({b.range_text})"
    if b.saving_text:
        tip += f"; {b.saving_text}"
    return (
        f"<g><title>{escape(tip)}</title>"
        f'<text x="{LABEL - 8}" y="{y + 16}" text-anchor="end" class="label">'
        f"{escape(b.label)}</text>"
        f'<rect x="{x}" y="{y + 5}" width="{length:.1f}" height="{ROW - 10}" '
        f'fill="{_color(b)}"{dash}/>{whisker}'
        f'<text x="{x + area + 8:.1f}" y="{y + 16}" class="value">'
        f"{escape(b.value_text)}</text></g>"
    )


def bar_chart(spec: ChartSpec) -> str:
    """'' when nothing is priced."""
    if not spec.bars:
        return ""
    top = max(b.value for b in spec.bars)
    ends = [b.high for b in spec.bars if b.high is not None]
    reach = min(max([top, *ends]), top * STRETCH) if top > 0 else 1.0
    area = WIDTH - LABEL - VALUE
    scale = area / reach if reach > 0 else 0.0
    parts: list[str] = []
    y = 0.0
    for app in sorted({b.app for b in spec.bars}):
        parts.append(f'<text x="4" y="{y + 18}" class="app">{escape(app)}</text>')
        y += HEAD
        for b in (b for b in spec.bars if b.app == app):
            parts.append(_bar(y, b, scale, area))
            y += ROW
    legend_y = y + 10
    keys = (
        ("cheapest", "cheapest"),
        ("tied", "tied with it"),
        ("baseline", "baseline"),
        ("other", "other"),
        ("not ranked", "not ranked"),
    )
    legend = [
        f'<rect x="{4 + i * 150}" y="{legend_y}" width="12" height="12" fill="{COLORS[k]}"/>'
        f'<text x="{4 + i * 150 + 18}" y="{legend_y + 11}" class="value">{text}</text>'
        for i, (k, text) in enumerate(keys)
    ]
    height = legend_y + 24
    return (
        f'<svg role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" aria-label="{escape(spec.title)}">'
        "<style>.label,.value{font:12px sans-serif;fill:#1a202c}"
        ".app{font:bold 13px sans-serif;fill:#1a202c}.w{stroke:#1a202c;stroke-width:1.2}"
        "</style>" + "".join(parts) + "".join(legend) + "</svg>"
    )
