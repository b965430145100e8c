"""`estimator calibrate`: score this machine (or one reached over ssh) on the fixed CPU
benchmark, per interpreter variant; `calibrate import` turns a target machine's scores into
its family's CPU speed for every later estimate; `calibrate show` lists what is on record."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from estimator.calibrate import (
    CalibrateError,
    Protocol,
    SshTarget,
    VariantScore,
    book_path,
    family_of,
    import_target,
    load_book,
    load_scores,
    local_workers,
    measure,
    record_host,
    remote_workers,
    save_book,
    scores_json,
    targets,
)
from estimator.calibrate.runner import Progress
from estimator.capacity.speeds import detect_host_cpu

ORDER = 65
DEFAULT_VARIANTS = "cpython-3.11,cpython-3.13"


def _variants(text: str) -> list[str]:
    names = [v.strip() for v in text.split(",") if v.strip()]
    if not names:
        raise CalibrateError("--variants is empty; give e.g. cpython-3.11,cpython-3.13")
    if len(set(names)) != len(names):
        raise CalibrateError(f"--variants {text}: a variant is named twice")
    return names


def _pythons(items: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise CalibrateError(
                f"--remote-python {item!r}: expected VARIANT=PATH, e.g. "
                "cpython-3.11=/usr/bin/python3.11"
            )
        out[name.strip()] = path.strip()
    return out


def _protocol(args: argparse.Namespace) -> Protocol:
    for name in ("value_seconds", "warmup_seconds", "target_ci", "max_seconds"):
        if not getattr(args, name) > 0:
            raise CalibrateError(f"--{name.replace('_', '-')} must be > 0")
    if args.min_values < 2:
        raise CalibrateError("--min-values must be at least 2 (a CI needs two values)")
    return Protocol(
        value_s=args.value_seconds,
        warmup_s=args.warmup_seconds,
        jit_warmup_s=max(args.warmup_seconds, 10.0),
        min_values=args.min_values,
        target=args.target_ci / 100,
        max_seconds=args.max_seconds,
    )


def score_line(s: VariantScore) -> str:
    half = s.relative_half_width
    return (
        f"{s.variant}: {s.score:,.1f} {s.unit} (95% CI {s.ci_low:,.1f}–{s.ci_high:,.1f}, "
        f"±{half:.1%}, n = {s.n}) - Python {s.python} on CPU {','.join(map(str, s.cpu))} of "
        f"{s.machine}"
    )


def _print_scores(scores: list[VariantScore]) -> None:
    for s in scores:
        print(score_line(s))
    host = scores[0].host
    cpu = detect_host_cpu(host)
    print(
        f"host: {host.cpu_model}, {host.logical_cpus} CPUs, {host.threads_per_core} thread(s) "
        f"per core{', ' + host.virtualization if host.virtualization else ''}; CPU "
        f"{'recognised as ' + cpu.label if cpu.cpu_key else 'not recognised'}"
    )
    print(f"stopped: {scores[0].stop_reason}")


def _run(args: argparse.Namespace) -> int:
    variants = _variants(args.variants)
    protocol = _protocol(args)
    say: Progress = (
        (lambda msg: print(msg, file=sys.stderr, flush=True))
        if not args.quiet
        else (lambda _: None)
    )
    family = None
    if args.family is not None or args.target is not None:
        if args.ssh is None:
            raise CalibrateError(
                "--family/--target name the machine --ssh reaches; for this machine's scores "
                "use `estimator calibrate import FILE --family F` on the measuring host"
            )
        family = family_of(args.family, args.target)
    if args.ssh is not None:
        target = SshTarget(
            destination=args.ssh,
            port=args.ssh_port,
            identity=args.ssh_identity,
            options=tuple(args.ssh_option or ()),
        )
        with remote_workers(
            target, variants, _pythons(args.remote_python or []), args.cpu, say
        ) as ws:
            scores = measure(ws, protocol, say)
        source = f"ssh {args.ssh}"
    else:
        if args.remote_python:
            raise CalibrateError("--remote-python applies to --ssh only")
        with local_workers(variants, args.cpu, say) as ws:
            scores = measure(ws, protocol, say)
        source = "this machine"
    if args.output is not None:
        try:
            args.output.write_text(scores_json(scores), encoding="utf-8")
        except OSError as exc:
            raise CalibrateError(f"cannot write {args.output}: {exc.strerror}") from None
    book = load_book()
    if family is not None:
        book = import_target(book, scores, family, source)
    elif args.ssh is None and not args.no_save:
        book = record_host(book, scores, source)
    if family is not None or (args.ssh is None and not args.no_save):
        save_book(book)
    if args.json:
        sys.stdout.write(scores_json(scores))
        return 0
    _print_scores(scores)
    if args.output is not None:
        print(f"wrote {args.output}")
    if family is not None:
        print(f"saved as {family}'s scores in {book_path()}: later estimates use them")
    elif args.ssh is None and not args.no_save:
        print(f"saved as this host's scores in {book_path()}")
    return 0


def _import(args: argparse.Namespace) -> int:
    family = family_of(args.family, args.target)
    scores = load_scores(args.file)
    book = import_target(load_book(), scores, family, str(args.file))
    path = save_book(book)
    print(f"{family}: {len(scores)} score(s) from {args.file} saved in {path}")
    for s in scores:
        print(f"  {score_line(s)}")
    return 0


def _show(args: argparse.Namespace) -> int:
    book = load_book()
    hosts = [e for e in book.entries if e.role == "host"]
    if not hosts and not targets(book):
        print(f"nothing calibrated yet ({book_path()}): run `estimator calibrate`")
        return 0
    for e in hosts[-3:]:
        h = e.scores[0].host
        print(f"host {h.cpu_model} ({h.hostname}), {e.saved_at:%Y-%m-%d %H:%M} UTC:")
        for s in e.scores:
            print(f"  {score_line(s)}")
    for family, e in sorted(targets(book).items()):
        print(f"{family} ({e.source}, {e.saved_at:%Y-%m-%d}):")
        for s in e.scores:
            print(f"  {score_line(s)}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "calibrate",
        help="score a machine's CPU on the sample apps' request work (per interpreter)",
        description="Run a fixed CPU benchmark made of the Flask sample app's own request work "
        "(JSON, ORM queries on SQLite, template rendering, the /compute code) in-process, "
        "pinned to one CPU, for each variant, in interleaved rounds until each score's 95% CI "
        "is within --target-ci. Scores of this machine are saved as the measuring host's; "
        "scores of a target machine (--ssh with --family, or `calibrate import`) become that "
        "family's CPU speed in later estimates.",
    )
    p.add_argument(
        "--variants",
        default=DEFAULT_VARIANTS,
        help=f"comma-separated interpreter variants (default {DEFAULT_VARIANTS})",
    )
    p.add_argument("--json", action="store_true", help="the scores as JSON on stdout")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="also write the JSON here")
    p.add_argument("--cpu", type=int, metavar="N", help="the CPU to pin to (default: the last)")
    p.add_argument("--target-ci", type=float, default=2.0, metavar="PCT", help="default 2")
    p.add_argument("--value-seconds", type=float, default=0.5, help="CPU-s per value (0.5)")
    p.add_argument(
        "--warmup-seconds",
        type=float,
        default=1.0,
        help="CPU-s thrown away (1; at least 10 for PyPy and JIT variants)",
    )
    p.add_argument("--min-values", type=int, default=6, help="values before stopping (6)")
    p.add_argument("--max-seconds", type=float, default=180.0, help="time budget (180)")
    p.add_argument("--no-save", action="store_true", help="don't record this host's scores")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--ssh", metavar="USER@HOST", help="run on that machine (system ssh/scp)")
    p.add_argument("--ssh-port", type=int, metavar="PORT")
    p.add_argument("--ssh-identity", type=Path, metavar="FILE")
    p.add_argument(
        "--ssh-option", action="append", metavar="OPT", help="passed as ssh -o OPT (repeat)"
    )
    p.add_argument(
        "--remote-python",
        action="append",
        metavar="VARIANT=PATH",
        help="the interpreter of a variant there (default python3.X, pypy3 on its PATH)",
    )
    group = p.add_mutually_exclusive_group()
    group.add_argument("--family", help="with --ssh: save the scores as this family's, e.g. c7g")
    group.add_argument("--target", metavar="TYPE", help="with --ssh: the type, e.g. c7g.large")
    p.set_defaults(handler=_run)
    subs = p.add_subparsers(title="subcommands", metavar="SUBCOMMAND")

    i = subs.add_parser(
        "import",
        help="use a target machine's scores as its family's CPU speed",
        description="Read a score file (`estimator calibrate -o FILE` run on a target "
        "machine) and save it as that family's scores: later estimates use target ÷ "
        "measuring-host scores (same variants) as the family's CPU speed.",
    )
    i.add_argument("file", type=Path, metavar="FILE")
    g = i.add_mutually_exclusive_group(required=True)
    g.add_argument("--family", help="the target's EC2 family, e.g. c7g")
    g.add_argument("--target", metavar="TYPE", help="the target's type, e.g. c7g.large")
    i.set_defaults(handler=_import)

    s = subs.add_parser("show", help="list the host and family scores on record")
    s.set_defaults(handler=_show)
