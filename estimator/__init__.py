"""estimator: measure a Python web backend under interpreters and servers, then price it.

The package is a pipeline, one stage per module, data flowing one way:

    scenario -> interpreters -> serve -> load + sample -> measure -> store
             -> capacity -> pricing -> estimate -> report

No stage imports a later one; the CLI (``estimator.cli``) is the only layer that turns
exceptions into messages and exit codes.
"""

__version__ = "0.1.0"
