from __future__ import annotations

import pytest

from estimator.errors import ProvisionError
from estimator.serve import server_requirements


def test_each_kind_gets_its_packages() -> None:
    def reqs(*kinds: str) -> list[str]:
        return server_requirements(kinds, python_version=(3, 11), implementation="cpython")  # type: ignore[arg-type]

    assert reqs("gunicorn-sync") == ["gunicorn>=23"]
    assert reqs("gunicorn-gthread", "gunicorn-sync") == ["gunicorn>=23"]
    assert reqs("uvicorn") == ["uvicorn>=0.30"]
    assert reqs("gunicorn-uvicorn") == ["gunicorn>=23", "uvicorn-worker>=0.2", "uvicorn>=0.30"]
    assert reqs() == []


def test_pypy_39_gets_the_same_lower_bounds() -> None:
    kinds = ["gunicorn-sync", "gunicorn-gthread", "gunicorn-uvicorn", "uvicorn"]
    out = server_requirements(kinds, python_version=(3, 9), implementation="pypy")  # type: ignore[arg-type]
    assert out == ["gunicorn>=23", "uvicorn-worker>=0.2", "uvicorn>=0.30"]


def test_too_old_python_is_refused_with_the_fix() -> None:
    with pytest.raises(ProvisionError, match=r"cpython 3\.7 is too old .* use a newer"):
        server_requirements(["uvicorn"], python_version=(3, 7), implementation="cpython")


def test_unknown_kind_is_named() -> None:
    with pytest.raises(ProvisionError, match=r"\['hypercorn'\] are unknown"):
        server_requirements(["hypercorn"], python_version=(3, 11), implementation="cpython")  # type: ignore[list-item]
