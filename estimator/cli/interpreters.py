"""`estimator interpreters`: list what is installed, resolve variants, install builds."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.table import Table

from estimator.cli._common import console
from estimator.errors import InterpreterError
from estimator.escape import rich_text
from estimator.interpreters import plan_variants, runnable_variants, scan
from estimator.interpreters.install import (
    InstallOptions,
    execute,
    parse_install_spec,
    plan_install,
)
from estimator.interpreters.install.host import gather
from estimator.interpreters.install.pyenv import bootstrap_dir, bootstrap_python_build

ORDER = 20


def _yes(flag: bool) -> str:
    return "yes" if flag else "-"


def _list(args: argparse.Namespace) -> int:
    found = scan(args.python or ())
    rows = [(i, runnable_variants(i, found.interpreters)) for i in found.interpreters]
    if args.json:
        out: dict[str, Any] = {
            "interpreters": [
                {**i.model_dump(mode="json"), "variants": v, "optimized": i.facts.optimized}
                for i, v in rows
            ],
            "skipped": [s.model_dump(mode="json") for s in found.skipped],
            "notes": found.notes,
        }
        print(json.dumps(out, indent=2))
        return 0
    table = Table(title="Interpreters on this machine", title_justify="left")
    for col in ("impl", "version", "path", "sources", "free-threaded", "JIT", "debug", "PGO/LTO"):
        table.add_column(col)
    table.add_column("variants it runs")
    for i, variants in rows:
        f = i.facts
        jit = "-"
        if f.jit_available:
            jit = "on" if f.jit_enabled_default else "built in, off"
        cells = (
            f.implementation,
            f.version + (f" (PyPy {f.pypy_version})" if f.pypy_version else ""),
            str(i.path),
            ", ".join(i.sources),
            _yes(f.free_threaded_build),
            jit,
            _yes(f.debug_build),
            f"{_yes(f.pgo)}/{_yes(f.lto)}",
            ", ".join(variants) or "-",
        )
        table.add_row(*map(rich_text, cells))
    # a pipe or a file gets whole lines (paths are long); a terminal gets its width
    console(width=400).print(table)
    for s in found.skipped:
        print(f"skipped {s.path}: {s.reason}")
    for note in found.notes:
        print(f"note: {note}")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    found = scan(args.python or ())
    plan = plan_variants(args.variants, found.interpreters)
    for rv in plan.resolved:
        env = " ".join(f"{k}={v}" for k, v in sorted(rv.env.items())) or "(no variables)"
        extra = f"  +packages: {', '.join(rv.extra_packages)}" if rv.extra_packages else ""
        print(f"{rv.name}: {rv.interpreter.path} ({rv.interpreter.facts.label})  {env}{extra}")
        for note in rv.notes:
            print(f"  note: {note}")
    for m in plan.missing:
        print(f"estimator: error: {m.message}", file=sys.stderr)
    return 1 if plan.missing else 0


def _install(args: argparse.Namespace) -> int:
    options = InstallOptions(
        via=args.via,
        tarball=args.tarball,
        sha256=args.sha256,
        source=args.source,
        force=args.force,
    )
    specs = [parse_install_spec(s, optimized=args.optimized) for s in args.specs]
    if args.tarball is not None and len(specs) > 1:
        raise InterpreterError("--tarball applies to one version; install one SPEC at a time")
    if args.tarball is not None and not args.tarball.is_file():
        raise InterpreterError(f"--tarball {args.tarball}: no such file; give the .tar.xz path")
    host = gather()
    if host.python_build is None and options.via != "uv" and not args.dry_run:
        print(f"python-build not found: fetching it into {bootstrap_dir()}")
        bootstrap_python_build(lambda msg: print(f"  {msg}", flush=True))
        host = gather()
    plans = [plan_install(spec, options, host) for spec in specs]
    for plan in plans:
        print(f"{plan.spec.text}:")
        for step in plan.describe():
            print(f"  {step}")
        for note in plan.notes:
            print(f"  note: {note}")
    if args.dry_run:
        return 0
    failed = 0
    for plan in plans:

        def progress(msg: str, label: str = plan.spec.text) -> None:
            print(f"[{label}] {msg}", flush=True)

        try:
            result = execute(
                plan,
                python_build=host.python_build,
                regen_python=host.regen_python,
                progress=progress,
            )
        except InterpreterError as exc:
            print(f"estimator: error: {plan.spec.text}: {exc.message}", file=sys.stderr)
            failed += 1
            continue
        f = result.facts
        jit = "JIT built in" if f.jit_available else "no JIT"
        opt = "PGO+LTO" if f.optimized else "not PGO/LTO"
        print(
            f"[{result.spec}] {result.method}: {result.executable} - {f.label}, {jit}, {opt}"
            + (f" ({result.seconds:.0f} s)" if result.seconds else "")
        )
        for note in result.notes:
            print(f"[{result.spec}]   {note}")
    return 1 if failed else 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "interpreters",
        help="list interpreters and the variants they run; install new builds",
        description="List every interpreter found (PATH, pyenv, uv, --python paths) with the "
        "build facts it reports, and the variants it can run.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--python", action="append", type=Path, metavar="PATH", help="also consider this one"
    )
    p.set_defaults(handler=_list)
    sub = p.add_subparsers(title="subcommands", metavar="SUBCOMMAND")

    r = sub.add_parser(
        "resolve",
        help="show which interpreter and environment variables each variant gets",
    )
    r.add_argument("variants", nargs="+", metavar="VARIANT", help="e.g. all, cpython-3.14+jit")
    r.add_argument("--python", action="append", type=Path, metavar="PATH")
    r.set_defaults(handler=_resolve)

    i = sub.add_parser(
        "install",
        help="install CPython builds: 3.14, 3.14t, 3.14+jit, 3.13t (uv or a source build)",
        description="Install CPython variants where discovery finds them "
        "($PYENV_ROOT/versions). Uses 'uv python install' where uv can download; otherwise "
        "builds the upstream tarball with pyenv's python-build (from --tarball, pyenv's "
        "cache, or Debian's source package), checking its sha256. Never rebuilds what exists.",
    )
    i.add_argument("specs", nargs="+", metavar="SPEC", help="3.14, 3.14t, 3.14+jit, 3.13.15t")
    i.add_argument(
        "--optimized", action="store_true", help="PGO+LTO (--enable-optimizations --with-lto)"
    )
    i.add_argument("--tarball", type=Path, help="a local Python-X.Y.Z.tar.xz to build")
    i.add_argument("--sha256", help="expected sha256 of the tarball (releases pyenv lacks)")
    i.add_argument(
        "--via", choices=("auto", "uv", "build"), default="auto", help="uv download or build"
    )
    i.add_argument(
        "--source",
        choices=("auto", "debian", "python.org"),
        default="auto",
        help="where a source build gets its tarball (auto: Debian on Debian)",
    )
    i.add_argument("--force", action="store_true", help="rebuild even if it exists")
    i.add_argument("--dry-run", action="store_true", help="print the plan only")
    i.set_defaults(handler=_install)
