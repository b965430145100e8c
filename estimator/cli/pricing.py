"""`estimator pricing list|refresh`: show the price catalog, fetch live prices."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console, JustifyMethod
from rich.table import Table

from estimator.cli._common import console
from estimator.escape import rich_text
from estimator.money import cents
from estimator.pricing import MissingPrices, PriceListing, load_catalog, price_listing
from estimator.pricing.missing import compact_types

ORDER = 60


def _console() -> Console:
    return console()


def _exact(price: Decimal) -> str:
    return f"{price.normalize():f}"


def _money(value: Decimal) -> str:
    return f"{cents(value):,}"


def add_override_args(parser: argparse.ArgumentParser) -> None:
    """`--discount` and `--prices`: the overrides every pricing-aware command accepts."""
    parser.add_argument(
        "--discount",
        metavar="PCT",
        help="negotiated discount in percent, applied to every list price (e.g. 12)",
    )
    parser.add_argument(
        "--prices",
        type=Path,
        metavar="FILE",
        help="custom price CSV: instance_type,region,usd_per_hour[,purchase]; used as given",
    )
    parser.add_argument(
        "--no-user-catalog",
        action="store_true",
        help="ignore prices fetched by `estimator pricing refresh`; use the embedded snapshot",
    )


def _render(listing: PriceListing) -> None:
    console = _console()
    table = Table(
        title=f"EC2 {listing.purchase} prices ({listing.currency})",
        caption=f"$/month = $/hour x {listing.hours_per_month} h",
        header_style="bold",
    )
    columns: list[tuple[str, JustifyMethod]] = [
        ("type", "left"),
        ("region", "left"),
        ("arch", "left"),
        ("vendor", "left"),
        ("vCPU", "right"),
        ("cores", "right"),
        ("GiB", "right"),
        ("$/hour", "right"),
        ("$/month", "right"),
        ("$/vCPU-month", "right"),
        ("$/GiB-month", "right"),
    ]
    for col, justify in columns:
        table.add_column(col, justify=justify)
    for row in listing.rows:
        it = row.instance
        name = f"{it.name}*" if it.burstable else it.name
        hourly = _exact(it.usd_per_hour)
        if it.list_usd_per_hour is not None:
            hourly += f" (list {_exact(it.list_usd_per_hour)})"
        table.add_row(
            rich_text(name),
            rich_text(it.region),
            it.arch,
            it.cpu_vendor,
            str(it.vcpu),
            str(it.physical_cores),
            _exact(it.memory_gib),
            hourly,
            _money(row.usd_per_month),
            _money(row.usd_per_vcpu_month),
            _money(row.usd_per_gib_month),
        )
    if listing.rows:
        console.print(table)
    else:
        shown = ", ".join(f"{k}={v}" for k, v in listing.filters.items())
        console.print(f"No priced instance type matches ({shown}).", markup=False, highlight=False)
    out = [f"Prices: {listing.source}"]
    out += [f"  {line}" for line in listing.price_sources]
    if any(r.instance.burstable for r in listing.rows):
        out.append("* burstable (T family): base price only, CPU credits not included")
    if listing.missing:
        out.append("Missing: " + MissingPrices.of(listing.missing).summary())
    out += [f"Note: {note}" for note in listing.notes]
    for line in out:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def _list(args: argparse.Namespace) -> int:
    catalog = load_catalog(
        discount_pct=args.discount,
        custom_prices=args.prices,
        user_catalog=not args.no_user_catalog,
    )
    listing = price_listing(
        catalog,
        region=args.region,
        families=[f.strip() for v in args.family or [] for f in v.split(",") if f.strip()],
        arch=args.arch,
        max_price=args.max_price,
        purchase=args.purchase,
        sort=args.sort,
    )
    if args.json:
        print(listing.model_dump_json(indent=2))
    else:
        _render(listing)
    return 0


@contextlib.contextmanager
def _page_progress(region: str) -> Iterator[Callable[[str], None]]:
    """Paging through AWS takes a while: on a terminal, a spinner with the latest page; else
    one line per page on stderr (stdout keeps the result alone)."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield lambda message: print(f"{region}: {message}", file=sys.stderr, flush=True)
        return
    with err.status(f"fetching {region} prices from AWS") as status:
        yield lambda message: status.update(f"fetching {region} prices from AWS: {message}")


def _refresh(args: argparse.Namespace) -> int:
    from estimator.pricing.refresh import refresh  # boto3 is slow to import: only here

    with _page_progress(args.region) as progress:
        result = refresh(
            args.region, spot=args.spot, all_families=args.all_families, progress=progress
        )
    print(f"Fetched {args.region} prices at {result.fetched_at:%Y-%m-%d %H:%M} UTC:")
    for path, rows in result.written.items():
        print(f"  {rows} prices -> {path}")
    for purchase, names in result.unpriced.items():
        if names:
            print(f"  no {purchase} price from AWS for {len(names)}: {compact_types(names)}")
    for reason in result.skipped:
        print(f"  left out {reason}")
    print(
        "These prices are used from now on where they are newer than the embedded snapshot "
        "(`estimator pricing list --region "
        f"{args.region}` shows them; `--no-user-catalog` ignores them)."
    )
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pricing",
        help="show the price catalog or refresh it from AWS",
        description="The AWS price catalog: an embedded, dated snapshot; live refresh via "
        "boto3; a negotiated discount and custom prices as visible overrides.",
    )
    sub = parser.add_subparsers(title="pricing commands", metavar="COMMAND")
    parser.set_defaults(handler=lambda _args: parser.print_help() or 2)

    lst = sub.add_parser(
        "list",
        help="the catalog as a table ($/hour, $/month, $/vCPU-month, $/GiB-month)",
        description="List EC2 prices with their snapshot date and source; prices the "
        "catalog lacks are listed as missing, never as zero.",
    )
    lst.add_argument("--region", help="e.g. eu-west-1 (default: every region)")
    lst.add_argument(
        "--family",
        action="append",
        help="e.g. c7g; repeat or comma-separate for several (default: all)",
    )
    lst.add_argument("--arch", help="x86_64 or arm64 (aliases: amd64, aarch64, graviton)")
    lst.add_argument("--max-price", metavar="USD", help="at most this many dollars per hour")
    lst.add_argument("--purchase", default="on-demand", help="on-demand (default) or spot")
    lst.add_argument(
        "--sort",
        default="name",
        choices=["name", "price", "vcpu-price", "memory-price"],
        help="row order (default: region, family, size)",
    )
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    add_override_args(lst)
    lst.set_defaults(handler=_list)

    ref = sub.add_parser(
        "refresh",
        help="fetch live prices from AWS into the user catalog",
        description="Fetch on-demand (and with --spot, spot) Linux prices for a region via "
        "the AWS Pricing and EC2 APIs (needs AWS credentials and network). Without them the "
        "embedded snapshot stays in use.",
    )
    ref.add_argument("--region", required=True, help="e.g. eu-west-1")
    ref.add_argument(
        "--spot",
        action="store_true",
        help="also fetch spot prices (mean of the latest price over the region's zones)",
    )
    ref.add_argument(
        "--all-families",
        action="store_true",
        help="every instance family, not only the snapshot's",
    )
    ref.set_defaults(handler=_refresh)
