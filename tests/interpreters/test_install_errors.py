"""The failing package is named from real installer output (recorded from uv 0.13.9 and
pip 23 on this machine)."""

from __future__ import annotations

import pytest

from estimator.interpreters.install_errors import explain

UV_NOT_FOUND = """Using Python 3.12.1 environment at: v
error: No solution found when resolving dependencies
  cause: Because estimator-nonexistent-pkg-xyz was not found in the package registry and you \
require estimator-nonexistent-pkg-xyz==1.0, we can conclude that your requirements are \
unsatisfiable.
"""
UV_NO_VERSION = """error: No solution found when resolving dependencies
  cause: Because there is no version of flask==99.0 and you require flask==99.0, we can \
conclude that your requirements are unsatisfiable.
"""
UV_BUILD_FAILED = """Resolved 1 package in 9ms
   Building badpkg @ file:///tmp/errt/badpkg
error: Failed to build `badpkg @ file:///tmp/errt/badpkg`
  cause: The build backend returned an error
  cause: Call to `setuptools.build_meta.get_requires_for_build_wheel` failed (exit status: 1)

         [stderr]
         boom: this package cannot build

hint: Build failures usually indicate a problem with the package or the build environment
"""
UV_NO_WHEELS = """error: No solution found when resolving dependencies
  cause: Because pyyaml==5.3 has no usable wheels and you require pyyaml==5.3, we can \
conclude that your requirements are unsatisfiable.
"""
UV_ABI = """  × No solution found when resolving dependencies:
  ╰─▶ Because all versions of pydantic-core have no wheels with a matching Python ABI tag \
(e.g., `cp314t`) and you require pydantic-core, we can conclude that your requirements are \
unsatisfiable.
"""
UV_NO_INDEX = """error: No solution found when resolving dependencies
  cause: Because flask was not found in the provided package locations and you require \
flask, we can conclude that your requirements are unsatisfiable.
"""
PIP_NOT_FOUND = """ERROR: Could not find a version that satisfies the requirement \
estimator-nonexistent-pkg-xyz==1.0 (from versions: none)
ERROR: No matching distribution found for estimator-nonexistent-pkg-xyz==1.0
"""
PIP_BUILD = """Processing ./badpkg
  Installing build dependencies: started
  Installing build dependencies: finished with status 'done'
  Getting requirements to build wheel: started
  Getting requirements to build wheel: finished with status 'error'
  error: subprocess-exited-with-error

  × Getting requirements to build wheel did not run successfully.
  │ exit code: 1
  ╰─> [1 lines of output]
      boom: this package cannot build
      [end of output]
"""
PIP_WHEEL = """Building wheels for collected packages: psycopg2
  Building wheel for psycopg2 (setup.py): started
  Building wheel for psycopg2 (setup.py): finished with status 'error'
  ERROR: Failed building wheel for psycopg2
      Error: pg_config executable not found.
"""


@pytest.mark.parametrize(
    ("output", "package", "reason"),
    [
        (UV_NOT_FOUND, "estimator-nonexistent-pkg-xyz", "not found in the package index"),
        (UV_NO_VERSION, "flask", "no such version"),
        (UV_BUILD_FAILED, "badpkg", "building it from source failed"),
        (UV_NO_WHEELS, "pyyaml", "building from source is disabled"),
        (UV_ABI, "pydantic-core", "no wheel for this interpreter's ABI"),
        (UV_NO_INDEX, "flask", "not found in the given package locations"),
        (PIP_NOT_FOUND, "estimator-nonexistent-pkg-xyz", "no version for this interpreter"),
        (PIP_BUILD, "badpkg", "building it from source failed"),
        (PIP_WHEEL, "psycopg2", "building it from source failed"),
    ],
)
def test_failing_package_is_named(output: str, package: str, reason: str) -> None:
    failure = explain(output)
    assert failure.package == package
    assert reason in failure.reason
    assert failure.detail


def test_unknown_failure_keeps_the_last_error_line() -> None:
    failure = explain("something odd\nerror: disk full\n")
    assert failure.package is None
    assert failure.detail == "error: disk full"


def test_a_compile_error_beats_the_compiler_command_line() -> None:
    # uv's output for greenlet 3.5.6 on free-threaded CPython 3.13.15t (seen here), trimmed
    output = "\n".join(
        [
            "   Building greenlet==3.5.6",
            "error: Failed to build `greenlet==3.5.6`",
            "  cause: The build backend returned an error",
            "         src/greenlet/TPythonState.cpp:232:9: error: "
            "'_PyCriticalSection_SuspendAll' was not declared in this scope",
            "         error: Command '['g++', '-fno-strict-overflow', '-c', "
            "'src/greenlet/greenlet.cpp']' returned non-zero exit status 1.",
        ]
    )
    failure = explain(output)
    assert failure.package == "greenlet"
    assert failure.detail.startswith("src/greenlet/TPythonState.cpp:232:9: error: ")
