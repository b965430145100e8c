"""`estimator init | preflight`: describe your own app, and check it before measuring it."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from pathlib import Path

from rich.console import Console

from estimator.cli._common import console, seconds
from estimator.errors import ConfigError
from estimator.escape import rich_text as escape
from estimator.interpreters import discover, plan_variants
from estimator.onboard import PreflightResult, first_cells, preflight
from estimator.onboard.describe import InitRequest, InitResult, init_app
from estimator.onboard.preflight_check import READY_TIMEOUT_S
from estimator.onboard.questions import ask_missing
from estimator.scenario import Interface, ServerConfig
from estimator.scenario.loader import load_scenario

ORDER = 15
_SERVER = re.compile(r"^(?P<kind>[a-z-]+)(?::(?P<workers>\d+)(?:x(?P<threads>\d+))?)?$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "init",
        help="describe your own app: write a scenario file and a starter locustfile",
        description="Write a commented scenario for your WSGI/ASGI app. The app is installed "
        "into its own environment and imported there (never into estimator's) to tell WSGI "
        "from ASGI and find a health path. Asks for what the flags leave open when run in "
        "a terminal; --no-input never asks.",
    )
    p.add_argument("--project", type=Path, metavar="DIR", help="the app's directory (default .)")
    p.add_argument("--app", dest="entry", metavar="MODULE:APP", help="e.g. shop.wsgi:app")
    p.add_argument("--interface", choices=["wsgi", "asgi"], help="default: detected")
    p.add_argument("--name", help="the app's name in results (default: the directory's)")
    p.add_argument(
        "--requirements",
        type=Path,
        action="append",
        metavar="FILE",
        help="requirements file or pyproject.toml (repeatable; default: guessed)",
    )
    p.add_argument("--package", action="append", default=[], metavar="SPEC", help="extra pin")
    p.add_argument("--django-settings", metavar="MODULE", help="sets DJANGO_SETTINGS_MODULE")
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument(
        "--setup",
        action="append",
        default=[],
        metavar="COMMAND",
        help="run once per environment, e.g. 'python manage.py migrate' (repeatable)",
    )
    p.add_argument(
        "--health",
        metavar="PATH",
        help="default: the first of /healthz, /health, / answering 2xx (redirects followed)",
    )
    load = p.add_mutually_exclusive_group()
    load.add_argument("--locustfile", type=Path, metavar="FILE", help="your own load test")
    load.add_argument(
        "--paths",
        metavar="/,/api/items:3",
        help="GET these, with an optional weight after a colon (default: the app's routes)",
    )
    load.add_argument(
        "--openapi",
        nargs="?",
        const="",
        metavar="PATH",
        help="generate from the app's OpenAPI document (FastAPI's is found by itself; "
        "default path /openapi.json)",
    )
    p.add_argument("--variants", default="all", help="comma-separated (default: all)")
    p.add_argument(
        "--server",
        action="append",
        metavar="KIND[:WORKERS[xTHREADS]]",
        help="e.g. gunicorn-sync:2, gunicorn-gthread:1x4, uvicorn:2 (repeatable)",
    )
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="default: scenario.toml")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--no-input", action="store_true", help="never ask questions")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser(
        "preflight",
        help="check every app × interpreter variant of a scenario in seconds, before `run`",
        description="Per app and variant: the environment installs, the app imports, the "
        "server starts and answers the health path, the locustfile loads and its first "
        "requests succeed. Exit code 1 if any check fails.",
    )
    p.add_argument("scenario", help="a scenario .toml file or a shipped scenario name")
    p.add_argument("--variants", help="comma-separated; default: the scenario's")
    p.add_argument(
        "--ready-timeout",
        type=seconds,
        default=READY_TIMEOUT_S,
        metavar="S",
        help=f"how long a server may take to answer (default {READY_TIMEOUT_S:g})",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_preflight)


def _server(text: str) -> ServerConfig:
    m = _SERVER.match(text.strip())
    if m is None:
        raise ConfigError(
            f"--server {text!r}: use KIND[:WORKERS[xTHREADS]], e.g. gunicorn-sync:2 or "
            "gunicorn-gthread:1x4"
        )
    threads = int(m["threads"]) if m["threads"] else None
    return ServerConfig.model_validate(
        {"kind": m["kind"], "workers": int(m["workers"] or 1), "threads": threads}
    )


def _env(pairs: list[str], django: str | None) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--env {pair!r}: use KEY=VALUE, e.g. --env DEBUG=0")
        env[key] = value
    if django:
        env["DJANGO_SETTINGS_MODULE"] = django
    return env


def _argv(command: str) -> list[str]:
    """A --setup command split like a shell would (no shell runs it)."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(
            f"--setup {command!r}: {exc} (a quote is not closed); quote the whole command once, "
            'e.g. --setup "python manage.py migrate"'
        ) from None
    if not argv:
        raise ConfigError("--setup '': give a command, e.g. --setup 'python manage.py migrate'")
    return argv


