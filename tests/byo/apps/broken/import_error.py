# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
"""A bug at import time: a name that does not exist."""

from json import loadz  # noqa: F401

from plain import app  # noqa: F401
