"""Stage: bring your own app. Check a user's app under each interpreter variant before a
sweep measures it (`preflight`), and describe a new app for `estimator init`: import it in
its own environment to tell WSGI from ASGI (`probe_app`), fetch its OpenAPI document from a
briefly started server (`fetch_openapi`), write the scenario and a starter locustfile
(`init_app`).

Comes after `measure` (a preflight provisions exactly the environment a run uses) and
before `sweep` (which runs one preflight per app × variant before its cells). The user's app
is only ever imported by its own environment's interpreter, never by estimator's.
"""

from estimator.preflight.check import first_cells, preflight
from estimator.preflight.models import STEP_STAGE, STEP_TEXT, PreflightResult, PreflightStep
from estimator.preflight.probe import (
    AppProbe,
    ImportFailure,
    PathCheck,
    describe_import_failure,
    probe_app,
)

__all__ = [
    "STEP_STAGE",
    "STEP_TEXT",
    "AppProbe",
    "ImportFailure",
    "PathCheck",
    "PreflightResult",
    "PreflightStep",
    "describe_import_failure",
    "first_cells",
    "preflight",
    "probe_app",
]
