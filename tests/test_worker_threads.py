"""BLAS threads per Celery pool process (provenance/worker_threads.py): the cores are shared out
between the pool processes unless BLAS_THREADS says otherwise, and the limit reaches OpenBLAS."""

from __future__ import annotations

import subprocess
import sys

import pytest

from provenance.worker_threads import blas_threads


@pytest.mark.parametrize(
    ("configured", "concurrency", "available", "expected"),
    [
        (0, 1, 2, 2),  # one pool process: every core
        (0, 2, 2, 1),  # one per core
        (0, 4, 2, 1),  # more processes than cores: never fewer than one thread
        (0, 2, 8, 4),
        (3, 1, 2, 3),  # BLAS_THREADS wins
    ],
)
def test_the_cores_are_shared_out_between_pool_processes(configured, concurrency, available, expected):
    assert blas_threads(configured, concurrency, available) == expected


def test_the_limit_reaches_openblas_in_the_process_it_is_set_in():
    code = (
        "import numpy, threadpoolctl\n"
        "from provenance.worker_threads import limit_blas_threads\n"
        "before = [p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas']\n"
        "print(before[0], limit_blas_threads(1))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"OPENBLAS_NUM_THREADS": "2"},
    )
    assert out.stdout.split() == ["2", "1"]
