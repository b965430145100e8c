"""The base every stage's typed model derives from."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Immutable, strict about unknown keys: a typo in a scenario or a stale field in stored
    JSON is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class InputModel(Model):
    """What a user writes (scenario, traffic, assumptions): also no `inf`/`nan`, which JSON
    can't carry (stored as null, a stored run would no longer read back)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
