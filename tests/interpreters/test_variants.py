from __future__ import annotations

import pytest

from estimator.errors import InterpreterError
from estimator.interpreters import (
    build_quality_warnings,
    expand_variants,
    parse_variant,
    plan_variants,
    resolve_variant,
    runnable_variants,
)
from tests.interpreters.conftest import (
    FREE_THREADED_314,
    JIT_314,
    PYPY_39,
    cpython,
    make_interpreter,
)

PLAIN_314 = cpython("3.14.4", sys_jit=[False, False])
OPT_314 = cpython(
    "3.14.4", sys_jit=[False, False], config_args="'--enable-optimizations' '--with-lto'"
)

MACHINE = [
    make_interpreter("/pyenv/3.10.13/bin/python3.10", cpython("3.10.13")),
    make_interpreter("/pyenv/3.11.7/bin/python3.11", cpython("3.11.7")),
    make_interpreter("/usr/bin/python3.11", cpython("3.11.2"), ["PATH"]),
    make_interpreter("/pyenv/3.12.1/bin/python3.12", cpython("3.12.1")),
    make_interpreter("/pyenv/3.13.0/bin/python3.13", cpython("3.13.0")),
    make_interpreter(
        "/pyenv/3.13.15t/bin/python3.13t", cpython("3.13.15", py_gil_disabled=1, gil_enabled=False)
    ),
    make_interpreter("/pyenv/3.14.4/bin/python3.14", JIT_314),
    make_interpreter("/pyenv/3.14.4t/bin/python3.14t", FREE_THREADED_314),
    make_interpreter("/usr/bin/pypy3", PYPY_39, ["PATH"]),
    make_interpreter("/pyenv/3.9.18/bin/python3.9", cpython("3.9.18")),
]


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("cpython-3.13", {"implementation": "cpython", "minor": 13, "free_threaded": False}),
        ("cpython-3.14t", {"free_threaded": True, "jit": False}),
        ("cpython-3.14+jit", {"jit": True, "cinderx": False}),
        ("cpython-3.14+cinderx", {"cinderx": True}),
        ("cpython-3.13.15t", {"micro": 15, "free_threaded": True}),
        ("cpython-3.14+jit+opt", {"jit": True, "optimized": True}),
        ("pypy-3.9", {"implementation": "pypy", "major": 3, "minor": 9}),
        ("CPython-3.12", {"implementation": "cpython", "minor": 12}),
    ],
)
def test_parse_variant(name: str, fields: dict[str, object]) -> None:
    spec = parse_variant(name)
    for key, value in fields.items():
        assert getattr(spec, key) == value
    assert parse_variant(spec.name) == spec  # canonical names round-trip


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("python3.13", "not a variant name"),
        ("cpython-3.14+turbo", "unknown modifier '+turbo'"),
        ("cpython-3.14+jit+jit", "repeats a modifier"),
        ("pypy-3.9+jit", "PyPy has its own JIT"),
        ("pypy-3.9t", "no free-threaded build"),
        ("cpython-3.14+jit+cinderx", "use '+jit' or '+cinderx'"),
        ("cpython-3.14t+cinderx", "CinderX does not support free-threaded"),
    ],
)
def test_parse_variant_errors(name: str, message: str) -> None:
    with pytest.raises(InterpreterError, match=message.replace("+", r"\+")):
        parse_variant(name)


def test_plain_and_jit_variants_share_the_jit_capable_binary() -> None:
    plain = resolve_variant("cpython-3.14", MACHINE)
    jit = resolve_variant("cpython-3.14+jit", MACHINE)
    assert plain.interpreter.path == jit.interpreter.path
    assert plain.env == {"PYTHON_JIT": "0"}
    assert jit.env == {"PYTHON_JIT": "1"}


def test_free_threaded_variant_runs_with_gil_off() -> None:
    rv = resolve_variant("cpython-3.14t", MACHINE)
    assert rv.interpreter.facts.free_threaded_build
    assert rv.env == {"PYTHON_GIL": "0"}


def test_cinderx_variant_adds_the_package_and_switch() -> None:
    rv = resolve_variant("cpython-3.14+cinderx", MACHINE)
    assert rv.extra_packages == ["cinderx>0.0.1"]  # never the 0.0.1 placeholder
    assert rv.env["ESTIMATOR_CINDERX"] == "1"
    assert not rv.interpreter.facts.free_threaded_build


def test_newest_patch_wins_and_pinning_picks_another() -> None:
    assert resolve_variant("cpython-3.11", MACHINE).interpreter.facts.version == "3.11.7"
    pinned = resolve_variant("cpython-3.11.2", MACHINE)
    assert str(pinned.interpreter.path) == "/usr/bin/python3.11"


def test_explicit_path_beats_other_sources() -> None:
    custom = make_interpreter("/opt/py/bin/python3.11", cpython("3.11.7"), ["explicit"])
    assert resolve_variant("cpython-3.11", [*MACHINE, custom]).interpreter == custom


def test_opt_requires_pgo_lto_build_and_plain_prefers_like_for_like() -> None:
    opt = make_interpreter("/pyenv/3.14.4-opt/bin/python3.14", OPT_314)
    machine = [*MACHINE, opt]
    assert resolve_variant("cpython-3.14+opt", machine).interpreter == opt
    assert resolve_variant("cpython-3.14", machine).interpreter.path.parts[2] == "3.14.4"
    with pytest.raises(InterpreterError, match=r"no PGO\+LTO build of 3\.13"):
        resolve_variant("cpython-3.13+opt", machine)


