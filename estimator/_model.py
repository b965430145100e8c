"""The base every stage's typed model derives from."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Immutable, strict about unknown keys: a typo in a scenario or a stale field in stored
    JSON is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)
