"""Stage: calibration. A fixed CPU benchmark made of the Flask sample app's own request work,
run per interpreter variant on this machine or one reached over ssh; its scores relate a
target family's CPU to the measuring host's (`estimator calibrate`, docs/model.md).

Comes after the interpreters stage (it provisions the variants' environments) and before
capacity, whose CPU speeds it can replace."""

from estimator.calibrate.book import (
    book_path,
    family_of,
    import_target,
    load_book,
    load_scores,
    ratios,
    record_host,
    save_book,
    scores_json,
    targets,
)
from estimator.calibrate.local import local_workers
from estimator.calibrate.models import (
    CalibrateError,
    CalibrationBook,
    CalibrationEntry,
    VariantScore,
)
from estimator.calibrate.remote import SshTarget, remote_workers
from estimator.calibrate.runner import Protocol, Worker, measure

__all__ = [
    "CalibrateError",
    "CalibrationBook",
    "CalibrationEntry",
    "Protocol",
    "SshTarget",
    "VariantScore",
    "Worker",
    "book_path",
    "family_of",
    "import_target",
    "load_book",
    "load_scores",
    "local_workers",
    "measure",
    "ratios",
    "record_host",
    "remote_workers",
    "save_book",
    "scores_json",
    "targets",
]
