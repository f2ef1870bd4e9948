"""Progress of a long read, for a person at a terminal or for a log file.

``progress_reporter(desc)`` is a context manager giving a ``Progress`` callback ``(done, total)``
in bytes. On a terminal it draws a tqdm bar that disappears when done; anywhere else (a pipe, a
log file, a Celery worker's stderr) it writes a plain line at most every ``interval`` seconds plus
one when the read completes - never carriage returns, which a log stores as one endless line of
hundreds of updates. ``quiet`` turns it off.

A report's phases (``read_phase``, ``compare_phase``, ``CHARTS_PHASE``) say what a worker is doing
now; ``phase_text`` and ``phase_fraction`` are the one place that turns them into words and a share:
the site, the API and the admin show them (through ``FingerprintReport.progress_state``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from .sizes import human_bytes

if TYPE_CHECKING:
    from .stats import Progress  # the type only: stats loads NumPy

LOG_INTERVAL_SECONDS = 5.0


class LineProgress:
    """A ``Progress`` callback that writes ``desc: 1.2 GB of 4.9 GB (24 %)`` lines, rate-limited."""

    def __init__(self, desc: str, stream: TextIO, interval: float = LOG_INTERVAL_SECONDS) -> None:
        self.desc, self.stream, self.interval = desc, stream, interval
        self._last: float | None = None
        self._finished = False

    def __call__(self, done: int, total: int) -> None:
        complete = bool(total) and done >= total
        now = time.monotonic()
        if complete and self._finished:
            return
        if complete or self._last is None or now - self._last >= self.interval:
            self._last, self._finished = now, complete
            percent = min(100, 100 * done // total) if total else 0
            self.stream.write(f"{self.desc}: {human_bytes(done)} of {human_bytes(total)} ({percent} %)\n")
            self.stream.flush()


@contextmanager
def progress_reporter(
    desc: str, *, stream: TextIO | None = None, quiet: bool = False, interval: float = LOG_INTERVAL_SECONDS
) -> Iterator[Progress]:
    """A progress callback for the ``with`` block: a bar on a terminal, periodic lines elsewhere."""
    stream = stream if stream is not None else sys.stderr
    if quiet:
        yield lambda _done, _total: None
        return
    if not stream.isatty():
        yield LineProgress(desc, stream, interval)
        return
    from tqdm import tqdm

    with tqdm(total=0, unit="B", unit_scale=True, desc=desc, file=stream, leave=False) as bar:

        def update(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield update


# Phases of a report, for a reader watching it: what the worker is doing now, in words.
# A phase is a plain dict (the knowledge base stores it as JSON on the report):
#   {"step": "read", "model": "A", "done": bytes, "total": bytes}
#   {"step": "compare", "method": name, "index": 1, "count": 6}   (index counts from 1)
#   {"step": "charts"}
PHASE_STEPS = ("read", "compare", "charts")


def read_phase(model: str, done: int, total: int) -> dict:
    return {"step": "read", "model": model, "done": int(done), "total": int(total)}


def compare_phase(method: str, index: int, count: int) -> dict:
    return {"step": "compare", "method": method, "index": index, "count": count}


CHARTS_PHASE = {"step": "charts"}


def phase_fraction(phase: Mapping[str, Any] | None) -> float | None:
    """How far the current phase is, 0 … 1 (reading: bytes of this model; comparing: methods begun
    before this one); None when the phase has no measure (drawing charts) or is unknown."""
    phase = phase or {}
    if phase.get("step") == "read" and phase.get("total"):
        return min(1.0, phase["done"] / phase["total"])
    if phase.get("step") == "compare" and phase.get("count"):
        return (phase["index"] - 1) / phase["count"]
    return None


def phase_text(phase: Mapping[str, Any] | None) -> str:
    """ "reading model A: 42 %", "computing the Centred cosine of aligned weight matrices (method 3 of
    6)", "drawing charts"; "" for no phase. Methods are named by their titles."""
    from .methods import method_title

    phase = phase or {}
    step = phase.get("step")
    if step == "read":
        fraction = phase_fraction(phase)
        return f"reading model {phase.get('model')}" + (
            f": {int(100 * fraction)} %" if fraction is not None else ""
        )
    if step == "compare":
        return (
            f"computing {method_title(phase.get('method') or '')} "
            f"(method {phase.get('index')} of {phase.get('count')})"
        )
    if step == "charts":
        return "drawing charts"
    return ""
