"""Install planning is pure: host facts in, plan out. No network, no builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from estimator.errors import InterpreterError
from estimator.interpreters.install import (
    HostState,
    InstalledBuild,
    InstallOptions,
    parse_install_spec,
    plan_install,
)
from estimator.interpreters.install.plan import BUILD_DEPENDENCIES

ROOT = Path("/root/.pyenv")
SHA_3144 = "d923c51303e38e249136fc1bdf3568d56ecb03214efdef48516176d3d7faaef8"
SHA_31313 = "2ab91ff401783ccca64f75d10c882e957bdfd60e2bf5a72f8421793729b78a71"


def host(**changes: Any) -> HostState:
    base: dict[str, Any] = {
        "pyenv_root": ROOT,
        "python_build": ROOT / "plugins/python-build/bin/python-build",
        "definitions": {"3.14.4": SHA_3144, "3.14.5rc1": "e" * 64, "3.13.13": SHA_31313},
        "installed": [
            InstalledBuild(
                name="3.13.0",
                path=ROOT / "versions/3.13.0/bin/python3.13",
                version="3.13.0",
                free_threaded=False,
                jit_available=False,
                optimized=False,
                source="pyenv",
            )
        ],
        "uv": True,
        "uv_downloads": False,
        "apt": True,
        "root": True,
        "dpkg_installed": [*BUILD_DEPENDENCIES, "clang-19", "llvm-19"],
        "apt_candidates": ["clang-19", "llvm-19"],
        "regen_python": Path("/usr/bin/python3.11"),
    }
    base.update(changes)
    return HostState.model_validate(base)


def plan(spec: str, h: HostState | None = None, **options: Any):  # type: ignore[no-untyped-def]
    optimized = options.pop("optimized", False)
    return plan_install(
        parse_install_spec(spec, optimized=optimized), InstallOptions(**options), h or host()
    )


def built(name: str, version: str, **kw: Any) -> InstalledBuild:
    return InstalledBuild(
        name=name,
        path=ROOT / f"versions/{name}/bin/python3",
        version=version,
        free_threaded=kw.get("free_threaded", False),
        jit_available=kw.get("jit", False),
        optimized=kw.get("optimized", False),
        source="pyenv",
    )


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("3.14", {"minor": 14, "micro": None, "free_threaded": False, "jit": False}),
        ("3.14t", {"free_threaded": True}),
        ("3.14+jit", {"jit": True}),
        ("3.13.15t", {"minor": 13, "micro": 15, "free_threaded": True}),
        ("cpython-3.14+opt", {"optimized": True}),
        ("3.14+cinderx", {"minor": 14, "jit": False}),
    ],
)
def test_parse_install_spec(text: str, fields: dict[str, Any]) -> None:
    spec = parse_install_spec(text)
    for key, value in fields.items():
        assert getattr(spec, key) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("python3.14", "not an interpreter to install"),
        ("3.14t+jit", "not supported on free-threaded"),
        ("3.12t", "from CPython 3.13 on"),
        ("3.14+fast", "unknown modifier"),
        ("3.13+cinderx", "CinderX needs a CPython 3.14"),
    ],
)
def test_parse_install_spec_errors(text: str, message: str) -> None:
    with pytest.raises(InterpreterError, match=message):
        parse_install_spec(text)


def test_already_installed_is_not_rebuilt() -> None:
    h = host(installed=[built("3.14.4t", "3.14.4", free_threaded=True)])
    p = plan("3.14t", h)
    assert p.method == "installed"
    assert p.target == ROOT / "versions/3.14.4t/bin/python3"
    assert "already installed" in p.describe()[0]


def test_force_rebuilds_and_replaces() -> None:
    h = host(installed=[built("3.14.4t", "3.14.4", free_threaded=True)], cached_tarballs={})
    p = plan("3.14t", h, force=True)
    assert p.method == "python-build"
    assert p.replace
    assert p.target == ROOT / "versions/3.14.4t"


def test_existing_build_without_jit_needs_force() -> None:
    h = host(installed=[built("3.14.4", "3.14.4", jit=False)])
    with pytest.raises(InterpreterError, match="--force"):
        plan("3.14+jit", h)


def test_uv_when_it_can_download_with_source_build_fallback() -> None:
    p = plan("3.14t", host(uv_downloads=True))
    assert p.method == "uv"
    assert p.version == "3.14t"
    assert p.fallback is not None
    assert p.fallback.method == "python-build"
    assert p.describe()[0] == "uv python install 3.14t"


def test_uv_is_skipped_for_tarball_optimized_and_via_build() -> None:
    h = host(uv_downloads=True, cached_tarballs={"3.14.4": Path("/c/Python-3.14.4.tar.xz")})
    assert plan("3.14", h, via="build").method == "python-build"
    assert plan("3.14", h, optimized=True).method == "python-build"
    assert plan("3.14", h, tarball=Path("/t/Python-3.14.4.tar.xz")).method == "python-build"


def test_via_uv_without_uv_is_an_error() -> None:
    with pytest.raises(InterpreterError, match="uv is not installed"):
        plan("3.14", host(uv=False), via="uv")


def test_pyenv_build_of_314_carries_the_jit_off_by_default() -> None:
    p = plan("3.14")
    assert p.method == "python-build"
    assert p.version == "3.14.4"  # newest final, not 3.14.5rc1
    assert p.target == ROOT / "versions/3.14.4"
    assert p.configure_opts == ["--enable-experimental-jit=yes-off"]
    assert p.jit
    assert p.definition == "3.14.4"
    assert p.checksum == SHA_3144
    assert p.checksum_origin == "pyenv's definition for 3.14.4"
    assert p.tarball_source == "debian"
    assert p.apt_packages == []


def test_free_threaded_and_optimized_options() -> None:
    ft = plan("3.14t")
    assert (ft.target, ft.configure_opts, ft.jit) == (ROOT / "versions/3.14.4t", [], False)
    opt = plan("3.14", optimized=True)
    assert opt.target == ROOT / "versions/3.14.4-opt"
    assert opt.configure_opts == [
        "--enable-experimental-jit=yes-off",
        "--enable-optimizations",
        "--with-lto",
    ]


def test_missing_packages_are_installed_first_as_root() -> None:
    h = host(dpkg_installed=[d for d in BUILD_DEPENDENCIES if d != "libzstd-dev"])  # no clang
    assert plan("3.14+jit", h).apt_packages == ["libzstd-dev", "clang-19", "llvm-19"]


def test_not_root_with_missing_packages_says_the_command() -> None:
    h = host(root=False, dpkg_installed=[])
    with pytest.raises(InterpreterError, match="sudo apt-get install build-essential"):
        plan("3.14t", h)


def test_jit_without_llvm_fails_clearly_but_plain_314_builds_without_it() -> None:
    h = host(dpkg_installed=list(BUILD_DEPENDENCIES), apt_candidates=[], root=True, apt=True)
    with pytest.raises(InterpreterError, match="LLVM 19; Debian here has no clang-19 llvm-19"):
        plan("3.14+jit", h)
    p = plan("3.14", h)
    assert not p.jit
    assert p.configure_opts == []
    assert "built without the JIT" in p.notes[0]


def test_313_jit_needs_llvm_18() -> None:
    with pytest.raises(InterpreterError, match=r"LLVM 18.*try 3\.14\+jit"):
        plan("3.13+jit")


def test_cached_tarball_is_used_when_checksum_known() -> None:
    cached = Path("/root/.pyenv/cache/Python-3.14.4.tar.xz")
    p = plan("3.14t", host(cached_tarballs={"3.14.4": cached}))
    assert (p.tarball_source, p.tarball) == ("cache", cached)


def test_local_tarball_version_from_its_name() -> None:
    p = plan("3.14", tarball=Path("/srv/python3.14_3.14.4.orig.tar.xz"))
    assert (p.version, p.tarball_source, p.checksum) == ("3.14.4", "local", SHA_3144)


def test_local_tarball_of_unknown_version_needs_sha256() -> None:
    with pytest.raises(InterpreterError, match="pass --sha256"):
        plan("3.14", tarball=Path("/srv/Python-3.14.9.tar.xz"))
    p = plan("3.14", tarball=Path("/srv/Python-3.14.9.tar.xz"), sha256="A" * 64)
    assert p.checksum == "a" * 64
    assert p.template == "3.14.4"  # definition derived from the newest 3.14
    assert p.definition is None


def test_sha256_contradicting_pyenv_is_refused() -> None:
    with pytest.raises(InterpreterError, match="differs from pyenv's definition"):
        plan("3.14.4", sha256="0" * 64)


def test_release_pyenv_lacks_comes_from_debian_index() -> None:
    p = plan("3.13.15t")
    assert p.tarball_source == "debian"
    assert p.checksum is None
    assert p.checksum_origin == "Debian's signed source index"
    assert p.template == "3.13.13"
    assert p.target == ROOT / "versions/3.13.15t"


def test_unknown_series_and_missing_python_build() -> None:
    with pytest.raises(InterpreterError, match=r"knows no CPython 3\.15 release"):
        plan("3.15")
    with pytest.raises(InterpreterError, match="python-build is not installed"):
        plan("3.14", host(python_build=None))


def test_python_org_source_off_debian() -> None:
    p = plan("3.14t", host(apt=False))
    assert p.tarball_source == "python.org"
    assert "not a Debian system" in p.notes[0]
    assert any("downloads Python-3.14.4.tar.xz" in s for s in p.describe())


def test_interrupted_build_is_replaced() -> None:
    p = plan("3.14t", host(incomplete=["3.14.4t"]))
    assert p.replace
