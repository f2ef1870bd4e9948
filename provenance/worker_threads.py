"""How many BLAS threads each Celery pool process may use, set when the process starts.

NumPy's OpenBLAS starts one thread per core in every process. A worker with ``--concurrency N`` on
C cores then runs N × C BLAS threads, and OpenBLAS threads spin while they wait for work: when the
cores are busy with anything else (another pool process, the web server, a download), the spinning
threads take the CPU from the one doing the work. Measured on this project's 2-core machine with one
core busy: a tiny lineage report took 30 CPU-s in a pool process with 2 BLAS threads, 3 CPU-s with 1
(docs/operations.md, "Running workers in production"). So each pool process gets cores ÷ concurrency threads (at least 1) unless
``BLAS_THREADS`` says otherwise, through threadpoolctl (the library scikit-learn uses for this).
"""

from __future__ import annotations

import os


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def blas_threads(configured: int, concurrency: int, available: int | None = None) -> int:
    """``configured`` if set (> 0), else the cores shared out between the pool processes, at least 1."""
    if configured > 0:
        return configured
    return max(1, (available if available is not None else cores()) // max(1, concurrency))


def limit_blas_threads(threads: int) -> int:
    """Set this process's BLAS pools to ``threads``; returns what OpenBLAS (or MKL) now reports."""
    from threadpoolctl import threadpool_info, threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    return min((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"), default=threads)
