"""`estimator estimate | report | diff`: price the measured configurations, write a cost
report, compare two JSON reports. Thin: parse the options, call the stages, print."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from estimator.capacity import load_traffic
from estimator.cli._common import (
    add_results_arg,
    check_output,
    console,
    open_store,
    results_path,
    warn_unreadable,
    write_output,
)
from estimator.cli.pricing import add_override_args
from estimator.errors import ConfigError
from estimator.estimate import (
    DEFAULT_PROFILE,
    FLEET_MODES,
    PROFILES,
    EstimateError,
    EstimateReport,
    EstimateRequest,
    estimate,
    load_request_catalog,
    profile_traffic,
)
from estimator.pricing import normalize_arch, normalize_purchase
from estimator.pricing.catalog import parse_percent, parse_price
from estimator.pricing.overrides import parse_discount
from estimator.report import FORMATS, diff_reports, load_report, render
from estimator.report.terminal import print_diff, print_report
from estimator.store.summarize import summarize

ORDER = 70


def add_estimate_args(p: argparse.ArgumentParser) -> None:
    """The options `estimate` and `report` share."""
    add_results_arg(p)
    traffic = p.add_mutually_exclusive_group(required=True)
    traffic.add_argument(
        "--traffic",
        type=Path,
        metavar="FILE",
        help='24 hourly req/s of a typical day: JSON [..], {"hourly_rps": [..]} or '
        '{"peak_rps": N, "fractions": [..]}, or CSV (rps or hour,rps lines)',
    )
    traffic.add_argument("--peak-rps", type=float, metavar="N", help="the busiest hour's req/s")
    p.add_argument(
        "--profile",
        choices=list(PROFILES),
        help=f"shape of the day for --peak-rps (default {DEFAULT_PROFILE}; docs in "
        "estimator/estimate/profiles.py)",
    )
    p.add_argument("--region", required=True, help="AWS region, e.g. us-east-1")
    p.add_argument("--purchase", default="on-demand", help="on-demand (default) or spot")
    p.add_argument(
        "--fleet",
        choices=FLEET_MODES,
        default="autoscaled",
        help="which fleet's cost ranks (both are shown; default autoscaled)",
    )
    p.add_argument(
        "--include-burstable",
        action="store_true",
        help="consider t3/t3a/t4g too (planned at their CPU-credit baseline; surplus credits "
        "are not priced)",
    )
    p.add_argument("--arch", help="only x86_64 or arm64 (aliases: amd64, aarch64, graviton)")
    p.add_argument(
        "--family", action="append", help="only these families, e.g. m7g (repeat or comma-separate)"
    )
    p.add_argument("--max-price", metavar="USD", help="only types at most this $/hour")
    p.add_argument(
        "--baseline",
        action="append",
        metavar="SEL",
        help="baseline configuration by words of its key, e.g. 'flask 3.11 sync w1' (one per "
        "app; default: the oldest CPython with gunicorn sync workers, fewest workers)",
    )
    p.add_argument(
        "--assume",
        action="append",
        metavar="NAME=VALUE",
        help="override a capacity-model assumption, e.g. target_utilization=0.7 (docs/model.md)",
    )
    p.add_argument("--no-serverless", action="store_true", help="do not price Fargate and Lambda")
    p.add_argument(
        "--no-calibrated-speeds",
        action="store_true",
        help="ignore CPU speeds saved by `estimator calibrate` (published proxies instead)",
    )
    add_override_args(p)


def request_from_args(args: argparse.Namespace) -> EstimateRequest:
    if args.traffic is not None:
        if args.profile is not None:
            raise ConfigError(
                "--profile shapes --peak-rps; a --traffic file gives its own hourly rates: "
                "drop one of them"
            )
        traffic, profile = load_traffic(args.traffic), None
    else:
        profile = args.profile or DEFAULT_PROFILE
        traffic = profile_traffic(args.peak_rps, profile)
    families = [f.strip() for v in args.family or [] for f in v.split(",") if f.strip()]
    return EstimateRequest(
        traffic=traffic,
        profile=profile,
        region=args.region,
        purchase=normalize_purchase(args.purchase),
        fleet=args.fleet,
        arch=normalize_arch(args.arch) if args.arch else None,
        families=families,
        include_burstable=args.include_burstable,
        max_usd_per_hour=parse_price(args.max_price, "--max-price") if args.max_price else None,
        assume=args.assume or [],
        baseline=args.baseline or [],
        include_serverless=not args.no_serverless,
        calibrated_speeds=not args.no_calibrated_speeds,
        discount_pct=parse_discount(args.discount) if args.discount is not None else None,
        custom_prices=str(args.prices) if args.prices else None,
        user_catalog=not args.no_user_catalog,
    )


def generated_at() -> datetime:
    """Now, or `SOURCE_DATE_EPOCH` (reproducible reports)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise ConfigError(
                f"SOURCE_DATE_EPOCH = {epoch!r}: give whole seconds since 1970 (before year 9999)"
            ) from None
    return datetime.now(UTC)


