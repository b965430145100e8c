"""The cases of docs/reliability.md, declared once: each parametrized test here gets its
parameters from `cases(...)`, which also records them for the document (`doc.py`), so the
table lists exactly what CI runs.

    @cases(INPUT, "scenario file", [Case("inf-p95", "[slo] p95_ms = inf", "finite number"), ...])
    def test_bad_scenario(case: Case) -> None: ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

INPUT = "bad input"
FAULT = "fault"


@dataclass(frozen=True)
class Case:
    id: str
    what: str
    """the input or the fault, as a user would meet it"""
    expect: str
    """what estimator does (for an input: a fragment of its one-line error)"""
    data: Any = None
    """what the test needs beyond `what` (file content, argv, …)"""


@dataclass
class Group:
    kind: str
    area: str
    test: str
    items: list[Case] = field(default_factory=list)


REGISTRY: list[Group] = []
F = TypeVar("F", bound=Callable[..., Any])


def cases(kind: str, area: str, items: Sequence[Case]) -> Callable[[F], F]:
    """Parametrize the test with `items` (argument `case`) and record them."""
    ids = [c.id for c in items]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate case ids in {area}: {ids}")

    def deco(fn: F) -> F:
        REGISTRY.append(Group(kind, area, f"{fn.__module__}::{fn.__name__}", list(items)))
        marked: F = pytest.mark.parametrize("case", list(items), ids=ids)(fn)
        return marked

    return deco


def documented(kind: str, area: str, test: str, items: Sequence[Case]) -> None:
    """Record cases checked by a test that is not parametrized by `cases` (elsewhere in the
    suite, or a single test here): `test` is 'package.module::function', one test per case
    when `items` has several (`test` then names the module and `Case.data` the function)."""
    group = Group(kind, area, test, list(items))
    REGISTRY.append(group)
    DOCUMENTED.append(group)


DOCUMENTED: list[Group] = []
