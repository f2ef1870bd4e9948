"""The engine's command line as its tests run it: ``python -m provenance.fingerprint ...`` from the
repository root, in a fresh process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "provenance.fingerprint", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
