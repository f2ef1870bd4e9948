"""What the whole test run shares: a folder made by the process pytest was started in (the xdist
controller, or the only process) before its workers start, inherited by them and by every process they
start (``tests/conftest.py`` creates it)."""

from __future__ import annotations

import os
from pathlib import Path

RUN_DIR_VARIABLE = "PROVENANCE_TEST_RUN_DIR"


def run_dir() -> Path:
    return Path(os.environ[RUN_DIR_VARIABLE])


def run_nulls():
    """The run's kept alignment nulls (``provenance.fingerprint.null_cache``): one JSON file per key,
    written whole (``os.replace``), so two processes that compute one key at once leave one file."""
    from provenance.fingerprint.null_cache import FileNullCache

    return FileNullCache(run_dir() / "nulls")
