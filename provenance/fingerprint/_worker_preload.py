"""Imported once by the forkserver of ``parallel.py``, before it forks the worker processes: the engine
and its compiled histogram kernel (both signatures), so each worker starts with them loaded instead
of paying numba's start-up (about 0.5 CPU-s) itself."""

import numpy as np

from . import kernels, stats  # noqa: F401 - loaded for the forked workers

for _codes in (np.zeros(1, np.uint8), np.zeros(1, np.uint16)):
    kernels.histogram(_codes, np.zeros(65536, np.int64))
