"""What the dashboard says when there is nothing to compare yet: the exact commands that
produce results for the store it was opened on, and why earlier runs did not count."""

from __future__ import annotations

import shlex

from pydantic import Field

from estimator import paths
from estimator._model import Model
from estimator.views.snapshot import StoreSnapshot


class EmptyStoreHelp(Model):
    headline: str
    detail: str
    commands: list[str] = Field(description="shell commands, in order")
    problems: list[str] = Field(description="failed runs and excluded configurations, why")


def _results_flag(snap: StoreSnapshot) -> str:
    """Empty for the built-in default path; otherwise the flag (the dashboard's environment,
    ESTIMATOR_RESULTS included, is not the user's shell)."""
    if snap.path == paths.data_dir() / "results.sqlite":
        return ""
    return f" --results {shlex.quote(str(snap.path))}"


def empty_store_help(snap: StoreSnapshot) -> EmptyStoreHelp:
    flag = _results_flag(snap)
    commands = [
        f"estimator run quick{flag}",
        f"estimator dashboard{flag}",
    ]
    if not snap.exists:
        headline = "No results yet"
        detail = (
            f"There is no results store at {snap.path}. Measure the sample apps (the 'quick' "
            "scenario: about 6 minutes on 2 cores), then reload this page. `make demo` does "
            "the setup, the measurement and opens this dashboard."
        )
    elif not snap.rows:
        headline = "The results store is empty"
        detail = f"{snap.path} holds no runs. Measure a scenario into it, then reload this page."
    else:
        headline = "No configuration can be compared yet"
        detail = (
            f"{snap.path} holds {len(snap.rows)} run(s) but none that finished with usable "
            "measurements. The reasons are below; fix them and measure again "
            "(`--force` re-runs cells that already finished)."
        )
        commands[0] += " --force"
    problems = [
        f"run {r.id} ({r.config_key}): {r.failure or r.status}"
        for r in snap.rows
        if r.status != "ok"
    ]
    problems += [f"{e.key}: {e.reason}" for e in snap.excluded]
    return EmptyStoreHelp(headline=headline, detail=detail, commands=commands, problems=problems)
