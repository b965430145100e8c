"""Stage: bring your own app. Everything between "here is my project directory" and a
scenario that `estimator run` measures without surprises:

- detection from the project's files (`detect`: entry points, requirements, Django settings),
- the app probed in its own environment (`probe`: WSGI or ASGI, what paths answer),
- the OpenAPI document fetched from a briefly started server (`fetch`),
- starter load tests (`starter`) and the scenario file (`scenario_file`),
- `estimator init` itself (`describe.init_app`, with `questions` for a terminal),
- the preflight of an app × interpreter variant before a sweep measures it
  (`preflight_check`, `preflight_models`).

Comes after `measure` (a preflight provisions exactly the environment a run uses) and
before `sweep` (which runs one preflight per app × variant before its cells). The user's app
is only ever imported by its own environment's interpreter, never by estimator's.
"""

from estimator.onboard.preflight_check import first_cells, preflight
from estimator.onboard.preflight_models import (
    STEP_STAGE,
    STEP_TEXT,
    PreflightResult,
    PreflightStep,
)
from estimator.onboard.probe import (
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
