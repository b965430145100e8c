"""Which path tells that the app is up: the first of `HEALTH_CANDIDATES` that answers 2xx in
the app's own process, after following its redirects to the same host (a Django `/` that
answers 301 to its main page settles on that page). When none does, the error lists what
each candidate answered and suggests a page among the app's routes without parameters."""

from __future__ import annotations

import re

from pydantic import Field

from estimator._model import Model
from estimator.errors import ConfigError
from estimator.onboard.probe import AppProbe, PathCheck

HEALTH_CANDIDATES = ("/healthz", "/health", "/")
_DEDICATED = re.compile(
    r"(^|[/_-])(healthz?|health-?check|ping|ready|readyz|live|livez|status)$", re.IGNORECASE
)


def is_health_endpoint(path: str) -> bool:
    """A path that exists for health checks ('/healthz', '/api/ping'), not for users."""
    return bool(_DEDICATED.search(path.split("?", 1)[0].rstrip("/")))


class HealthChoice(Model):
    path: str = Field(description="what the scenario's health_path says")
    how: str = Field(description="e.g. 'GET / → 301 → /books/ → 200'")
    check: PathCheck | None = None


def _settled(asked: str, check: PathCheck) -> HealthChoice:
    final = check.path or asked
    how = f"GET {asked} → {check.describe()}"
    if final != asked:
        how += f": health path {final}"
    return HealthChoice(path=final, how=how, check=check)


def _suggestion(probe: AppProbe) -> str:
    answered = list(probe.suggestions.items())
    good = [p for p, c in answered if c.ok and not c.hops] or [p for p, c in answered if c.ok]
    if good:
        best = probe.suggestions[good[0]]
        return (
            f"; among the app's routes without parameters, {good[0]} answers "
            f"{best.describe()}: try --health {good[0]}"
        )
    if answered:
        seen = ", ".join(f"{p} → {c.describe()}" for p, c in answered)
        return f"; the app's routes without parameters did not answer 2xx either ({seen})"
    return ""


def settle_health(given: str | None, probe: AppProbe, notes: list[str]) -> HealthChoice:
    """The health path for the scenario: `given` (its redirects followed), else the first
    candidate answering 2xx; ConfigError listing the answers and a suggestion otherwise."""
    if given is not None:
        check = probe.paths.get(given)
        if check is None:
            return HealthChoice(path=given, how=f"GET {given}: not checked")
        if not check.ok:
            notes.append(
                f"GET {given} answered {check.describe()} in the app's process; runs need it "
                "to answer 2xx: fix the app or health_path"
            )
            return HealthChoice(path=given, how=f"GET {given} → {check.describe()}", check=check)
        return _settled(given, check)
    for path in HEALTH_CANDIDATES:
        check = probe.paths.get(path)
        if check is not None and check.ok:
            return _settled(path, check)
    seen = ", ".join(f"{p} → {c.describe()}" for p, c in probe.paths.items())
    raise ConfigError(
        f"no health path answers 2xx ({seen or probe.paths_error or 'not checked'}); give the "
        f"path of a cheap page that does with --health PATH{_suggestion(probe)}"
    )
