"""`estimator dashboard`: open the Streamlit dashboard on a results store."""

from __future__ import annotations

import argparse
import sys

from estimator import procs
from estimator.cli._common import add_results_arg, results_path
from estimator.views.launcher import DEFAULT_HOST, LOOPBACK, DashboardError, serving

ORDER = 80


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "dashboard",
        help="compare configurations, ask what-if and export reports in a browser (Streamlit)",
        description="Serve the dashboard on this machine and print its URL; Ctrl-C stops it.",
    )
    add_results_arg(p)
    p.add_argument(
        "--port", type=int, metavar="N", help="TCP port (default: 8501, or a free one if taken)"
    )
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to bind (default {DEFAULT_HOST}: this machine only)",
    )
    p.set_defaults(handler=cmd_dashboard)


def cmd_dashboard(args: argparse.Namespace) -> int:
    if args.host not in LOOPBACK:
        print(
            f"estimator: warning: --host {args.host} exposes the dashboard (and your results) "
            "to the network; it has no authentication",
            file=sys.stderr,
        )
    try:
        with serving(results_path(args), host=args.host, port=args.port) as served:
            print(f"estimator dashboard: {served.url}", flush=True)
            print(f"  results: {served.results}", flush=True)
            print(f"  server log: {served.log}; Ctrl-C stops it", flush=True)
            code = served.proc.wait()
            raise DashboardError(
                f"the dashboard server stopped on its own ({procs.describe_exit(code)}); "
                f"see {served.log}"
            )
    except KeyboardInterrupt:
        print("estimator dashboard: stopped", file=sys.stderr)
        return 0
