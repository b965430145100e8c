"""The words around the numbers, written once for every output: savings, headlines, tie
groups, configurations not ranked, the arrival process, and changes between two reports."""

from __future__ import annotations

from decimal import Decimal

from estimator.display.text import count_range, usd, usd_range
from estimator.estimate import (
    ConfigEstimate,
    EstimateReport,
    Headline,
    Saving,
    SettingAlternative,
)

NO_DIFFERENCE = "no measurable difference"
ARRIVALS = {"poisson": "Poisson (random, exponential gaps)", "even": "even spacing"}


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{abs(value):.1f}%"


def saving_phrase(saving: Saving | None, *, is_baseline: bool = False) -> str:
    """The saving vs the baseline in words (see docs/model.md, "Intervals and ties"):
    'saves $L–$H/month (p–q%)', 'costs $L–$H/month more', 'no measurable difference' when
    the tie rule cannot tell the two apart or an interval is not known, 'saves at most …'
    against a baseline whose capacity is a lower bound, 'saves at least …' when this
    configuration's own capacity is one (its cost is at most its figure)."""
    if is_baseline:
        return "baseline"
    if saving is None:
        return "no saving computed (the baseline is not priced or not ranked)"
    low, high = saving.usd_low, saving.usd_high
    if not saving.known:
        return f"{NO_DIFFERENCE} (one measurement: no interval)"
    if saving.baseline_lower_bound:
        if high is None:
            return f"{NO_DIFFERENCE} (the baseline's capacity is a lower bound)"
        if high <= 0:
            return f"costs at least {usd(-high)}/month more"
        return f"saves at most {usd(high)}/month ({_pct(saving.pct_high)})"
    if not saving.distinguishable:
        return NO_DIFFERENCE
    if low is not None and low > 0:
        if high is None or saving.lower_bound:
            return f"saves at least {usd(low)}/month ({_pct(saving.pct_low)})"
        if usd(low) == usd(high):
            return f"saves {usd(low)}/month at both ends ({_pct(saving.pct_low)})"
        return (
            f"saves {usd(low)}–{usd(high)}/month ({_pct(saving.pct_low)}–{_pct(saving.pct_high)})"
        )
    if high is not None and high < 0:
        if low is None:
            return f"costs at least {usd(-high)}/month more ({_pct(saving.pct_high)})"
        if usd(low) == usd(high):
            return f"costs {usd(-high)}/month more at both ends ({_pct(saving.pct_high)})"
        return (
            f"costs {usd(-high)}–{usd(-low)}/month more "
            f"({_pct(saving.pct_high)}–{_pct(saving.pct_low)})"
        )
    return NO_DIFFERENCE


def not_ranked_phrase(reason: str) -> str:
    return f"not warmed up — not ranked: {reason}"


def _settings(settings: list[str]) -> str:
    """'with --reuse-port', 'without --reuse-port and with --keep-alive 0'."""
    return " and ".join(
        f"without {x.removeprefix('no ')}" if x.startswith("no ") else f"with {x}" for x in settings
    )


def _fleet(count: int, instance_type: str) -> str:
    return f"{count} × {instance_type}"


def setting_phrase(alt: SettingAlternative) -> str:
    """A cheaper twin measured with other connection settings: 'with --reuse-port this
    configuration needs 2 × m7i.large instead of 5 × m7i.large ($X instead of $Y/month; both
    measured)'; 'no measurable difference' when the tie rule cannot tell them apart."""
    both = f"both measured: {short(alt.key)}"
    if not alt.distinguishable:
        return (
            f"{_settings(alt.settings)}: {NO_DIFFERENCE} ({usd(alt.monthly_usd)} vs "
            f"{usd(alt.this_monthly_usd)}/month; {both})"
        )
    if alt.instance_type == alt.this_instance_type:
        needs = (
            f"needs {alt.peak_instances} {alt.instance_type} instance(s) instead of "
            f"{alt.this_peak_instances}"
        )
    else:
        needs = (
            f"needs {_fleet(alt.peak_instances, alt.instance_type)} instead of "
            f"{_fleet(alt.this_peak_instances, alt.this_instance_type)}"
        )
    return (
        f"{_settings(alt.settings)} this configuration {needs} ({usd(alt.monthly_usd)} instead "
        f"of {usd(alt.this_monthly_usd)}/month; {both})"
    )


def setting_lines(report: EstimateReport) -> list[str]:
    """Every configuration that a measured connection setting would make cheaper."""
    return [
        f"{c.key}: {setting_phrase(a)}"
        for c in report.configurations
        for a in c.setting_alternatives[:1]
    ]


def workers_phrase(c: ConfigEstimate) -> str:
    """'' unless the measured workers were unevenly used: 'workers unevenly used (3.1 of 9
    busy): capacity counts the busy ones'."""
    if not c.workers_uneven or c.busy_workers is None:
        return ""
    return (
        f"workers unevenly used ({c.busy_workers.mean:.1f} of {c.workers} busy): the capacity "
        "counts the busy ones"
    )


