"""CPython source tarballs from Debian's source packages (`python3.13`, `python3.14`).

Their `.orig.tar.xz` is python.org's tarball, byte for byte (checked against pyenv's
checksums). A `deb-src` line for the suites carrying newer Pythons goes into its own sources
file, and only that list is updated. No binary package is ever installed from those suites.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from estimator import procs
from estimator._model import Model
from estimator.errors import InterpreterError
from estimator.interpreters.install.pyenv import verify_tarball

SOURCES_FILE = Path("/etc/apt/sources.list.d/estimator-python-src.sources")
SUITES = ("forky", "sid")
"""Debian testing and unstable: where python3.13 3.13.15 and python3.14 live (checked with
`apt-cache showsrc` here; stable has only its own python3.11/3.13)."""
DEFAULT_MIRROR = "http://deb.debian.org/debian"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
APT_TIMEOUT_S = 600.0

Log = Callable[[str], None]


class DebianSource(Model):
    """One version of a source package in apt's index."""

    package: str
    debian_version: str = ""
    upstream: str = ""
    orig_sha256: str | None = None


def source_package(major: int, minor: int) -> str:
    return f"python{major}.{minor}"


def configured_mirror(sources_dir: Path = Path("/etc/apt")) -> str:
    """The Debian mirror this machine already uses (deb822 or one-line format)."""
    candidates = [
        *sorted((sources_dir / "sources.list.d").glob("*.sources")),
        sources_dir / "sources.list",
    ]
    for f in candidates:
        if f == SOURCES_FILE or not f.is_file():
            continue
        text = f.read_text(errors="replace")
        for m in re.finditer(r"^URIs:\s*(\S+)", text, re.M):
            uri = m[1].rstrip("/")
            if uri.endswith("/debian"):
                return uri
        for m in re.finditer(r"^deb(?:-src)?\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.M):
            uri = m[1].rstrip("/")
            if uri.endswith("/debian"):
                return uri
    return DEFAULT_MIRROR


def sources_text(mirror: str) -> str:
    return (
        "# Added by `estimator interpreters install`: source packages of newer CPython\n"
        "# releases, used only as upstream tarballs for pyenv's python-build.\n"
        "# deb-src only: no binary package is installed from these suites.\n"
        "Types: deb-src\n"
        f"URIs: {mirror}\n"
        f"Suites: {' '.join(SUITES)}\n"
        "Components: main\n"
        f"Signed-By: {KEYRING}\n"
    )


def parse_showsrc(text: str) -> list[DebianSource]:
    """`apt-cache showsrc` records: package, version and the orig tarball's sha256."""
    out: list[DebianSource] = []
    for record in re.split(r"\n\s*\n", text):
        pkg = re.search(r"^Package:\s*(\S+)", record, re.M)
        ver = re.search(r"^Version:\s*(\S+)", record, re.M)
        if not pkg or not ver:
            continue
        upstream = ver[1].split(":", 1)[-1].rsplit("-", 1)[0]
        sha = None
        block = re.search(r"^Checksums-Sha256:\n((?:[ \t].*\n?)+)", record, re.M)
        if block:
            for line in block[1].splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[2].endswith(".orig.tar.xz"):
                    sha = parts[0]
        out.append(
            DebianSource(package=pkg[1], debian_version=ver[1], upstream=upstream, orig_sha256=sha)
        )
    return out


def _run(argv: list[str], log: Log, cwd: Path | None = None) -> tuple[int, str]:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C")
    proc = procs.spawn(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=APT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        out = b"(timed out)"
    finally:
        procs.stop(proc, timeout=5.0)
    text = out.decode(errors="replace")
    log(f"$ {' '.join(argv)}\n{text}")
    return proc.returncode if proc.returncode is not None else -1, text


def ensure_sources(log: Log, mirror: str | None = None) -> None:
    """Write the deb-src file (if missing or different) and update only that list."""
    text = sources_text(mirror or configured_mirror())
    current = SOURCES_FILE.read_text() if SOURCES_FILE.is_file() else None
    if current != text:
        SOURCES_FILE.write_text(text)
    code, out = _run(
        [
            "apt-get",
            "update",
            "-o",
            f"Dir::Etc::SourceList={SOURCES_FILE}",
            "-o",
            "Dir::Etc::SourceParts=-",
            "-o",
            "APT::Get::List-Cleanup=0",
        ],
        log,
    )
    if code != 0:
        raise InterpreterError(
            f"apt-get update of {SOURCES_FILE} failed: {out.strip().splitlines()[-1:]}; "
            "check the machine's Debian mirror, or pass --tarball PATH"
        )


def available(package: str, log: Log) -> list[DebianSource]:
    code, out = _run(["apt-cache", "showsrc", package], log)
    return parse_showsrc(out) if code == 0 else []


def fetch_orig(
    package: str, version: str, dest: Path, log: Log, *, expected_sha256: str | None
) -> tuple[Path, str]:
    """Download `package`'s upstream tarball of `version` to `dest`. Returns (path, where
    the trusted checksum came from). Through `apt-get source` when the version is in apt's
    index (apt checks it against the signed index); otherwise the `.orig.tar.xz` from the
    mirror's pool, accepted only with a known checksum (pyenv's or the user's)."""
    ensure_sources(log)
    entries = [e for e in available(package, log) if e.upstream == version]
    orig = f"{package}_{version}.orig.tar.xz"
    with tempfile.TemporaryDirectory(prefix="estimator-debsrc-") as tmp:
        work = Path(tmp)
        if entries:
            entry = entries[-1]
            code, _ = _run(
                ["apt-get", "source", "--download-only", f"{package}={entry.debian_version}"],
                log,
                cwd=work,
            )
            if code == 0 and (work / orig).is_file():
                shutil.move(work / orig, dest)
                return dest, "Debian's signed source index"
            log(f"apt-get source failed ({code}); trying the pool file\n")
        if expected_sha256 is None:
            have = ", ".join(e.upstream for e in available(package, log)) or "none"
            raise InterpreterError(
                f"CPython {version}: Debian's index has no {package} {version} (it has: {have}) "
                "and no checksum is known to check another copy; pick one of those versions, "
                "or pass --tarball PATH with --sha256"
            )
        url = f"{configured_mirror()}/pool/main/p/{package}/{orig}"
        code, _ = _run(
            ["/usr/lib/apt/apt-helper", "download-file", url, str(work / orig)], log, cwd=work
        )
        if code != 0 or not (work / orig).is_file():
            have = ", ".join(e.upstream for e in available(package, log)) or "none"
            raise InterpreterError(
                f"CPython {version}: not in Debian's index (it has {package} {have}) nor in the "
                f"mirror's pool ({url}); pass --tarball PATH (python.org's Python-{version}"
                ".tar.xz) or pick a listed version"
            )
        verify_tarball(work / orig, expected_sha256, "the known checksum")
        shutil.move(work / orig, dest)
        return dest, "the mirror's pool (checked against the known checksum)"
