"""An app that fails while being imported."""

raise RuntimeError("fixture app broken on purpose")
