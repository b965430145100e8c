"""Where the app's files are."""

from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = APP_DIR.parent / "common" / "templates"  # shared with the Flask app
