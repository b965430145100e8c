"""`estimator interpreters install`: plan (pure) and build CPython variants (free-threaded,
JIT, PGO+LTO) with uv or pyenv's python-build, into a place discovery scans."""

from estimator.interpreters.install.plan import (
    HostState,
    InstalledBuild,
    InstallOptions,
    InstallPlan,
    InstallSpec,
    parse_install_spec,
    plan_install,
)
from estimator.interpreters.install.run import InstallResult, execute

__all__ = [
    "HostState",
    "InstallOptions",
    "InstallPlan",
    "InstallResult",
    "InstallSpec",
    "InstalledBuild",
    "execute",
    "parse_install_spec",
    "plan_install",
]
