"""pyenv definitions, checksums and Debian's source index, parsed from recorded text."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from estimator.errors import InterpreterError
from estimator.interpreters.install import debian
from estimator.interpreters.install.pyenv import (
    bootstrap_python_build,
    definitions_dir,
    derive_definition,
    find_python_build,
    newest_final,
    parse_definition,
    read_definitions,
    verify_tarball,
    version_from_tarball,
)
from tests.promised import skip_unpromised

# pyenv's share/python-build/3.13.13, as shipped.
DEF_31313 = """prefer_openssl3
export PYTHON_BUILD_CONFIGURE_WITH_OPENSSL=1
export PYTHON_BUILD_TCLTK_USE_PKGCONFIG=1
install_package "openssl-3.6.2" "https://github.com/openssl/openssl/releases/download/openssl-3.6.2/openssl-3.6.2.tar.gz#aaf51a1fe064384f811daeaeb4ec4dce7340ec8bd893027eee676af31e83a04f" mac_openssl --if has_broken_mac_openssl
install_package "readline-8.3" "https://ftpmirror.gnu.org/readline/readline-8.3.tar.gz#fe5383204467828cd495ee8d1d3c037a7eba1389c22bc6a041f627976f9061cc" mac_readline --if has_broken_mac_readline
if has_tar_xz_support; then
    install_package "Python-3.13.13" "https://www.python.org/ftp/python/3.13.13/Python-3.13.13.tar.xz#2ab91ff401783ccca64f75d10c882e957bdfd60e2bf5a72f8421793729b78a71" standard verify_py313 copy_python_gdb ensurepip
else
    install_package "Python-3.13.13" "https://www.python.org/ftp/python/3.13.13/Python-3.13.13.tgz#f9cde7b0e2ec8165d7326e2a0f59ea2686ce9d0c617dbbb3d66a7e54d31b74b9" standard verify_py313 copy_python_gdb ensurepip
fi
"""  # noqa: E501
SHA_31313 = "2ab91ff401783ccca64f75d10c882e957bdfd60e2bf5a72f8421793729b78a71"
SHA_31315 = "1e66a7945a48390ee4c2a4268a0e4185884059a13c4aab6d148aa208deea4a76"

# `apt-cache showsrc python3.13` on this machine with the deb-src line (trimmed).
SHOWSRC = """Package: python3.13
Binary: python3.13, python3.13-venv
Version: 3.13.15-1
Checksums-Sha256:
 4078ff651ea7096e6933f794b854054cda195d600e02ac83306cee524da31b87 4040 python3.13_3.13.15-1.dsc
 1e66a7945a48390ee4c2a4268a0e4185884059a13c4aab6d148aa208deea4a76 23160540 python3.13_3.13.15.orig.tar.xz
 1cf592dd51de735ff73644743e8959fb16bd50714168855509b709fdeede8342 261776 python3.13_3.13.15-1.debian.tar.xz
Package-List:
 idle-python3.13 deb python optional arch=all

Package: python3.13
Version: 3.13.18-1
Checksums-Sha256:
 abb0102e6d4ae027509bcb82327d9dd85515b44a3ba8ad538cfc5e9847029f68 23243936 python3.13_3.13.18.orig.tar.xz
