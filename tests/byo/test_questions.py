"""`estimator init`'s questions: only what the flags left open, guesses as defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.errors import ConfigError
from estimator.onboard.describe import InitRequest
from estimator.onboard.questions import ask_missing
from tests.byo.conftest import APPS_DIR


class Answers:
    """Answers questions by a word they contain; Enter (the default) otherwise."""

    def __init__(self, **answers: str) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    def __call__(self, question: str, default: str) -> str:
        self.asked.append((question, default))
        for word, answer in self.answers.items():
            if word.replace("_", " ").lower() in question.lower():
                return answer
        return default


def test_defaults_come_from_the_project_files() -> None:
    ask = Answers()
    request = ask_missing(InitRequest(project=APPS_DIR / "django_inventory"), ask)
    assert request.entry == "inventory.wsgi:application"
    assert request.requirements == [Path("requirements.txt")]
    assert request.env == {"DJANGO_SETTINGS_MODULE": "inventory.settings"}
    assert request.setup == [["python", "manage.py", "migrate", "--noinput"]]
    assert request.health_path is None  # auto: init finds one that answers 2xx
    assert request.paths is None  # auto: from the app's routes
    assert not request.openapi
    assert request.output == Path("scenario.toml")
    assert "Project directory" not in " ".join(q for q, _ in ask.asked)


def test_answers_override_and_flags_are_not_asked(tmp_path: Path) -> None:
    ask = Answers(
        load_test="openapi", requirements="none", setup="python seed.py --small", health="/ping"
    )
    given = InitRequest(
        project=APPS_DIR / "fastapi_notes", entry="notes_api.main:app", output=tmp_path / "s.toml"
    )
    request = ask_missing(given, ask)
    assert request.openapi
    assert request.requirements == []
    assert request.setup == [["python", "seed.py", "--small"]]
    assert request.health_path == "/ping"
    questions = " ".join(q for q, _ in ask.asked)
    assert "entry point" not in questions
    assert "Scenario file" not in questions
    assert "DJANGO" not in questions  # not a Django project


def test_load_test_answer_can_be_a_locustfile() -> None:
    request = ask_missing(
        InitRequest(project=APPS_DIR / "flask_shop"), Answers(load_test="load/my_test.py")
    )
    assert request.locustfile == Path("load/my_test.py")
    assert request.paths is None


class Replies:
    """Answers every question with the next reply in turn."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.asked: list[str] = []

    def __call__(self, question: str, default: str) -> str:
        self.asked.append(question)
        return self.replies.pop(0) if "Setup" in question or "quote" in question else default


def test_a_setup_answer_with_an_open_quote_is_asked_again() -> None:
    ask = Replies("python -c 'x", "python seed.py")
    request = ask_missing(InitRequest(project=APPS_DIR / "flask_shop", entry="shop:app"), ask)
    assert request.setup == [["python", "seed.py"]]
    assert any("leaves a quote open" in q for q in ask.asked)


def test_a_setup_answer_left_open_every_time_is_a_config_error() -> None:
    ask = Replies("a 'b", "c 'd", "e 'f")
    with pytest.raises(ConfigError, match="a quote is not closed"):
        ask_missing(InitRequest(project=APPS_DIR / "flask_shop", entry="shop:app"), ask)
