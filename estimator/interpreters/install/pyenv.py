"""pyenv's python-build: where it is, what its definitions say (versions and the sha256 of
python.org's tarballs), and definitions derived for releases it does not know yet."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from estimator import paths, procs
from estimator.errors import InterpreterError

_XZ_LINE = re.compile(
    r'install_package "Python-(?P<version>[0-9][^"]*)" '
    r'"(?P<url>[^"#]+\.tar\.xz)#(?P<sha>[0-9a-f]{64})"(?P<rest>[^\n]*)'
)
FINAL = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
PYTHON_BUILD_REPO = "https://github.com/pyenv/pyenv.git"


def bootstrap_dir() -> Path:
    """Where estimator clones pyenv when python-build is nowhere on the machine."""
    return paths.cache_dir() / "pyenv-src"


def find_python_build(pyenv_root: Path) -> Path | None:
    """`$PYENV_ROOT/plugins/python-build/bin/python-build`, else `python-build` on PATH, else
    the copy `bootstrap_python_build` cloned."""
    plugin = pyenv_root / "plugins" / "python-build" / "bin" / "python-build"
    if plugin.is_file():
        return plugin
    found = shutil.which("python-build")
    if found:
        return Path(found)
    cloned = bootstrap_dir() / "plugins" / "python-build" / "bin" / "python-build"
    return cloned if cloned.is_file() else None


def bootstrap_python_build(progress: Callable[[str], None], repo: str = PYTHON_BUILD_REPO) -> Path:
    """Clone pyenv (which carries python-build) into the cache dir; its definitions come with
    it. Needs git and access to GitHub."""
    git = shutil.which("git")
    if git is None:
        raise InterpreterError(
            "pyenv's python-build is not installed and git is missing to fetch it; install "
            "pyenv (https://github.com/pyenv/pyenv#installation) or git, then retry"
        )
    dest = bootstrap_dir()
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    argv = [git, "clone", "--depth", "1", repo, str(tmp)]
    progress(" ".join(argv))
    with procs.running(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
        try:
            out, _ = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            out = b"(timed out after 600 s)"
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        last = (out.decode(errors="replace").strip().splitlines() or [""])[-1]
        raise InterpreterError(
            f"could not fetch python-build ({last}); install pyenv by hand "
            "(https://github.com/pyenv/pyenv#installation) and retry"
        )
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest / "plugins" / "python-build" / "bin" / "python-build"


def definitions_dir(python_build: Path) -> Path:
    """python-build keeps its definitions in ../share/python-build next to bin/."""
    return python_build.resolve().parent.parent / "share" / "python-build"


def parse_definition(text: str) -> tuple[str, str] | None:
    """(version, sha256 of the .tar.xz) from a definition's text; None when it has no
    python.org tarball line (e.g. '3.14-dev' builds from git)."""
    m = _XZ_LINE.search(text)
    return (m["version"], m["sha"]) if m else None


def read_definitions(directory: Path) -> dict[str, str]:
    """Every CPython release python-build knows: version -> sha256 of its .tar.xz."""
    out: dict[str, str] = {}
    try:
        files = sorted(directory.iterdir())
    except OSError:
        return out
    for f in files:
        if not re.match(r"^\d+\.\d+\.\d+[a-z0-9]*$", f.name):
            continue  # 't' variants source their base; '-dev' are git builds
        try:
            parsed = parse_definition(f.read_text(errors="replace"))
        except OSError:
            continue
        if parsed and parsed[0] == f.name:
            out[parsed[0]] = parsed[1]
    return out


def newest_final(definitions: dict[str, str], major: int, minor: int) -> str | None:
    """The newest final release X.Y.Z python-build knows for X.Y."""
    best: tuple[int, int, int] | None = None
    for v in definitions:
        m = FINAL.match(v)
        if m and (int(m[1]), int(m[2])) == (major, minor):
            t = (int(m[1]), int(m[2]), int(m[3]))
            best = t if best is None or t > best else best
    return None if best is None else ".".join(map(str, best))


def derive_definition(template: str, version: str, sha256: str) -> str:
    """A definition for `version` made from a same-series one, as pyenv's own
    `add_cpython` does: same dependencies and build steps, this release's tarball and
    checksum (only the .tar.xz form)."""
    m = _XZ_LINE.search(template)
    if m is None:
        raise InterpreterError(
            "the python-build definition used as template has no python.org .tar.xz line; "
            "update pyenv (git -C $PYENV_ROOT pull) or give a version it knows"
        )
    old = m["version"]
    url = m["url"].replace(old, version)
    line = f'install_package "Python-{version}" "{url}#{sha256}"{m["rest"]}'
    out: list[str] = []
    skipping = False
    for raw in template.splitlines():
        stripped = raw.strip()
        if stripped.startswith("if has_tar_xz_support"):
            skipping = True
            out.append(line)
            continue
        if skipping:
            if stripped == "fi":
                skipping = False
            continue
        if stripped.startswith('install_package "Python-'):
            out.append(line)
            continue
        out.append(raw)
    return "\n".join(out) + "\n"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_tarball(path: Path, expected: str, origin: str) -> None:
    """Refuse a tarball whose sha256 differs from `expected` (from `origin`)."""
    actual = sha256_of(path)
    if actual != expected.lower():
        raise InterpreterError(
            f"tarball {path} has sha256 {actual}, but {origin} says {expected}; refusing to "
            "build it (a different or corrupted file): get python.org's tarball"
        )


def version_from_tarball(path: Path) -> str | None:
    """'3.14.4' from 'Python-3.14.4.tar.xz' or Debian's 'python3.14_3.14.4.orig.tar.xz'."""
    m = re.match(r"^(?:Python-|python\d+\.\d+_)(\d+\.\d+\.\d+[a-z0-9]*?)(?:\.orig)?\.t", path.name)
    return m[1] if m else None
