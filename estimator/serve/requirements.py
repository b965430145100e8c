"""The server packages an environment needs for the server kinds it will run, resolved with
the app's own requirements.

When the app does not mention a server package, we ask for a recent one (lower bounds only:
the installer picks the newest release that supports the interpreter, e.g. gunicorn 23.0 and
uvicorn 0.39 on Python 3.9/PyPy). When the app pins it (`gunicorn==22.0.0` in a requirements
file written for a Procfile), its pin wins: we only add the lowest version the launcher
works with (`MINIMUM`), and when the pin excludes every such version, say so in one line
naming the pin, the range needed and why. The launcher records the versions it ran
(`ServerLaunch.server_versions`), so results never mix them up silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from estimator.errors import ProvisionError
from estimator.scenario import AppSpec, ServerKind
from estimator.serve.pins import Pin, app_pins

MIN_PYTHON = (3, 8)

SPECIFIERS: dict[str, str] = {
    # 23.0: the HTTP/1.1 parser fixes (request smuggling); the last release for Python < 3.10
    "gunicorn": "gunicorn>=23",
    "uvicorn": "uvicorn>=0.30",
    # the maintained home of uvicorn.workers.UvicornWorker (deprecated in uvicorn itself)
    "uvicorn-worker": "uvicorn-worker>=0.2",
}
"""What we install when the app does not mention the package."""

PACKAGES: dict[str, tuple[str, ...]] = {
    "gunicorn-sync": ("gunicorn",),
    "gunicorn-gthread": ("gunicorn",),
    "gunicorn-uvicorn": ("gunicorn", "uvicorn", "uvicorn-worker"),
    "uvicorn": ("uvicorn",),
}

_GUNICORN_WHY = (
    "gunicorn before 21 imports pkg_resources, which environments without setuptools "
    "(uv's, Python 3.12+) do not have"
)
MINIMUM: dict[str, dict[str, tuple[str, str]]] = {
    "gunicorn": dict.fromkeys(
        ("gunicorn-sync", "gunicorn-gthread", "gunicorn-uvicorn"), ("21", _GUNICORN_WHY)
    ),
    "uvicorn": {
        "uvicorn": ("0.22", "the launcher sets --timeout-graceful-shutdown (uvicorn 0.22+)")
    },
    "uvicorn-worker": {
        "gunicorn-uvicorn": ("0.2", "the worker class estimator uses is uvicorn_worker's")
    },
}
"""Package → server kind → (lowest version the launcher works with, why). A pin of the app
below it cannot work for that kind; a pin of a package a kind does not check is the app's
business (e.g. uvicorn under gunicorn-uvicorn: uvicorn-worker states its own range)."""


def _candidates(spec: SpecifierSet, minimum: Version) -> set[Version]:
    """Versions at the edges of `spec` (and `minimum`): if any version >= minimum satisfies
    `spec`, one of these does."""
    out = {minimum}
    for s in spec:
        base = s.version.removesuffix(".*")
        for text in (base, f"{base}.1", f"{base}.0.1"):
            try:
                out.add(Version(text))
            except InvalidVersion:
                continue
    return out


def admits(specifier: str, minimum: str) -> bool:
    """Does `specifier` ('==22.0.0', '<21', '~=20.1') allow some version >= `minimum`?"""
    try:
        spec = SpecifierSet(specifier)
    except InvalidSpecifier:
        return True  # the installer will say what is wrong with it
    low = Version(minimum)
    return any(v >= low and spec.contains(v, prereleases=True) for v in _candidates(spec, low))


def _check_python(kinds: list[ServerKind], python_version: tuple[int, int], impl: str) -> None:
    unknown = sorted(k for k in kinds if k not in PACKAGES)
    if unknown:
        raise ProvisionError(f"server kind(s) {unknown} are unknown; use one of {sorted(PACKAGES)}")
    if kinds and tuple(python_version) < MIN_PYTHON:
        version = ".".join(map(str, python_version))
        raise ProvisionError(
            f"{impl} {version} is too old for the servers ({SPECIFIERS['gunicorn']} "
            f"and {SPECIFIERS['uvicorn']} need Python {'.'.join(map(str, MIN_PYTHON))}+); "
            "use a newer interpreter"
        )


def _with_pin(name: str, pin: Pin, kinds: list[ServerKind], app: str) -> str | None:
    """Our specifier next to the app's pin (None: the pin alone); ProvisionError when the
    pin leaves no version a kind works with."""
    needs = [(k, *MINIMUM[name][k]) for k in kinds if k in MINIMUM.get(name, {})]
    if not needs or pin.url:
        return None
    for kind, minimum, why in needs:
        if not admits(pin.specifier, minimum):
            raise ProvisionError(
                f"app '{app}' pins {pin.requirement} ({pin.source}), but server kind {kind} "
                f"needs {name}>={minimum}: {why}; change the pin or use another server kind"
            )
    return f"{name}>={max(Version(m) for _, m, _ in needs)}"


def server_requirements(
    kinds: Iterable[ServerKind],
    *,
    python_version: tuple[int, int],
    implementation: str,
    pins: Mapping[str, Pin] | None = None,
    app: str = "app",
) -> list[str]:
    """Requirement specifiers (sorted, each once) for running `kinds` on that interpreter,
    next to the app's own `pins` (see `app_pins`)."""
    kinds = list(kinds)
    _check_python(kinds, python_version, implementation)
    names = {name for kind in kinds for name in PACKAGES[kind]}
    out = set()
    for name in names:
        pin = (pins or {}).get(name)
        spec = SPECIFIERS[name] if pin is None else _with_pin(name, pin, kinds, app)
        if spec is not None:
            out.add(spec)
    return sorted(out)


def pins_of(
    app: AppSpec, *, python_version: tuple[int, int], implementation: str
) -> dict[str, Pin]:
    """The app's own requirements on the server packages (for that interpreter)."""
    return app_pins(
        [app.directory / r for r in app.requirements],
        app.packages,
        names=SPECIFIERS,
        python_version=python_version,
        implementation=implementation,
    )


def server_requirements_for(
    app: AppSpec,
    kinds: Iterable[ServerKind],
    *,
    python_version: tuple[int, int],
    implementation: str,
) -> list[str]:
    """`server_requirements` with the app's pins read from its requirements."""
    pins = pins_of(app, python_version=python_version, implementation=implementation)
    return server_requirements(
        kinds,
        python_version=python_version,
        implementation=implementation,
        pins=pins,
        app=app.name,
    )
