"""Stage: sample the server's and the load generator's processes with psutil.

Public API (used by `estimator.measure`):

- `Sampler(server_pid=..., generator_pids=...)`: a thread at 10 Hz (≥ 5 Hz) recording
  `ProcessSample`s; `.window(t0, t1) -> ResourceWindow` (server CPU-seconds and utilisation,
  per-worker USS/RSS/PSS, master memory, total PSS, shared memory, worker count, generator
  CPU and the `generator_bound` flag), `.series(t0, t1) -> [ResourcePoint]` per second,
  `.watch_server(pid)`, `.watch_generators(pids)`.
- `ResourceWindow.cpu_seconds_per_request(requests)`: server CPU-seconds per request.
- `summarize(samples, t0, t1)`, `SampleIndex`: the same summaries from stored samples.
- `GENERATOR_BOUND` (0.90): the busiest generator process's CPU fraction that marks a run
  generator-bound.
- `cpu`: the server tree's CPU in nanoseconds over a window (`read_tree`, `CpuAccount`,
  `CpuWindow`): what CPU per request is computed from; `Sampler.cpu_readings(t0, t1)` gives
  the readings taken meanwhile (processes born or gone inside the window).
"""

from estimator.sample.models import (
    GENERATOR_BOUND,
    ProcessSample,
    ResourcePoint,
    ResourceWindow,
    Role,
)
from estimator.sample.sampler import Sampler
from estimator.sample.source import ProcessProvider, ProcessReading, PsutilProvider
from estimator.sample.window import SampleIndex, SamplerError, summarize

__all__ = [
    "GENERATOR_BOUND",
    "ProcessProvider",
    "ProcessReading",
    "ProcessSample",
    "PsutilProvider",
    "ResourcePoint",
    "ResourceWindow",
    "Role",
    "SampleIndex",
    "Sampler",
    "SamplerError",
    "summarize",
]
