"""No silent skips: a test gives up for want of something on the machine only through
tests/promised.py (a failure for what setup installs, a listed skip for what it does not)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ALLOWED = {TESTS / "promised.py"}
SKIPPING = {"skip", "skipif", "importorskip", "SkipTest", "skipTest", "skipUnless"}


def skip_calls(path: Path) -> list[str]:
    """`pytest.skip(…)`, `pytest.mark.skip[if]`, `pytest.importorskip`, `unittest`'s skips,
    and the same names imported on their own: 'LINE: what'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Attribute) and node.attr in SKIPPING:
            found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("pytest", "unittest", "_pytest"):
            found += [
                f"{node.lineno}: from {node.module} import {a.name}"
                for a in node.names
                if a.name in SKIPPING
            ]
    return sorted(found)


def test_every_skip_goes_through_promised() -> None:
    files = [p for p in TESTS.rglob("*.py") if p not in ALLOWED]
    assert len(files) > 100
    offenders = [f"{p.relative_to(TESTS)}:{hit}" for p in sorted(files) for hit in skip_calls(p)]
    assert offenders == [], (
        "give up through tests.promised: require_*() / missing_promised() when setup installs "
        "what is missing, skip_unpromised() when it does not: " + "; ".join(offenders)
    )


def test_the_checker_finds_each_form(tmp_path: Path) -> None:
    sample = tmp_path / "t.py"
    sample.write_text(
        "import pytest\nfrom pytest import skip\n"
        "@pytest.mark.skipif(True, reason='x')\ndef test_a():\n    pytest.skip('y')\n"
        "np = pytest.importorskip('numpy')\n"
    )
    assert skip_calls(sample) == [
        "2: from pytest import skip",
        "3: .skipif",
        "5: .skip",
        "6: .importorskip",
    ]


def test_skips_are_listed_at_the_end_of_the_run() -> None:
    config = tomllib.loads((TESTS.parent / "pyproject.toml").read_text())
    addopts = config["tool"]["pytest"]["ini_options"]["addopts"]
    assert "-ra" in addopts  # every skip, with its reason, in the short test summary