def test_debug_builds_are_never_picked() -> None:
    debug = make_interpreter("/pyenv/3.15.0d/bin/python3.15", cpython("3.15.0", py_debug=1))
    with pytest.raises(InterpreterError, match="only debug builds"):
        resolve_variant("cpython-3.15", [debug])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "cpython-3.13+jit",
            r"no build of 3\.13 has the JIT.*estimator interpreters install 3\.13\+jit",
        ),
        ("cpython-3.12t", r"no free-threaded \(--disable-gil\) build.*install 3\.12t"),
        (
            "cpython-3.15",
            r"no cpython 3\.15 interpreter \(found cpython .*3\.14\.4t.*uv python install 3\.15",
        ),
        ("pypy-3.10", r"no pypy 3\.10 interpreter \(found pypy 3\.9\.16\).*apt-get install pypy3"),
        ("cpython-3.12+cinderx", r"cinderx wheels on PyPI are for CPython 3\.14 only"),
    ],
)
def test_missing_variants_say_what_and_how(name: str, message: str) -> None:
    with pytest.raises(InterpreterError, match=message):
        resolve_variant(name, MACHINE)


def test_no_silent_fallback_from_free_threaded_to_gil_build() -> None:
    gil_only = [i for i in MACHINE if not i.facts.free_threaded_build]
    with pytest.raises(InterpreterError, match="free-threaded"):
        resolve_variant("cpython-3.14t", gil_only)


def test_all_is_newest_gil_build_per_minor_from_310_and_pypy() -> None:
    names = [rv.name for rv in expand_variants(["all"], MACHINE)]
    assert names == [
        "cpython-3.10",
        "cpython-3.11",
        "cpython-3.12",
        "cpython-3.13",
        "cpython-3.14",
        "pypy-3.9",
    ]
    cp311 = expand_variants(["all"], MACHINE)[1]
    assert cp311.interpreter.facts.version == "3.11.7"


def test_groups_and_min_version() -> None:
    assert [rv.name for rv in expand_variants(["all-pypy"], MACHINE)] == ["pypy-3.9"]
    names = [rv.name for rv in expand_variants(["all-cpython"], MACHINE, min_version=(3, 13))]
    assert names == ["cpython-3.13", "cpython-3.14"]
    mixed = [rv.name for rv in expand_variants(["all-pypy", "cpython-3.14t", "pypy-3.9"], MACHINE)]
    assert mixed == ["pypy-3.9", "cpython-3.14t"]


def test_newest_cpython_is_one_gil_build() -> None:
    """What the `smoke` scenario runs: one CPython that is surely there."""
    assert [rv.name for rv in expand_variants(["newest-cpython"], MACHINE)] == ["cpython-3.14"]
    only_old = [i for i in MACHINE if (i.facts.major, i.facts.minor) < (3, 12)]
    assert [rv.name for rv in expand_variants(["newest-cpython"], only_old)] == ["cpython-3.11"]


def test_expand_raises_for_missing_and_plan_collects() -> None:
    with pytest.raises(InterpreterError, match=r"cpython-3\.15"):
        expand_variants(["cpython-3.12", "cpython-3.15"], MACHINE)
    plan = plan_variants(["cpython-3.12", "cpython-3.15", "cpython-3.13+jit"], MACHINE)
    assert [rv.name for rv in plan.resolved] == ["cpython-3.12"]
    assert [m.name for m in plan.missing] == ["cpython-3.15", "cpython-3.13+jit"]


def test_expand_with_nothing_found_is_an_error() -> None:
    with pytest.raises(InterpreterError, match="matched no interpreter"):
        expand_variants(["all-pypy"], MACHINE[:2])


def test_runnable_variants_per_interpreter() -> None:
    by_path = {str(i.path): runnable_variants(i, MACHINE) for i in MACHINE}
    assert by_path["/pyenv/3.14.4/bin/python3.14"] == [
        "cpython-3.14",
        "cpython-3.14+jit",
        "cpython-3.14+cinderx",
    ]
    assert by_path["/pyenv/3.14.4t/bin/python3.14t"] == ["cpython-3.14t"]
    assert by_path["/usr/bin/python3.11"] == ["cpython-3.11.2"]
    assert by_path["/usr/bin/pypy3"] == ["pypy-3.9"]
    opt = make_interpreter("/pyenv/3.14.4-opt/bin/python3.14", OPT_314)
    assert runnable_variants(opt, [*MACHINE, opt]) == [
        "cpython-3.14+opt",
        "cpython-3.14+cinderx+opt",
    ]


def test_build_quality_warning_only_when_builds_differ() -> None:
    opt = make_interpreter("/pyenv/3.14.4-opt/bin/python3.14", OPT_314)
    machine = [*MACHINE, opt]
    same = expand_variants(["cpython-3.12", "cpython-3.13", "pypy-3.9"], machine)
    assert build_quality_warnings(same) == []
    mixed = expand_variants(["cpython-3.12", "cpython-3.14+opt"], machine)
    (warning,) = build_quality_warnings(mixed)
    assert "cpython-3.14+opt are PGO+LTO builds, cpython-3.12 are not" in warning
