"""Progress of a long read, for a person at a terminal or for a log file.

``progress_reporter(desc)`` is a context manager giving a ``Progress`` callback ``(done, total)``
in bytes. On a terminal it draws a tqdm bar that disappears when done; anywhere else (a pipe, a
log file, a Celery worker's stderr) it writes a plain line at most every ``interval`` seconds plus
one when the read completes - never carriage returns, which a log stores as one endless line of
hundreds of updates. ``quiet`` turns it off.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from .safetensors_format import human_bytes
from .stats import Progress

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
