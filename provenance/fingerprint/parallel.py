"""The files of one checkpoint passed by several worker processes at once, merged in file order.

One file's pass is bound by its SHA-256 (a digest cannot be split across cores) and by the disk; a
sharded checkpoint has many files, so ``fingerprint_checkpoint(processes=N)`` gives each of N
processes whole files (``stats._file_pass``, the function the one-process pass calls) and merges the
``ShardResult`` s in file order: the fingerprint is bit-identical to the sequential one whatever
process took which file (``tests/fingerprint/test_parallel.py`` compares the JSON bytes).

Processes, not threads: the statistics of one file already keep a core busy beside its hashers.
They start from a ``forkserver`` with the engine and its compiled kernel preloaded
(``_worker_preload.py``), so a child costs a fork, not a Python start-up, and nothing of the caller (a Celery worker's threads, database connections) is
forked into it. Memory: each process holds one file's pass (four chunk buffers, the compiled
kernel, the results of its file), so the peak RSS per process is the one-process figure.
Checkpoints under ``MIN_BYTES`` (4 GB: where the pool starts to pay) are passed in the caller. Progress: each child writes its bytes done into a shared array that the caller sums every half
second. An engine error in a child (a truncated shard) arrives whole in the caller (``errors.py``
pickles its file and tensor) and cancels the files not yet started.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from typing import Any

from .safetensors_format import SafetensorsFile

# Below this size a checkpoint is passed in the calling process. The first parallel pass of a process
# starts the forkserver (importing numpy and numba once, about 1-2 CPU-s), and one pass already keeps
# two cores busy (the statistics, and the SHA-256 in its own thread). Measured on the 2-core machine
# (benchmarks/RESULTS_STARTUP.md), two processes against one: 2.89x the time at 146 MB, 1.36-1.41x
# from 0.5 to 2.6 GB, 0.76x at 5.2 GB; the crossover is about 4 GB.
MIN_BYTES = 4 * 10**9


class Unavailable(RuntimeError):
    """Worker processes could not be started in this process; the caller passes the files itself."""


_done: Any = None  # the shared array of bytes done per file, in a worker process


def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["provenance.fingerprint._worker_preload"])
    return ctx


def _init(done: Any) -> None:
    global _done
    _done = done


def _pass(index: int, sf: SafetensorsFile, specs: dict, chunk_bytes: int, sample_size: int, seed: int):
    from .stats import _file_pass

    def progress(done: int, _total: int) -> None:
        _done[index] = done

    return _file_pass(sf, specs, chunk_bytes, sample_size, seed, progress)


def file_passes(
    jobs: list[tuple[SafetensorsFile, dict]],
    processes: int,
    chunk_bytes: int,
    sample_size: int,
    seed: int,
    progress,
) -> list:
    """``_file_pass`` of every (file, its part specs) in ``processes`` worker processes; the results
    in the order of ``jobs``. ``progress(bytes_done, bytes_total)`` about every half second."""
    if multiprocessing.current_process()._config.get("daemon"):
        # A Celery (billiard) pool process: multiprocessing refuses children there, and lifting that
        # guard left a report unfinished after its worker was killed (the sweep's rescue did not
        # complete in tests/pipeline/test_pipeline_worker.py). Workers share files through shard
        # tasks instead (SHARD_TASKS_MIN_SHARDS, with --concurrency = the cores).
        raise Unavailable("this is a daemonic (Celery pool) process")
    ctx = _context()
    done = ctx.Array("q", len(jobs), lock=False)
    total = sum(sf.size for sf, _ in jobs)
    pool = ProcessPoolExecutor(min(processes, len(jobs)), mp_context=ctx, initializer=_init, initargs=(done,))
    try:
        try:
            futures = [
                pool.submit(_pass, i, sf, specs, chunk_bytes, sample_size, seed)
                for i, (sf, specs) in enumerate(jobs)
            ]
        except (AssertionError, TypeError, OSError) as exc:
            raise Unavailable(f"worker processes cannot be started here: {exc}") from exc
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
            if progress is not None:
                progress(min(sum(done), total), total)
            for f in finished:
                if f.exception() is not None:
                    raise f.exception()
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
