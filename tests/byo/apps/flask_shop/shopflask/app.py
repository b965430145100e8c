# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
"""A small external Flask app for estimator's bring-your-own-app tests.

It depends on `humanize`, which estimator's own environment does not have: if the app were
imported by estimator instead of by its own environment, it would fail."""

from __future__ import annotations

import humanize
from flask import Flask, abort, jsonify

ITEMS = [
    {"id": i, "name": f"item {i}", "bytes": i * 1_234_567, "views": i * 98_765}
    for i in range(1, 51)
]

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.get("/")
def home() -> object:
    return jsonify(app="shopflask", items=len(ITEMS))


@app.get("/api/items")
def items() -> object:
    return jsonify(
        [
            {**it, "size": humanize.naturalsize(it["bytes"]), "seen": humanize.intword(it["views"])}
            for it in ITEMS[:20]
        ]
    )


@app.get("/api/items/<int:item_id>")
def item(item_id: int) -> object:
    if not 1 <= item_id <= len(ITEMS):
        abort(404)
    it = ITEMS[item_id - 1]
    return jsonify({**it, "size": humanize.naturalsize(it["bytes"])})