"""  # noqa: E501


def test_parse_definition_and_read_dir(tmp_path: Path) -> None:
    assert parse_definition(DEF_31313) == ("3.13.13", SHA_31313)
    (tmp_path / "3.13.13").write_text(DEF_31313)
    (tmp_path / "3.13.13t").write_text('export PYTHON_BUILD_FREE_THREADING=1\nsource "x"\n')
    (tmp_path / "3.14-dev").write_text('install_git "Python-3.14-dev" "https://github.com/x"\n')
    assert read_definitions(tmp_path) == {"3.13.13": SHA_31313}


def test_newest_final_ignores_prereleases() -> None:
    defs = {"3.14.4": "a", "3.14.10": "b", "3.14.11rc1": "c", "3.13.13": "d"}
    assert newest_final(defs, 3, 14) == "3.14.10"
    assert newest_final(defs, 3, 15) is None


def test_derived_definition_has_only_the_new_tarball() -> None:
    text = derive_definition(DEF_31313, "3.13.15", SHA_31315)
    assert parse_definition(text) == ("3.13.15", SHA_31315)
    assert "3.13.13" not in text
    assert ".tgz" not in text
    assert "has_tar_xz_support" not in text
    assert 'install_package "openssl-3.6.2"' in text  # dependencies kept
    assert "verify_py313 copy_python_gdb ensurepip" in text


def test_derive_needs_a_tarball_line() -> None:
    with pytest.raises(InterpreterError, match=r"no python\.org \.tar\.xz line"):
        derive_definition('install_git "Python-3.14-dev" "x"', "3.14.9", "a" * 64)


def test_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    tarball = tmp_path / "Python-3.14.4.tar.xz"
    tarball.write_bytes(b"not the real tarball")
    with pytest.raises(InterpreterError, match="refusing to build it"):
        verify_tarball(
            tarball, "d923c51303e38e249136fc1bdf3568d56ecb03214efdef48516176d3d7faaef8", "pyenv"
        )
    verify_tarball(tarball, hashlib.sha256(b"not the real tarball").hexdigest().upper(), "pyenv")


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("Python-3.14.4.tar.xz", "3.14.4"),
        ("python3.14_3.14.4.orig.tar.xz", "3.14.4"),
        ("Python-3.14.5rc1.tgz", "3.14.5rc1"),
        ("cpython.tar.xz", None),
    ],
)
def test_version_from_tarball(name: str, version: str | None) -> None:
    assert version_from_tarball(Path(name)) == version


def test_parse_showsrc() -> None:
    entries = debian.parse_showsrc(SHOWSRC)
    assert [(e.debian_version, e.upstream, e.orig_sha256) for e in entries] == [
        ("3.13.15-1", "3.13.15", SHA_31315),
        (
            "3.13.18-1",
            "3.13.18",
            "abb0102e6d4ae027509bcb82327d9dd85515b44a3ba8ad538cfc5e9847029f68",
        ),
    ]


def test_mirror_from_machine_sources(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n\n"
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm\n"
    )
    assert debian.configured_mirror(tmp_path) == "http://mirror.example/debian"
    (tmp_path / "sources.list.d" / "debian.sources").unlink()
    (tmp_path / "sources.list").write_text(
        "deb [arch=amd64] http://old.example/debian bookworm main\n"
    )
    assert debian.configured_mirror(tmp_path) == "http://old.example/debian"


def test_sources_file_is_deb_src_only() -> None:
    text = debian.sources_text("http://deb.debian.org/debian")
    assert "Types: deb-src\n" in text
    assert "Types: deb\n" not in text
    assert "Suites: forky sid" in text


@pytest.mark.integration
@pytest.mark.usefixtures("no_leftover_processes")
def test_python_build_is_fetched_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no pyenv anywhere, python-build is cloned (here from a local repository standing
    in for GitHub) and found afterwards."""
    if shutil.which("git") is None:
        skip_unpromised("git is not installed")
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    repo = tmp_path / "pyenv-repo"
    script = repo / "plugins" / "python-build" / "bin" / "python-build"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    (repo / "plugins" / "python-build" / "share" / "python-build").mkdir(parents=True)
    (repo / "plugins" / "python-build" / "share" / "python-build" / "3.13.13").write_text(DEF_31313)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    for argv in (
        ["git", "init", "-q", str(repo)],
        [*git, "add", "."],
        [*git, "commit", "-qm", "x"],
    ):
        subprocess.run(argv, check=True, capture_output=True)
    assert find_python_build(tmp_path / "no-pyenv") is None
    got = bootstrap_python_build(lambda _msg: None, repo=str(repo))
    assert find_python_build(tmp_path / "no-pyenv") == got
    assert read_definitions(definitions_dir(got)) == {"3.13.13": SHA_31313}


def test_python_build_fetch_failure_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(tmp_path / "cache"))
    if shutil.which("git") is None:
        skip_unpromised("git is not installed")
    with pytest.raises(InterpreterError, match="could not fetch python-build"):
        bootstrap_python_build(lambda _msg: None, repo=str(tmp_path / "no-such-repo"))
    assert not (tmp_path / "cache" / "pyenv-src").exists()
