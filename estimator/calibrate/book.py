"""The user's calibration book (`<config dir>/calibration.json`): host scores saved by
`estimator calibrate`, target-family scores added by `estimator calibrate import`, and the
calibrated speed ratios an estimate reads from them."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from estimator import paths
from estimator.calibrate.models import (
    Calibrated,
    CalibrateError,
    CalibrationBook,
    CalibrationEntry,
    VariantScore,
)
from estimator.errors import describe_validation_error
from estimator.host import HostFacts

BOOK_FILE = "calibration.json"
KEEP_HOSTS = 20
_SCORES = TypeAdapter(list[VariantScore])
_FAMILY = re.compile(r"^[a-z][a-z0-9-]*$")


def book_path() -> Path:
    return paths.config_dir() / BOOK_FILE


def load_book(path: Path | None = None) -> CalibrationBook:
    """The book, or an empty one when there is none yet."""
    p = path or book_path()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return CalibrationBook()
    except OSError as exc:
        raise CalibrateError(f"cannot read {p}: {exc.strerror}") from None
    try:
        return CalibrationBook.model_validate_json(text)
    except ValidationError as exc:
        raise CalibrateError(
            f"{p} is not a calibration book ({describe_validation_error(exc, 'book')}); "
            "move it away and calibrate again"
        ) from None


def save_book(book: CalibrationBook, path: Path | None = None) -> Path:
    p = path or book_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_text(book.model_dump_json(indent=2), encoding="utf-8")
    tmp.replace(p)
    return p


def scores_json(scores: Sequence[VariantScore]) -> str:
    """The `--json` / `-o FILE` form: a list, one object per variant."""
    return json.dumps(_SCORES.dump_python(list(scores), mode="json"), indent=2) + "\n"


def load_scores(path: Path) -> list[VariantScore]:
    """A score file written by `estimator calibrate -o FILE` (or its --json output)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalibrateError(
            f"cannot read {path}: {exc.strerror}; give the file `calibrate -o` wrote"
        ) from None
    try:
        scores = _SCORES.validate_json(text)
    except ValidationError as exc:
        raise CalibrateError(
            f"{path} is not a calibration score file "
            f"({describe_validation_error(exc, 'scores')}); make it with `estimator "
            "calibrate -o FILE` on the target machine"
        ) from None
    if not scores:
        raise CalibrateError(f"{path} holds no scores; calibrate at least one variant")
    return scores


def family_of(family: str | None, target: str | None) -> str:
    """'c7g' from --family c7g or --target c7g.large."""
    if (family is None) == (target is None):
        raise CalibrateError("give the target's family (--family c7g) or type (--target c7g.large)")
    name = (family or (target or "").split(".", 1)[0]).strip().lower()
    if not _FAMILY.match(name):
        raise CalibrateError(f"'{family or target}' is not an EC2 family or type, e.g. c7g")
    return name


def record_host(book: CalibrationBook, scores: list[VariantScore], source: str) -> CalibrationBook:
    entry = CalibrationEntry(role="host", source=source, scores=scores, saved_at=_now())
    hosts = [e for e in book.entries if e.role == "host"][-(KEEP_HOSTS - 1) :]
    targets = [e for e in book.entries if e.role == "target"]
    return CalibrationBook(entries=[*hosts, entry, *targets])


def import_target(
    book: CalibrationBook, scores: list[VariantScore], family: str, source: str
) -> CalibrationBook:
    """The book with `family`'s scores replaced by these."""
    entry = CalibrationEntry(
        role="target", family=family, source=source, scores=scores, saved_at=_now()
    )
    kept = [e for e in book.entries if not (e.role == "target" and e.family == family)]
    return CalibrationBook(entries=[*kept, entry])


def _now() -> datetime:
    return datetime.now(UTC)


def same_host(a: HostFacts, b: HostFacts) -> bool:
    """The same kind of machine: CPU model name equal, and vendor, family, model number and
    arch equal where both know them."""
    if a.cpu_model != b.cpu_model:
        return False
    pairs = (
        (a.cpu_vendor, b.cpu_vendor),
        (a.cpu_family, b.cpu_family),
        (a.cpu_model_number, b.cpu_model_number),
        (a.arch, b.arch),
    )
    return all(x is None or y is None or x == y for x, y in pairs)


def host_entry(book: CalibrationBook, host: HostFacts) -> CalibrationEntry | None:
    """The newest host calibration of a machine like `host` (same hostname preferred)."""
    found = [e for e in book.entries if e.role == "host" and same_host(e.scores[0].host, host)]
    named = [e for e in found if e.scores[0].host.hostname == host.hostname]
    pick = named or found
    return pick[-1] if pick else None


def targets(book: CalibrationBook) -> dict[str, CalibrationEntry]:
    return {e.family: e for e in book.entries if e.role == "target" and e.family}


def ratios(book: CalibrationBook, host: HostFacts) -> tuple[dict[str, Calibrated], list[str]]:
    """Calibrated target ÷ host score ratios for a measuring host, per target family (the
    geometric mean over the variants both calibrated with the same benchmark); and why a
    calibrated family could not be used."""
    fams = targets(book)
    if not fams:
        return {}, []
    base = host_entry(book, host)
    if base is None:
        return {}, [
            f"calibrated families ({', '.join(sorted(fams))}) not used: the measuring host "
            f"({host.cpu_model}) has no calibration on record; run `estimator calibrate` on it "
            "with the same variants"
        ]
    mine = {(s.variant, s.benchmark): s for s in base.scores}
    out: dict[str, Calibrated] = {}
    warnings: list[str] = []
    for family, entry in sorted(fams.items()):
        pairs = [
            (s, mine[(s.variant, s.benchmark)])
            for s in entry.scores
            if (s.variant, s.benchmark) in mine
        ]
        if not pairs:
            warnings.append(
                f"{family}: calibrated with {', '.join(s.variant for s in entry.scores)} "
                f"({entry.scores[0].benchmark}), the measuring host with "
                f"{', '.join(s.variant for s in base.scores)}: no variant in common, not used"
            )
            continue
        logs = [math.log(t.score / h.score) for t, h in pairs]
        ratio = math.exp(sum(logs) / len(logs))
        each = "; ".join(
            f"{t.variant} {t.score:,.0f} ÷ {h.score:,.0f} = {t.score / h.score:.3g}"
            for t, h in pairs
        )
        out[family] = Calibrated(
            key=family,
            ratio=ratio,
            detail=f"calibrated ({pairs[0][0].benchmark}, {pairs[0][0].unit}; {family} "
            f"{entry.saved_at:%Y-%m-%d} from {entry.source} ÷ host {base.saved_at:%Y-%m-%d}): "
            f"{each}; geometric mean {ratio:.3g}",
        )
    return out, warnings