def run_estimate(args: argparse.Namespace) -> EstimateReport:
    request = request_from_args(args)
    with open_store(args) as store:
        runs = store.results()
    path = results_path(args)
    warn_unreadable(store.unreadable, path)
    if not runs:
        raise EstimateError(
            f"no successful runs in {path}; measure first with `estimator run quick` (the "
            "sample apps) or `estimator run SCENARIO`, then estimate"
        )
    return estimate(
        summarize(runs),
        load_request_catalog(request),
        request,
        scenarios=[r.cell.scenario for r in runs],
        results=str(path),
        generated_at=generated_at(),
    )


def cmd_estimate(args: argparse.Namespace) -> int:
    report = run_estimate(args)
    if args.json:
        sys.stdout.write(render(report, "json"))
    else:
        print_report(report, console())
    return 0


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = args.output.suffix.lstrip(".").lower() if args.output else ""
    by_ext = {f.extension: f.name for f in FORMATS.values()} | {"markdown": "md", "htm": "html"}
    return by_ext.get(suffix, "md")


def cmd_report(args: argparse.Namespace) -> int:
    fmt = _format(args)
    if args.output is not None:
        check_output(args.output, results_path(args), force=args.force)
    text = render(run_estimate(args), fmt)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    write_output(args.output, text)
    print(f"wrote the {fmt} report to {args.output}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    threshold = None
    if args.fail_above is not None:
        threshold = parse_percent(args.fail_above, "--fail-above (%)")
    base, head = load_report(args.base), load_report(args.head)
    d = diff_reports(
        base, head, threshold_pct=threshold, base_name=str(args.base), head_name=str(args.head)
    )
    if args.json:
        print(d.model_dump_json(indent=2))
    else:
        print_diff(d, console())
    return 1 if d.failed else 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "estimate",
        help="price every measured configuration: cheapest instances, $/month, saving",
        description="For every measured configuration: the cheapest instance type and count "
        "meeting the SLO, $/month, $ per million requests, the binding limit, Fargate and "
        "Lambda from the same measurements, and the saving vs a baseline; ranked per app.",
    )
    add_estimate_args(p)
    p.add_argument("--json", action="store_true", help="the JSON report on stdout")
    p.set_defaults(handler=cmd_estimate)

    p = sub.add_parser(
        "report",
        help="write a cost report (csv, json, md, html) with every input and assumption",
        description="The estimate as a report. "
        + "; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()),
    )
    add_estimate_args(p)
    p.add_argument(
        "--format",
        choices=list(FORMATS),
        help="default: from -o's extension, else md",
    )
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: stdout")
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite -o even when it is an SQLite database (never the results store itself)",
    )
    p.set_defaults(handler=cmd_report)

    p = sub.add_parser(
        "diff",
        help="cost change per configuration between two JSON reports (for CI)",
        description="Compare two `estimator report --format json` files. Exit 1 when a "
        "configuration's cost rises by more than --fail-above percent (or BASE priced it and "
        "HEAD cannot), 0 otherwise, 2 when a file is unreadable or invalid.",
    )
    p.add_argument("base", type=Path, metavar="BASE.json")
    p.add_argument("head", type=Path, metavar="HEAD.json")
    p.add_argument("--fail-above", metavar="PCT", help="fail on an increase above PCT percent")
    p.add_argument("--json", action="store_true", help="the diff as JSON")
    p.set_defaults(handler=cmd_diff)
