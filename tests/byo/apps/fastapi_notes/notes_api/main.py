# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
"""A small external FastAPI app for estimator's bring-your-own-app tests.

It depends on `inflection`, which estimator's own environment does not have."""

from __future__ import annotations

import inflection
from fastapi import FastAPI, HTTPException, Path
from pydantic import BaseModel

app = FastAPI(title="notes")

NOTES = {i: f"note number {i} about {inflection.pluralize('cat')}" for i in range(1, 101)}


class NoteIn(BaseModel):
    text: str


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/notes")
def list_notes(limit: int = 10) -> list[dict[str, object]]:
    return [{"id": i, "title": inflection.titleize(t)} for i, t in list(NOTES.items())[:limit]]


@app.get("/notes/{note_id}")
def get_note(note_id: int = Path(..., examples=[7])) -> dict[str, object]:
    if note_id not in NOTES:
        raise HTTPException(status_code=404, detail="no such note")
    return {"id": note_id, "text": NOTES[note_id], "slug": inflection.parameterize(NOTES[note_id])}


@app.get("/search")
def search(q: str) -> list[int]:
    return [i for i, t in NOTES.items() if q in t]


@app.post("/notes")
def add_note(note: NoteIn) -> dict[str, int]:
    return {"id": len(NOTES) + 1}