def short(key: str) -> str:
    """'cpython-3.13 | gunicorn-sync w1' for 'flask | cpython-3.13 | gunicorn-sync w1'."""
    return key.split(" | ", 1)[1] if " | " in key else key


def headline_text(h: Headline, report: EstimateReport) -> str:
    r = report.request
    counts = count_range(
        h.peak_instances,
        h.peak_instances_low,
        h.peak_instances_high,
        known=h.monthly_usd_low is not None,
    )
    bound = "at most " if h.lower_bound else ""
    ends = "" if counts == "unknown" else f"{counts} at the ends of the interval; "
    text = (
        f"{h.app}: cheapest is {h.key} on {h.peak_instances} × {h.instance_type} "
        f"({ends}{r.region}, {r.purchase}), "
        f"{bound}{usd(h.monthly_usd)}/month {r.fleet} "
        f"({usd_range(h.monthly_usd_low, h.monthly_usd_high, lower_bound=h.lower_bound)}; "
        f"{usd(h.usd_per_million_requests)} per million requests)"
    )
    if h.saving is not None and h.saving.baseline_key != h.key:
        text += f"; {saving_phrase(h.saving)} vs the baseline {h.saving.baseline_key}"
    elif h.saving is not None:
        text += "; this is the baseline"
    else:
        text += f"; {saving_phrase(None)}"
    if h.tied_with:
        text += f"; tied within noise with {len(h.tied_with)} other(s): " + "; ".join(
            short(k) for k in h.tied_with
        )
    return text


def tie_rule_line(report: EstimateReport) -> str:
    """Which rule made the tie groups, with its numbers per app."""
    if not report.ties:
        return "tie rule: nothing ranked"
    levels = "; ".join(
        f"{t.app}: k = {t.configurations}, {t.confidence * 100:.4g}% each" for t in report.ties
    )
    family = report.ties[0].family_confidence
    return (
        "tie rule: configurations whose $/month intervals overlap (directly or through "
        "others) are tied within noise; each interval at its inputs' CIs widened for "
        f"simultaneous {family:.0%} confidence over the app's k ranked configurations "
        f"(Bonferroni; {levels}); an interval not known (one measurement) overlaps every other"
    )


def tie_lines(report: EstimateReport) -> list[str]:
    """One line per tie group of two or more configurations."""
    out = []
    for t in report.ties:
        for g in t.groups:
            if len(g.members) < 2:
                continue
            names = "; ".join(short(m.key) for m in g.members)
            out.append(
                f"{t.app}: tied within noise (group {g.group}, {len(g.members)} "
                f"configurations): {names}"
            )
    return out


def tie_cell(c: ConfigEstimate, report: EstimateReport) -> str:
    """'1' alone in its group, '1 (tied: 3)' with others; '' when not ranked."""
    if c.tie_group is None:
        return ""
    size = next(
        (
            len(g.members)
            for t in report.ties
            if t.app == c.app
            for g in t.groups
            if g.group == c.tie_group
        ),
        1,
    )
    return str(c.tie_group) if size < 2 else f"{c.tie_group} (tied: {size})"


def arrivals_line(report: EstimateReport) -> str:
    """'arrivals: Poisson (…)'; '' when the measurements did not record it."""
    if not report.arrivals:
        return ""
    names = ", ".join(ARRIVALS.get(a, a) for a in report.arrivals)
    mixed = " (mixed: configurations measured differently)" if len(report.arrivals) > 1 else ""
    return f"arrivals: {names}{mixed}"


def change_phrase(
    change: Decimal | None,
    low: Decimal | None,
    high: Decimal | None,
    *,
    known: bool,
    base_lower_bound: bool = False,
    head_lower_bound: bool = False,
) -> str:
    """A cost change between two reports (HEAD − BASE), interval = HEAD's low − BASE's high
    to HEAD's high − BASE's low: '+$L–$H', '-$L–$H', 'no measurable difference' when it spans
    0 or is not known; 'at most' when HEAD's capacity is a lower bound (its cost is at most
    its figure), 'at least' when BASE's is."""
    if change is None:
        return ""
    if not known:
        return f"{NO_DIFFERENCE} (one measurement: no interval)"
    if base_lower_bound and head_lower_bound:
        return f"{NO_DIFFERENCE} (both capacities are lower bounds)"
    if head_lower_bound:
        return NO_DIFFERENCE if high is None else f"at most {_signed(high)}"
    if base_lower_bound:
        return NO_DIFFERENCE if low is None else f"at least {_signed(low)}"
    if low is not None and low > 0:
        return f"+{usd(low)}–{usd(high)}" if high is not None else f"at least +{usd(low)}"
    if high is not None and high < 0:
        return f"-{usd(-high)}–{usd(-low)}" if low is not None else f"at least -{usd(-high)}"
    return NO_DIFFERENCE


def _signed(value: Decimal) -> str:
    return f"+{usd(value)}" if value >= 0 else f"-{usd(-value)}"
