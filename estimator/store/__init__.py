"""Stage: the SQLite results store (runs, phases, time series, failures) and the per-config
summaries over repetitions that the capacity model consumes."""
