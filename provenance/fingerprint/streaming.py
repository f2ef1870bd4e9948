"""A sequential pass over safetensors files, pipelined: read-ahead and hashing run in threads.

Reading (``os.preadv``), hashing (``hashlib`` and ``blake3`` on large buffers) and the statistics
kernel of the caller (``kernels.histogram``, numba ``nogil``) all release the GIL. So a pass over a
file runs four things at once: a reader thread that keeps ``READ_AHEAD`` chunks in flight, two hasher
threads - the file's SHA-256 (OpenSSL's, about 0.48 CPU-ns per byte with SHA-NI; one digest cannot be
split across cores, so on a fast disk it is the limit of one file's pass) and the current tensor's
BLAKE3 (about 0.2 CPU-ns per byte single-threaded with SIMD: schema 1 used a second SHA-256 here) -
and the caller's thread computing statistics. BLAKE3 runs single-threaded: the other threads already
use every core of a 2-core machine, and several files are passed at once across processes
(``stats.fingerprint_checkpoint(processes=N)``) on larger ones. The threads and the buffers are kept
from one file to the next (``Pipeline``): a file's SHA-256 is finished while the next file is read.

Memory: ``BUFFERS`` reusable buffers of the largest piece (the chunk size); a buffer is reused
only after the caller has returned from it and both hashers are done with it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import blake3

from .errors import TruncatedFileError
from .safetensors_format import SafetensorsFile, TensorInfo

BUFFERS = 4
READ_AHEAD = 2  # < BUFFERS - 1, so the buffer being read into was hashed two pieces ago


@dataclass(frozen=True)
class Piece:
    """A run of bytes of one file: the header (``tensor`` None) or part of one tensor."""

    tensor: TensorInfo | None
    offset: int  # absolute byte offset in the file
    size: int
    element: int  # index of the first element within the tensor (0 for the header)


def plan_pieces(
    sf: SafetensorsFile, step_bytes: Callable[[TensorInfo], int], header_step: int
) -> list[Piece]:
    """The file's pieces in file order: the header, then each tensor in steps of ``step_bytes(t)``
    bytes (a multiple of its itemsize). Zero-byte tensors get one empty piece so they are seen."""
    pieces = [
        Piece(None, o, min(header_step, sf.header_bytes - o), 0)
        for o in range(0, sf.header_bytes, header_step)
    ]
    for t in sf.tensors:
        step = step_bytes(t)
        if t.nbytes == 0:
            pieces.append(Piece(t, t.start, 0, 0))
        for off in range(0, t.nbytes, step):
            pieces.append(Piece(t, t.start + off, min(step, t.nbytes - off), off // t.itemsize))
    return pieces


def _pread_exact(fd: int, view: memoryview, offset: int, sf: SafetensorsFile, piece: Piece) -> memoryview:
    got = 0
    while got < len(view):
        k = os.preadv(fd, [view[got:]], offset + got)
        if k == 0:
            what = f"tensor {piece.tensor.name!r}" if piece.tensor else "its header"
            raise TruncatedFileError(
                f"shard {sf.name} is truncated: it ended while reading {what}",
                path=str(sf.path),
                tensor=piece.tensor.name if piece.tensor else None,
            )
        got += k
    return view


class Pipeline:
    """The threads and the read buffers of a sequential pass, kept from one file to the next.

    ``stream`` returns as soon as the statistics have seen a file's last piece: the file's SHA-256 and
    its last tensor's BLAKE3 are still being computed in their threads (futures) while the next file's
    first pieces are read and handed to the statistics. One SHA-256 stream cannot be split, so the
    pass of a sharded checkpoint can only be as fast as one SHA-256 stream over all its files: a stop
    at each file boundary to wait for the hasher is time that stream never gets back.

    Memory: ``BUFFERS`` buffers of ``largest`` bytes for all the files: a buffer is reused only after
    every hasher of the piece it held (of this file or the previous one) is done with it.
    """

    def __init__(self, largest: int) -> None:
        self.bufs = [memoryview(bytearray(max(largest, 1))) for _ in range(BUFFERS)]
        self.in_use: list[list[Future]] = [[] for _ in range(BUFFERS)]
        self.first = 0  # the buffer the next file's first piece goes into: the ring goes on across files

    def __enter__(self) -> Pipeline:
        self.reader = ThreadPoolExecutor(1)
        self.file_hasher = ThreadPoolExecutor(1)
        self.tensor_hasher = ThreadPoolExecutor(1)
        return self

    def __exit__(self, *_exc: object) -> None:
        for pool in (self.reader, self.file_hasher, self.tensor_hasher):
            pool.shutdown(wait=True)

    def stream(
        self, sf: SafetensorsFile, pieces: list[Piece], on_piece: Callable[[Piece, memoryview], None]
    ) -> tuple[Future[str], dict[str, Future[str]]]:
        """Read ``pieces`` in order, calling ``on_piece(piece, bytes)`` in the caller's thread for each
        (the view is valid only during the call). Returns, as futures, the SHA-256 of all the pieces'
        bytes (the file's, when the pieces tile it) and the BLAKE3 of each tensor's bytes."""
        if any(p.size > len(self.bufs[0]) for p in pieces):
            raise ValueError("a piece is larger than the pipeline's buffers")
        file_hash = hashlib.sha256()
        tensor_hashes: dict[str, Future[str]] = {}
        reads: dict[int, Future[memoryview]] = {}
        with open(sf.path, "rb", buffering=0) as f:
            fd = f.fileno()
            if hasattr(os, "posix_fadvise"):  # a larger kernel read-ahead for one front-to-back pass
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)

            def read(i: int) -> Future[memoryview]:
                p, slot = pieces[i], (self.first + i) % BUFFERS
                for fut in self.in_use[slot]:
                    fut.result()
                return self.reader.submit(_pread_exact, fd, self.bufs[slot][: p.size], p.offset, sf, p)

            try:
                reads.update((i, read(i)) for i in range(min(READ_AHEAD, len(pieces))))
                current: blake3.blake3 | None = None
                for i, p in enumerate(pieces):
                    view = reads.pop(i).result()
                    futs = [self.file_hasher.submit(file_hash.update, view)]
                    if p.tensor is not None:
                        if p.element == 0:
                            current = blake3.blake3(max_threads=1)
                        futs.append(self.tensor_hasher.submit(current.update, view))  # type: ignore[union-attr]
                        if p.offset + p.size == p.tensor.start + p.tensor.nbytes:
                            tensor_hashes[p.tensor.name] = self.tensor_hasher.submit(current.hexdigest)  # type: ignore[union-attr]
                    self.in_use[(self.first + i) % BUFFERS] = futs
                    if i + READ_AHEAD < len(pieces):
                        reads[i + READ_AHEAD] = read(i + READ_AHEAD)
                    on_piece(p, view)
            finally:
                wait(reads.values())  # no read of this file left running when its descriptor closes
        self.first = (self.first + len(pieces)) % BUFFERS
        return self.file_hasher.submit(file_hash.hexdigest), tensor_hashes


def largest_piece(pieces: list[Piece]) -> int:
    return max((p.size for p in pieces), default=0)


def stream_file(
    sf: SafetensorsFile,
    pieces: list[Piece],
    on_piece: Callable[[Piece, memoryview], None],
) -> tuple[str, dict[str, str]]:
    """One file's ``Pipeline.stream``, waited for: the SHA-256 of all the pieces' bytes (the file's,
    when the pieces tile it) and the BLAKE3 of each tensor's bytes."""
    with Pipeline(largest_piece(pieces)) as pipeline:
        digest, tensor_hashes = pipeline.stream(sf, pieces, on_piece)
        return digest.result(), {name: fut.result() for name, fut in tensor_hashes.items()}
