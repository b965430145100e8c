# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
"""Imports a package its requirements don't list."""

import estimator_fixture_not_installed  # noqa: F401
from plain import app  # noqa: F401
