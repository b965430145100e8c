"""docs/reliability.md lists exactly the cases the tests run, with the counts issue 15 asks
for (at least 250 bad inputs and 25 faults)."""

from __future__ import annotations

from tests.reliability.cases import FAULT, INPUT
from tests.reliability.doc import DOC, counts, groups, rewritten


def test_the_document_matches_the_tests() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert rewritten(text, groups()) == text, (
        "docs/reliability.md is stale: run `.venv/bin/python -m tests.reliability.doc`"
    )


def test_enough_cases() -> None:
    n = counts(groups())
    assert n[INPUT] >= 250, n
    assert n[FAULT] >= 25, n


def test_every_case_is_described() -> None:
    for g in groups():
        for c in g.items:
            assert c.what.strip(), (g.test, c.id)
            assert c.expect.strip() or g.kind == INPUT, (g.test, c.id)
