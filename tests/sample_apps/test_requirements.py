"""Each app's requirements.txt resolves to one pinned version of every package on each
interpreter we support, with the known PyPy 3.9 pins, and no server packages."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement

from estimator.scenario.builtin_apps import SAMPLE_APPS

ENVIRONMENTS = {
    "pypy-3.9": {"python_version": "3.9", "platform_python_implementation": "PyPy"},
    **{
        f"cpython-3.{minor}": {
            "python_version": f"3.{minor}",
            "platform_python_implementation": "CPython",
        }
        for minor in (10, 11, 12, 13, 14)
    },
}
SERVERS = {"gunicorn", "uvicorn", "uvicorn-worker"}


def requirements(app: str) -> list[Requirement]:
    spec = SAMPLE_APPS[app]
    lines = Path(spec.directory / spec.requirements[0]).read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def resolved(app: str, env: str) -> dict[str, str]:
    """Package -> pinned version for that interpreter (markers evaluated)."""
    out: dict[str, str] = {}
    for req in requirements(app):
        if req.marker is None or req.marker.evaluate(ENVIRONMENTS[env]):
            assert req.name not in out, f"{req.name} listed twice for {env}"
            (pin,) = req.specifier
            assert pin.operator == "==", f"{req}: pin an exact version"
            out[req.name] = pin.version
    return out


@pytest.mark.parametrize("app", sorted(SAMPLE_APPS))
@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_one_pin_per_package(app: str, env: str) -> None:
    pins = resolved(app, env)
    assert pins
    assert not set(pins) & SERVERS, "servers are installed by the serve stage"


def test_known_pins() -> None:
    assert resolved("django", "pypy-3.9")["django"].startswith("4.2.")
    assert resolved("django", "cpython-3.11")["django"].startswith("5.2.")
    pypy_pydantic = tuple(int(x) for x in resolved("fastapi", "pypy-3.9")["pydantic"].split("."))
    assert pypy_pydantic < (2, 12)
    assert "a2wsgi" in resolved("fastapi", "cpython-3.13")


def test_same_versions_on_every_cpython() -> None:
    """Results compare interpreters: the libraries must not change with them."""
    for app in SAMPLE_APPS:
        cpythons = [resolved(app, env) for env in ENVIRONMENTS if env.startswith("cpython")]
        assert all(pins == cpythons[0] for pins in cpythons), app
