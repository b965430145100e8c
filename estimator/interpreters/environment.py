"""The models of provisioning: what an app needs, and the environment built for it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.interpreters.variants import ResolvedVariant
from estimator.interpreters.worker_facts import FACTS_DIR_ENV

Installer = Literal["uv", "pip"]


class RequirementSet(Model):
    """What an app needs installed. Files are hashed by content (path kept for messages)."""

    files: list[Path] = Field(default_factory=list, description="requirements files")
    specifiers: list[str] = Field(default_factory=list, description="e.g. 'flask>=3'")
    project_dir: Path | None = Field(
        None, description="a project with a pyproject.toml, installed editable (-e DIR)"
    )
    setup: list[list[str]] = Field(
        default_factory=list,
        description="argv commands run once per environment in `workdir` (a leading 'python' "
        "is the environment's interpreter)",
    )
    workdir: Path | None = Field(None, description="where setup commands run")
    pass_env: list[str] = Field(
        default_factory=list,
        description="names of estimator's environment variables the setup commands get",
    )
    setup_env: dict[str, str] = Field(
        default_factory=dict,
        description="the app's environment variables, for the setup commands (which also get "
        "the environment's bin first on PATH)",
    )


class Environment(Model):
    """A ready virtual environment for one resolved variant."""

    path: Path
    python: Path
    key: str
    variant: ResolvedVariant
    installer: Installer
    packages: dict[str, str] = Field(description="installed distributions: name -> version")
    site_packages: Path
    requirements: RequirementSet
    created_at: float
    build_seconds: float
    hook: str = Field(description="fingerprint of the worker-facts hook placed in it")

    @property
    def bin_dir(self) -> Path:
        return self.python.parent

    def run_env(self, base: Mapping[str, str], facts_dir: Path | None = None) -> dict[str, str]:
        """`base` plus what processes of this variant need: the variant's variables
        (PYTHON_GIL, PYTHON_JIT, ESTIMATOR_CINDERX), the venv first on PATH and, with
        `facts_dir`, the worker-facts hook switched on."""
        env = dict(base)
        env.update(self.variant.env)
        env["VIRTUAL_ENV"] = str(self.path)
        env["PATH"] = os.pathsep.join([str(self.bin_dir), base.get("PATH", "/usr/bin:/bin")])
        env.pop("PYTHONHOME", None)
        if facts_dir is not None:
            env[FACTS_DIR_ENV] = str(facts_dir)
        return env