def _list(text: str | None) -> list[str] | None:
    return None if text is None else [p.strip() for p in text.split(",") if p.strip()]


def _request(args: argparse.Namespace) -> InitRequest:
    return InitRequest(
        project=args.project,
        entry=args.entry,
        interface=args.interface,
        name=args.name,
        requirements=args.requirements,
        packages=args.package,
        env=_env(args.env, args.django_settings),
        setup=[_argv(cmd) for cmd in args.setup],
        health_path=args.health,
        locustfile=args.locustfile,
        paths=_list(args.paths),
        openapi=args.openapi is not None,
        openapi_url=args.openapi or None,
        variants=_list(args.variants) or ["all"],
        servers=[_server(s) for s in args.server] if args.server else None,
        output=args.output,
        force=args.force,
    )


def _ask(question: str, default: str) -> str:
    try:
        answer = input(f"{question} [{default}]: ").strip()
    except EOFError:
        answer = ""
    return answer or default


def cmd_init(args: argparse.Namespace) -> int:
    out = console()
    request = _request(args)
    if sys.stdin is not None and sys.stdin.isatty() and not args.no_input:
        request = ask_missing(request, _ask)
    result = init_app(request, progress=lambda msg: out.print(f"[dim]… {escape(msg)}[/]"))
    _print_init(result, out)
    return 0


def _print_init(result: InitResult, out: Console) -> None:
    app = result.scenario.apps[0]
    probe = result.probe
    iface: Interface = "wsgi" if app.wsgi else "asgi"
    out.print(
        f"[green]✓[/] {escape(app.entry_for(iface))} imports with {result.probe_variant}: "
        f"{escape(probe.reason or 'interface given')} → {iface.upper()}"
    )
    health = result.health
    if health.check is not None:
        mark = "[green]✓[/]" if health.check.ok else "[yellow]![/]"
        out.print(f"{mark} {escape(health.how)}")
    if result.starter is not None:
        s = result.starter
        todo = f"; {len(s.todo)} TODO (not sent until completed)" if s.todo else ""
        skipped = f"; {len(s.skipped)} not generated (listed in it)" if s.skipped else ""
        out.print(
            f"wrote {escape(result.locustfile_path)}: {s.summary()} "
            f"{escape(s.source)}{todo}{skipped}"
        )
        for t in s.tasks:
            weight = f"weight {t.weight}" if t.sent else "TODO"
            out.print(f"    [dim]{t.method} {escape(t.path)} ({weight})[/]")
    else:
        out.print(f"using locustfile {escape(result.locustfile_path)}")
    servers = escape(", ".join(s.label for s in result.scenario.servers))
    out.print(
        f"wrote {escape(result.scenario_path)} "
        f"(variants: {escape(', '.join(result.scenario.variants))}; "
        f"servers: {servers})"
    )
    for note in result.notes:
        out.print(f"[yellow]note:[/] {escape(note)}")
    name = result.scenario_path.name
    out.print(
        "next: edit both files as you like, then\n"
        f"  estimator preflight {name}\n"
        f"  estimator run {name}\n"
        "  estimator estimate --peak-rps N --region us-east-1\n"
        "  estimator report --peak-rps N --region us-east-1 --format html -o report.html"
    )


def print_preflight(result: PreflightResult, out: Console) -> None:
    """One line per preflight; a failure's log lines indented below it."""
    if result.ok:
        out.print(f"[green]✓[/] preflight {escape(result.label)} [{result.seconds:.0f} s]")
        out.print(f"    [dim]{escape('; '.join(result.checks))}[/]")
        return
    out.print(f"[red]✗[/] preflight {escape(result.message or result.label)}")
    if result.tasks:
        mix = "; ".join(t.describe() for t in result.tasks)
        out.print(f"    [dim]requests by task: {escape(mix)}[/]")
    for line in result.log_tail[-8:]:
        out.print(f"    [dim]| {escape(line)}[/]")


def cmd_preflight(args: argparse.Namespace) -> int:
    out = console()
    scenario = load_scenario(args.scenario)
    names = _list(args.variants) or scenario.variants
    plan = plan_variants(names, discover())
    results: list[PreflightResult] = []
    if not args.json:
        for m in plan.missing:
            out.print(f"[red]✗[/] {m.name}: {escape(m.message)}")
    resolved = {v.name: v for v in plan.resolved}
    for cell in first_cells(scenario, list(resolved)):
        result = preflight(cell, resolved[cell.variant], ready_timeout=args.ready_timeout)
        results.append(result)
        if not args.json:
            print_preflight(result, out)
    if args.json:
        missing = [m.model_dump(mode="json") for m in plan.missing]
        dump = {"results": [r.model_dump(mode="json") for r in results], "missing": missing}
        print(json.dumps(dump, indent=2))
    passed = sum(r.ok for r in results)
    failed = len(results) - passed + len(plan.missing)
    if not args.json:
        out.print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
