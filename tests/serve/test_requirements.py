from __future__ import annotations

from pathlib import Path

import pytest

from estimator.errors import ProvisionError
from estimator.scenario import AppSpec
from estimator.serve import server_requirements, server_requirements_for
from estimator.serve.requirements import admits


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


def _app(tmp_path: Path, *files: tuple[str, str], packages: list[str] | None = None) -> AppSpec:
    for name, text in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return AppSpec(
        name="shop",
        directory=tmp_path,
        wsgi="shop:app",
        requirements=[Path(files[0][0])] if files else [],
        packages=packages or [],
    )


def _for(app: AppSpec, *kinds: str, python: tuple[int, int] = (3, 11)) -> list[str]:
    return server_requirements_for(app, kinds, python_version=python, implementation="cpython")  # type: ignore[arg-type]


def test_the_apps_own_pin_wins_when_the_kind_works_with_it(tmp_path: Path) -> None:
    """A requirements.txt written for a Procfile pins gunicorn==22.0.0: we must not add
    gunicorn>=23 next to it (the installer stops with ResolutionImpossible)."""
    app = _app(tmp_path, ("requirements.txt", "Django>=4.2\ngunicorn==22.0.0  # Procfile\n"))
    assert _for(app, "gunicorn-sync") == ["gunicorn>=21"]
    assert _for(app, "gunicorn-gthread", "gunicorn-sync") == ["gunicorn>=21"]
    assert _for(app, "uvicorn") == ["uvicorn>=0.30"]  # not pinned: ours
    assert _for(app, "gunicorn-uvicorn") == ["gunicorn>=21", "uvicorn-worker>=0.2", "uvicorn>=0.30"]


@pytest.mark.parametrize(
    ("files", "packages", "expected"),
    [
        ([("reqs/base.txt", "uvicorn[standard]~=0.29.0\n")], [], ["uvicorn>=0.22"]),
        (
            [("requirements.txt", "-r reqs/prod.txt\n"), ("reqs/prod.txt", "uvicorn==0.29.0 \\\n")],
            [],
            ["uvicorn>=0.22"],
        ),  # included files and continuations
        (
            [("pyproject.toml", '[project]\ndependencies = ["uvicorn>=0.25,<1"]\n')],
            [],
            ["uvicorn>=0.22"],
        ),
        ([], ["uvicorn<1"], ["uvicorn>=0.22"]),  # the app's extra packages count too
        ([("requirements.txt", "uvicorn @ git+https://example.org/uvicorn\n")], [], []),
        (
            [("requirements.txt", 'uvicorn==0.20.0; python_version < "3.10"\n')],
            [],
            ["uvicorn>=0.30"],
        ),  # a pin for another Python is not the app's pin here
    ],
)
def test_pins_are_read_where_the_app_writes_them(
    tmp_path: Path, files: list[tuple[str, str]], packages: list[str], expected: list[str]
) -> None:
    assert _for(_app(tmp_path, *files, packages=packages), "uvicorn") == expected


@pytest.mark.parametrize(
    ("line", "kind", "needed"),
    [
        (
            "gunicorn==20.1.0",
            "gunicorn-sync",
            "gunicorn>=21: gunicorn before 21 imports pkg_resources",
        ),
        ("gunicorn<21", "gunicorn-gthread", "gunicorn>=21"),
        ("uvicorn==0.21.1", "uvicorn", "uvicorn>=0.22: the launcher sets --timeout-graceful"),
        ("uvicorn~=0.20.0", "uvicorn", "uvicorn>=0.22"),
    ],
)
def test_a_pin_that_cannot_work_is_one_line_with_the_range_and_the_reason(
    tmp_path: Path, line: str, kind: str, needed: str
) -> None:
    app = _app(tmp_path, ("requirements.txt", f"{line}\n"))
    with pytest.raises(ProvisionError) as exc:
        _for(app, kind)
    message = exc.value.message
    assert message.startswith(f"app 'shop' pins {line} (requirements.txt), but server kind {kind}")
    assert f"needs {needed}" in message
    assert message.endswith("change the pin or use another server kind")
    assert "\n" not in message


def test_an_old_uvicorn_pin_is_fine_under_gunicorn(tmp_path: Path) -> None:
    app = _app(tmp_path, ("requirements.txt", "uvicorn==0.20.0\n"))
    assert _for(app, "gunicorn-uvicorn") == ["gunicorn>=23", "uvicorn-worker>=0.2"]


@pytest.mark.parametrize(
    ("spec", "ok"),
    [("==22.0.0", True), ("==20.*", False), ("==21.*", True), (">20", True), ("<=20.9", False),
     ("", True), ("!=21", True), ("<21.0.1", True)],
)  # fmt: skip
def test_admits(spec: str, ok: bool) -> None:
    assert admits(spec, "21") is ok
