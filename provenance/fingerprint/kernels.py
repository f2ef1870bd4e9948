"""Compiled per-chunk kernel of the statistics pass (numba), with a NumPy fallback giving equal results.

:func:`histogram` adds the counts of the bit patterns of a chunk of a 1- or 2-byte dtype (``uint8`` /
``uint16`` codes) to a part's int64 histogram; ``stats.py`` derives the exact statistics of BF16, F16,
F8 and the small integer types from those counts. It is one pass over the raw codes, in the caller's
thread with the GIL released (numba ``nogil``), so it runs beside the two SHA-256 threads of
``streaming.py``. Measured on the benchmark VM (bf16, 16 MB chunks): 0.12 CPU-ns per byte, against
0.60 for the NumPy version (``np.bincount`` casts to int64, checks the range, then counts: three
passes). Integer counting, so both give identical counts (``tests/fingerprint/test_stats.py``).

Float32/float64 moments of safetensors tensors stay in NumPy: a compiled single pass measured no
faster than NumPy's vectorised passes over a cache-sized block (0.16 against 0.14 ns per byte).
:func:`float_moments` is the compiled two-pass version the GGUF pass uses on its dequantised float32
chunks (every value of a GGUF goes through it): 2.0 against 10 CPU-ns per value for ``stats._Moments``'
NumPy passes, measured on the loaded benchmark VM (4M float32 values in 256k slices).

The kernel is loaded on first use (:func:`compiled`); ``cache=True`` keeps the compiled code in
``__pycache__`` beside this file (about 1 s to compile, once per machine and signature; 0.5 CPU-s to
load numba and the cached code in each process). Without numba the NumPy version is used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

_SLICE = 2**18  # entries per bincount: its int64 temporary stays at 2 MB (in cache)


def histogram_numpy(codes: np.ndarray, counts: np.ndarray) -> None:
    """Add the counts of ``codes`` (uint8 or uint16) to ``counts`` (int64, 256 or 65,536 bins)."""
    if codes.size * 16 < counts.size:  # tiny slices: avoid a full-width bincount
        np.add.at(counts, codes, 1)
        return
    for i in range(0, codes.size, _SLICE):
        counts += np.bincount(codes[i : i + _SLICE], minlength=counts.size)


_lock = threading.Lock()
_jit: Callable[[np.ndarray, np.ndarray], None] | None = None
_tried = False


def compiled() -> Callable[[np.ndarray, np.ndarray], None] | None:
    """The compiled histogram kernel, or None without numba. Loaded on first use, not on import:
    numba and LLVM cost about 0.5 CPU-s and 180 MB of RSS, which a process that imports the engine
    without running a pass (the web app, the CLI's ``--help``) should not pay."""
    global _jit, _tried
    if not _tried:
        with _lock:
            if not _tried:
                _jit = _build()
                _tried = True
    return _jit


def _build() -> Callable[[np.ndarray, np.ndarray], None] | None:
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is pinned in requirements.txt
        return None

    @numba.njit(nogil=True, cache=True, boundscheck=False)
    def histogram_jit(codes, counts):  # pragma: no cover - compiled
        for c in codes:
            counts[c] += 1

    return histogram_jit


def histogram(codes: np.ndarray, counts: np.ndarray) -> None:
    """Add the counts of ``codes`` (uint8 or uint16) to ``counts`` (int64, 256 or 65,536 bins): with
    the compiled kernel when numba is there, else with :func:`histogram_numpy` (identical counts)."""
    bins = {np.dtype(np.uint8): 256, np.dtype(np.uint16): 65536}.get(codes.dtype)
    if bins is None or counts.dtype != np.int64 or counts.size < bins:  # the kernel checks no bounds
        raise ValueError("codes must be uint8 or uint16, counts int64 with one bin per code")
    kernel = compiled()
    if kernel is None:  # pragma: no cover
        histogram_numpy(codes, counts)
    else:
        kernel(codes, counts)


def float_moments_numpy(x: np.ndarray) -> tuple[int, int, int, float, float, float, float]:
    """(finite count, NaN count, Inf count, mean, centred sum of squares, min, max) of the finite
    entries of a float32 array, in float64; mean/min/max are 0/inf/-inf when none is finite."""
    finite = np.isfinite(x)
    nan = int(np.isnan(x).sum())
    inf = int(x.size - finite.sum()) - nan
    v = x[finite].astype(np.float64)
    if v.size == 0:
        return 0, nan, inf, 0.0, 0.0, np.inf, -np.inf
    mean = float(v.sum()) / v.size
    d = v - mean
    return int(v.size), nan, inf, mean, float(np.dot(d, d)), float(v.min()), float(v.max())


_moments_jit: Callable[[np.ndarray], tuple] | None = None
_moments_tried = False


def _build_moments() -> Callable[[np.ndarray], tuple] | None:
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is pinned in requirements.txt
        return None

    @numba.njit(nogil=True, cache=True, boundscheck=False)
    def moments_jit(x):  # pragma: no cover - compiled
        n = nan = inf = 0
        total = 0.0
        lo, hi = np.inf, -np.inf
        for v in x:
            if np.isnan(v):
                nan += 1
            elif np.isinf(v):
                inf += 1
            else:
                n += 1
                f = np.float64(v)
                total += f
                lo = min(lo, f)
                hi = max(hi, f)
        mean = total / n if n else 0.0
        m2 = 0.0
        for v in x:
            if np.isfinite(v):
                d = np.float64(v) - mean
                m2 += d * d
        return n, nan, inf, mean, m2, lo, hi

    return moments_jit


def float_moments(x: np.ndarray) -> tuple[int, int, int, float, float, float, float]:
    """:func:`float_moments_numpy` of a 1-D float32 array, compiled when numba is there (the same
    quantities; sums in float64 in order, so they agree to rounding with the NumPy version)."""
    global _moments_jit, _moments_tried
    if x.dtype != np.float32 or x.ndim != 1:
        raise ValueError("float_moments takes a 1-D float32 array")
    if not _moments_tried:
        with _lock:
            if not _moments_tried:
                _moments_jit = _build_moments()
                _moments_tried = True
    if _moments_jit is None:  # pragma: no cover
        return float_moments_numpy(x)
    n, nan, inf, mean, m2, lo, hi = _moments_jit(x)
    return int(n), int(nan), int(inf), float(mean), float(m2), float(lo), float(hi)
