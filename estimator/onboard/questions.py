"""`estimator init`'s questions: only for what the flags did not say, each with a default
guessed from the project's files (Enter accepts it). `ask(question, default) -> answer` is
supplied by the CLI (a terminal prompt) or a test."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

from estimator.errors import ConfigError
from estimator.onboard.describe import InitRequest
from estimator.onboard.detect import django_settings, guess_entries, guess_requirements
from estimator.onboard.health import HEALTH_CANDIDATES

Ask = Callable[[str, str], str]
NONE = "none"
AUTO = "auto"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _load_answer(answer: str) -> dict[str, object]:
    """'auto', 'openapi', a .py file, or comma-separated URL paths."""
    if answer.lower() == AUTO:
        return {}
    if answer.lower() == "openapi":
        return {"openapi": True}
    if answer.endswith(".py"):
        return {"locustfile": Path(answer)}
    return {"paths": _split(answer)}


def _setup_answer(ask: Ask, default: str, tries: int = 3) -> list[list[str]]:
    """The setup command split like a shell would; asked again while a quote is left open."""
    question = "Setup command run once per environment (e.g. migrations)"
    for _ in range(tries):
        answer = ask(question, default)
        if answer == NONE:
            return []
        try:
            argv = shlex.split(answer)
        except ValueError:
            question = f"{answer!r} leaves a quote open; the setup command again ({NONE}: no setup)"
            continue
        return [argv] if argv else []
    raise ConfigError(
        f"setup command {answer!r}: a quote is not closed; close it, or give --setup "
        '"python manage.py migrate"'
    )


def ask_missing(request: InitRequest, ask: Ask) -> InitRequest:
    """`request` completed with answers to the questions its flags left open."""
    update: dict[str, object] = {}
    project = request.project
    if project is None:
        project = Path(ask("Project directory (the app's code)", "."))
        update["project"] = project
    directory = project.resolve()
    guesses = guess_entries(directory) if directory.is_dir() else []
    if request.entry is None:
        default = guesses[0].entry if guesses else ""
        update["entry"] = ask("App entry point (package.module:attribute)", default)
    if request.requirements is None:
        guessed = guess_requirements(directory) if directory.is_dir() else []
        default = ", ".join(map(str, guessed)) or NONE
        answer = ask("Requirements file(s) or pyproject.toml", default)
        update["requirements"] = [] if answer == NONE else [Path(p) for p in _split(answer)]
    settings = django_settings(directory) if directory.is_dir() else None
    env = dict(request.env)
    if settings and "DJANGO_SETTINGS_MODULE" not in env:
        env["DJANGO_SETTINGS_MODULE"] = ask("DJANGO_SETTINGS_MODULE", settings)
        update["env"] = env
    if not request.setup:
        default = "python manage.py migrate --noinput" if settings else NONE
        update["setup"] = _setup_answer(ask, default)
    if request.health_path is None:
        answer = ask(
            f"Health path answering 2xx ({AUTO}: first of {', '.join(HEALTH_CANDIDATES)})", AUTO
        )
        update["health_path"] = None if answer == AUTO else answer
    if (
        request.locustfile is None
        and request.paths is None
        and not request.openapi
        and request.openapi_url is None
    ):
        answer = ask(
            "Load test: a locustfile (.py), URL paths (comma separated, /path:weight), or "
            f"{AUTO} (from the app's OpenAPI document or routes)",
            AUTO,
        )
        update.update(_load_answer(answer))
    if request.output is None:
        update["output"] = Path(ask("Scenario file to write", "scenario.toml"))
    return InitRequest.model_validate({**request.model_dump(), **update})
