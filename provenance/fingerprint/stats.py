"""The per-model statistics pass: one sequential read of every file -> a ``ModelFingerprint``.

Each file is read once, front to back, in chunks of ``chunk_bytes`` (tensors in file-offset order,
so the disk sees one sequential stream; ``streaming.py`` reads ahead and hashes in threads while this
module computes statistics). Every chunk feeds:

* the SHA-256 of the file (header bytes + tensor bytes; the reader refuses files with holes or
  trailing bytes, so this is the SHA-256 of the whole file) and the BLAKE3 of the tensor (its raw
  bytes);
* the statistics of each part the chunk touches (a part is a tensor or a slice of a fused tensor,
  see ``layouts.py``);
* the samples of 2-D weight parts at ``sample_positions(part.shape, sample_size, seed)``, positions in
  the logical (out, in) orientation mapped to stored offsets once per part.

Exactness: for 1- and 2-byte dtypes (BF16, F16, F8, 8/16-bit integers) a part's statistics come from a
histogram of its bit patterns (at most 65,536 bins; counted by the compiled one-pass kernel of
``kernels.py``, which releases the GIL so it runs beside the hashing threads), so they are exact sums in
float64 whatever the chunking; for F32/F64 each block's mean and centred sum of squares are computed in
float64 and merged with Chan's parallel formula, which is stable for any number of chunks.

NaN and Inf: ``count`` is the number of entries of the part; ``nan_count``/``inf_count`` say how many
are NaN or infinite; mean, std, Frobenius norm, min and max are over the finite entries only (NaN if
there are none; ``std_sample`` is NaN for fewer than two). A weight with NaN is reported, not raised.

GGUF (``gguf_format.py``): the same pipelined pass over each file, the pieces tiling it (header,
tensors in whole blocks or whole heads, alignment padding), so the file's SHA-256 and each tensor's
BLAKE3 are of the stored bytes; each tensor piece is dequantised (Q/K rows restored to the original order) and its
float32 values go through the float moments, compiled (``kernels.float_moments``) since every value
of a GGUF takes that path.

Memory: four read buffers of ``chunk_bytes`` (F32/F64 are read in place; only 32/64-bit integers get an
upcast copy of a chunk), 2 MB of temporaries, a 512 KB histogram per part of the tensor being read, the
samples (``sample_size`` float32 per sampled part) and the compiled kernel (numba and LLVM: about
180 MB, 135 MB of it the mapped LLVM library; the same at any size). Nothing grows with the
checkpoint's size except the per-part results (about 70 KB per sampled part). Measured peak RSS: ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache, lru_cache

import numpy as np

from . import kernels
from .checkpoint import Checkpoint
from .fingerprint import (
    FileRecord,
    ModelFingerprint,
    PartStats,
    TensorRecord,
    part_from_dict,
    part_to_dict,
    sample_positions,
)
from .gguf_format import GgufCheckpoint, GgufFile, GgufTensor, decode_piece
from .hashing import sha256_file
from .layouts import PartSpec, resolve_layout
from .reader import open_checkpoint
from .safetensors_format import DEFAULT_CHUNK_BYTES, DTYPES, SafetensorsFile, TensorInfo, decode
from .streaming import Piece, Pipeline, largest_piece, plan_pieces, stream_file

DEFAULT_SAMPLE_SIZE = 16384
Progress = Callable[[int, int], None]
_SLICE = 2**18
_FLOAT_VIEWS = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8")}


@lru_cache(maxsize=64)
def _positions(shape: tuple[int, ...], sample_size: int, seed: int) -> np.ndarray:
    """``sample_positions``, memoised: every layer's q_proj has the same shape, and drawing the
    positions costs milliseconds per part (read-only result: do not modify)."""
    positions = sample_positions(list(shape), sample_size, seed)
    positions.flags.writeable = False  # shared between passes and threads
    return positions


@cache
def _code_table(dtype: str) -> np.ndarray:
    """float64 value of every bit pattern of a 1- or 2-byte dtype, indexed by the pattern."""
    itemsize = DTYPES[dtype].itemsize
    codes = np.arange(256**itemsize, dtype=np.uint8 if itemsize == 1 else np.uint16)
    with np.errstate(invalid="ignore"):  # signalling NaN patterns are table entries, not errors
        table = decode(codes.view(np.uint8), dtype).astype(np.float64)
    table.flags.writeable = False  # shared between passes and threads
    return table


def _uses_histogram(dtype: str) -> bool:
    return DTYPES[dtype].itemsize <= 2


class _Histogram:
    """Exact statistics of a 1/2-byte dtype from counts of its bit patterns."""

    def __init__(self, dtype: str):
        self.dtype = dtype
        self.counts = np.zeros(256 ** DTYPES[dtype].itemsize, dtype=np.int64)

    def feed(self, codes: np.ndarray) -> None:
        kernels.histogram(codes, self.counts)

    def result(self) -> dict[str, float | int]:
        table = _code_table(self.dtype)
        nan = np.isnan(table)
        inf = np.isinf(table)
        fin = ~(nan | inf) & (self.counts > 0)
        c = self.counts[fin].astype(np.float64)
        v = table[fin]
        n = int(self.counts[fin].sum())
        out: dict[str, float | int] = {
            "nan_count": int(self.counts[nan].sum()),
            "inf_count": int(self.counts[inf].sum()),
        }
        if n == 0:
            return {**out, **_EMPTY}
        mean = float(np.dot(c, v)) / n
        m2 = float(np.dot(c, (v - mean) ** 2))
        return {**out, **_finish(n, mean, m2, float(v.min()), float(v.max()))}


class _Moments:
    """Float statistics merged chunk by chunk (Chan et al.): chunk mean and M2 in float64."""

    compiled = False  # _feed by NumPy passes; see _CompiledMoments

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.min = math.inf
        self.max = -math.inf
        self.nan = 0
        self.inf = 0

    def feed(self, x: np.ndarray) -> None:
        for i in range(0, x.size, _SLICE):  # bounds the float64 copy at 2 MB
            self._feed(x[i : i + _SLICE])

    def _feed(self, x: np.ndarray) -> None:
        finite = np.isfinite(x)
        if not finite.all():
            nans = int(np.isnan(x).sum())
            self.nan += nans
            self.inf += int(x.size - finite.sum()) - nans
            x = x[finite]
        nb = x.size
        if nb == 0:
            return
        self.min = min(self.min, float(x.min()))
        self.max = max(self.max, float(x.max()))
        d = x.astype(np.float64)  # a copy we may centre in place
        mb = float(d.sum()) / nb
        d -= mb
        m2b = float(np.dot(d, d))
        n = self.n + nb
        delta = mb - self.mean
        self.mean += delta * nb / n
        self.m2 += m2b + delta * delta * self.n * nb / n
        self.n = n

    def _merge(self, nb: int, mb: float, m2b: float, lo: float, hi: float) -> None:
        if nb == 0:
            return
        self.min = min(self.min, lo)
        self.max = max(self.max, hi)
        n = self.n + nb
        delta = mb - self.mean
        self.mean += delta * nb / n
        self.m2 += m2b + delta * delta * self.n * nb / n
        self.n = n

    def result(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {"nan_count": self.nan, "inf_count": self.inf}
        if self.n == 0:
            return {**out, **_EMPTY}
        return {**out, **_finish(self.n, self.mean, self.m2, self.min, self.max)}


_EMPTY = {
    "mean": math.nan,
    "std_pop": math.nan,
    "std_sample": math.nan,
    "fro_norm": math.nan,
    "min": math.nan,
    "max": math.nan,
}


def _finish(n: int, mean: float, m2: float, lo: float, hi: float) -> dict[str, float]:
    m2 = max(m2, 0.0)
    return {
        "mean": mean,
        "std_pop": math.sqrt(m2 / n),
        "std_sample": math.sqrt(m2 / (n - 1)) if n > 1 else math.nan,
        # sum of squares = M2 + n mean^2: both terms non-negative, so no cancellation.
        "fro_norm": math.sqrt(m2 + n * mean * mean),
        "min": lo,
        "max": hi,
    }


class _CompiledMoments(_Moments):
    """``_Moments`` with each slice's moments from the compiled ``kernels.float_moments`` (float32
    input only): the GGUF pass, whose every value is a dequantised float32, spends 5x less there."""

    def _feed(self, x: np.ndarray) -> None:
        nb, nan, inf, mb, m2b, lo, hi = kernels.float_moments(np.ascontiguousarray(x, dtype=np.float32))
        self.nan += nan
        self.inf += inf
        self._merge(nb, mb, m2b, lo, hi)


@dataclass
class _PartState:
    spec: PartSpec
    acc: _Histogram | _Moments
    ranges: list[tuple[int, int]] | None  # stored element ranges; None for a column part
    sample_at: np.ndarray | None  # stored flat offsets, ascending
    sample_order: np.ndarray | None  # sample_at[k] is logical sample sample_order[k]; None: identity
    sample_vals: np.ndarray | None


class _TensorPass:
    """Streams one tensor's chunks into its parts' accumulators and samples."""

    def __init__(
        self,
        t: TensorInfo,
        specs: list[PartSpec],
        sample_size: int,
        seed: int,
        moments: type[_Moments] = _Moments,
    ):
        self.t = t
        self.hist = _uses_histogram(t.dtype)
        self.width = t.shape[-1] if len(t.shape) >= 2 else 1
        self.parts: list[_PartState] = []
        for s in specs:
            at = order = vals = None
            if s.sampled and sample_size > 0:
                logical = _positions(s.shape, sample_size, seed)
                at = s.stored_index(logical)
                if s.cols is not None:  # only a transposed part visits stored offsets out of order
                    order = np.argsort(at)
                    at = at[order]
                vals = np.full(logical.size, np.nan, dtype=np.float32)
            acc = _Histogram(t.dtype) if self.hist else moments()
            ranges = None if s.cols is not None else s.element_ranges()
            self.parts.append(_PartState(s, acc, ranges, at, order, vals))

    @staticmethod
    def chunk_elements_for(t: TensorInfo, specs: list[PartSpec], chunk_bytes: int) -> int:
        """Elements per chunk: ``chunk_bytes`` worth, in whole stored rows if a part is a column slice."""
        n = max(1, chunk_bytes // t.itemsize)
        if any(s.cols is not None for s in specs):
            width = t.shape[-1] if len(t.shape) >= 2 else 1
            n = max(width, n - n % width)
        return n

    def feed(self, raw: memoryview, e0: int) -> None:
        if self.hist:
            data = np.frombuffer(raw, dtype=np.uint8 if self.t.itemsize == 1 else np.uint16)
        elif self.t.dtype in _FLOAT_VIEWS:  # the stored bytes are already the values: no copy
            data = np.frombuffer(raw, dtype=_FLOAT_VIEWS[self.t.dtype])
        else:
            data = decode(raw, self.t.dtype)
        e1 = e0 + data.size
        for p in self.parts:
            if p.ranges is None:
                c0, c1 = p.spec.cols  # type: ignore[misc]
                p.acc.feed(data.reshape(-1, self.width)[:, c0:c1].ravel())
            else:
                for a, b in p.ranges:
                    lo, hi = max(a, e0), min(b, e1)
                    if lo < hi:
                        p.acc.feed(data[lo - e0 : hi - e0])
            if p.sample_at is not None:
                i, j = np.searchsorted(p.sample_at, [e0, e1])
                if i < j:
                    got = data[p.sample_at[i:j] - e0]
                    p.sample_vals[i:j] = _code_table(self.t.dtype)[got] if self.hist else got  # type: ignore[index]

    def results(self) -> list[PartStats]:
        out = []
        for p in self.parts:
            s = p.spec
            sample = None
            if p.sample_vals is not None:
                sample = p.sample_vals
                if p.sample_order is not None:
                    sample = np.empty_like(p.sample_vals)
                    sample[p.sample_order] = p.sample_vals
            count = int(np.prod(s.shape, dtype=np.int64))
            out.append(
                PartStats(
                    key=s.key,
                    tensor=s.tensor,
                    layer=s.layer,
                    role=s.role,
                    expert=s.expert,
                    shape=list(s.shape),
                    count=count,
                    sample=sample,
                    **p.acc.result(),
                )
            )  # type: ignore[arg-type]
        return out


class _Consumer:
    """Receives the pieces of the pass in file order (in the caller's thread) and keeps the results."""

    def __init__(
        self,
        specs: dict[str, list[PartSpec]],
        sample_size: int,
        seed: int,
        total: int,
        progress: Progress | None,
    ):
        self.specs, self.sample_size, self.seed = specs, sample_size, seed
        self.total, self.done, self.progress = total, 0, progress
        self.current: _TensorPass | None = None  # one tensor at a time: only its sample positions live
        self.results: dict[str, list[PartStats]] = {}

    def on_piece(self, piece: Piece, raw: memoryview) -> None:
        t = piece.tensor
        if t is not None:
            if piece.element == 0:
                self.current = _TensorPass(t, self.specs.get(t.name, []), self.sample_size, self.seed)
            tp = self.current
            assert tp is not None and tp.t is t
            if piece.size:
                tp.feed(raw, piece.element)
            if piece.offset + piece.size == t.start + t.nbytes:
                self.results[t.name] = tp.results()
                self.current = None
        self.done += piece.size
        if self.progress is not None:
            self.progress(self.done, self.total)


@dataclass
class ShardResult:
    """One file's share of a fingerprint: the file's record, its tensors' records and their parts'
    statistics, in file-offset order. What a worker process (``processes=N``) or a pipeline shard
    task computes; ``merge_shards`` puts them together in file order, so the result does not depend
    on who computed which file or when. ``to_dict``/``from_dict`` round-trip exactly (floats as JSON
    reprs, samples as float32 bytes)."""

    file: FileRecord
    tensors: list[TensorRecord]
    parts: list[PartStats]

    def to_dict(self) -> dict:
        return {
            "file": asdict(self.file),
            "tensors": [asdict(t) for t in self.tensors],
            "parts": [part_to_dict(p) for p in self.parts],
        }

    @classmethod
    def from_dict(cls, d: dict) -> ShardResult:
        return cls(
            FileRecord(**d["file"]),
            [TensorRecord(**t) for t in d["tensors"]],
            [part_from_dict(p) for p in d["parts"]],
        )


def _layout_specs(ckpt: Checkpoint) -> tuple[object, dict[str, list[PartSpec]]]:
    layout = resolve_layout({n: t.shape for n, t in ckpt.tensors.items()}, ckpt.config)
    specs: dict[str, list[PartSpec]] = {}
    for spec in layout.parts:
        specs.setdefault(spec.tensor, []).append(spec)
    return layout, specs


def _file_pieces(sf: SafetensorsFile, specs: dict[str, list[PartSpec]], chunk_bytes: int) -> list[Piece]:
    """The pieces one file is read in: whole elements, at most ``chunk_bytes`` each (see
    ``_TensorPass.chunk_elements_for``)."""

    def step_bytes(t: TensorInfo) -> int:
        return _TensorPass.chunk_elements_for(t, specs.get(t.name, []), chunk_bytes) * t.itemsize

    return plan_pieces(sf, step_bytes, chunk_bytes)


def _start_file_pass(
    sf: SafetensorsFile,
    specs: dict[str, list[PartSpec]],
    pieces: list[Piece],
    sample_size: int,
    seed: int,
    progress: Progress | None,
    pipeline: Pipeline,
) -> Callable[[], ShardResult]:
    """Pass one file through ``pipeline``: returns once the statistics are done, with a function
    that waits for the file's hashes and gives its ``ShardResult``."""
    consumer = _Consumer(specs, sample_size, seed, sf.size, progress)
    file_sha, digests = pipeline.stream(sf, pieces, consumer.on_piece)

    def result() -> ShardResult:
        tensors = [
            TensorRecord(t.name, t.dtype, list(t.shape), t.file, t.nbytes, digests[t.name].result())
            for t in sf.tensors
        ]
        parts = [ps for t in sf.tensors for ps in consumer.results[t.name]]
        return ShardResult(FileRecord(sf.name, sf.size, file_sha.result()), tensors, parts)

    return result


def _file_pass(
    sf: SafetensorsFile,
    specs: dict[str, list[PartSpec]],
    chunk_bytes: int,
    sample_size: int,
    seed: int,
    progress: Progress | None,
) -> ShardResult:
    """One file's pass (``progress(bytes_done, file_size)`` within the file)."""
    pieces = _file_pieces(sf, specs, chunk_bytes)
    with Pipeline(largest_piece(pieces)) as pipeline:
        return _start_file_pass(sf, specs, pieces, sample_size, seed, progress, pipeline)()


def _files_pass(
    jobs: list[tuple[SafetensorsFile, dict[str, list[PartSpec]]]],
    chunk_bytes: int,
    sample_size: int,
    seed: int,
    progress: Progress | None,
) -> list[ShardResult]:
    """Every file's pass in this process, in order, through one ``Pipeline``: a file's SHA-256 is
    finished in its thread while the next file is read and its statistics computed. The same
    ``ShardResult`` s as ``_file_pass`` of each file (``tests/fingerprint/test_overlap.py``)."""
    plans = [_file_pieces(sf, file_specs, chunk_bytes) for sf, file_specs in jobs]
    total = sum(sf.size for sf, _ in jobs)
    pending, offset = [], 0
    with Pipeline(max((largest_piece(p) for p in plans), default=0)) as pipeline:
        for (sf, file_specs), pieces in zip(jobs, plans, strict=True):
            at = offset  # this file's first byte in the whole checkpoint
            file_progress = None if progress is None else (lambda done, _n, at=at: progress(at + done, total))
            pending.append(
                _start_file_pass(sf, file_specs, pieces, sample_size, seed, file_progress, pipeline)
            )
            offset += sf.size
        return [result() for result in pending]


def fingerprint_file(
    ckpt: Checkpoint,
    index: int,
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    seed: int = 0,
    progress: Progress | None = None,
) -> ShardResult:
    """The pass over file ``index`` of a safetensors checkpoint alone (a shard task of the pipeline:
    several machines can each take some files of one model). ``merge_shards`` of every file's result
    is exactly ``fingerprint_checkpoint``'s fingerprint."""
    _check_chunk(chunk_bytes)
    _layout, specs = _layout_specs(ckpt)
    sf = ckpt.files[index]
    return _file_pass(sf, _specs_of(sf, specs), chunk_bytes, sample_size, seed, progress)


def merge_shards(
    ckpt: Checkpoint,
    shards: list[ShardResult],
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    seed: int = 0,
) -> ModelFingerprint:
    """The fingerprint from every file's ``ShardResult`` (in ``ckpt.files`` order; checked by name)."""
    layout, _specs = _layout_specs(ckpt)
    names = [sf.name for sf in ckpt.files]
    if [s.file.name for s in shards] != names:
        raise ValueError(f"shard results {[s.file.name for s in shards]} are not the files {names}")
    return ModelFingerprint(
        family=layout.family,
        num_layers=layout.num_layers,
        files=[s.file for s in shards],
        tensors=[t for s in shards for t in s.tensors],
        parts=[p for s in shards for p in s.parts],  # file order, then offset order
        config=ckpt.config,
        tokenizer_sha256=sha256_file(ckpt.tokenizer_path) if ckpt.tokenizer_path else None,
        params={"sample_size": sample_size, "chunk_bytes": chunk_bytes, "seed": seed},
    )


def _specs_of(sf: SafetensorsFile, specs: dict[str, list[PartSpec]]) -> dict[str, list[PartSpec]]:
    return {t.name: specs[t.name] for t in sf.tensors if t.name in specs}


def _check_chunk(chunk_bytes: int) -> None:
    if chunk_bytes < 1:
        raise ValueError("chunk_bytes must be positive")


def default_processes() -> int:
    """The cores this process may run on (the default of ``FINGERPRINT_PROCESSES``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def fingerprint_checkpoint(
    path_or_checkpoint: str | os.PathLike[str] | Checkpoint,
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    seed: int = 0,
    progress: Progress | None = None,
    processes: int = 1,
) -> ModelFingerprint:
    """Read a checkpoint once and return its fingerprint (hashes, per-part statistics, samples).

    ``chunk_bytes``: bytes read per step; the peak memory is about ``4 * chunk_bytes`` (the read
    buffers of ``streaming.py``; 6x for 32/64-bit integer tensors, which get an upcast chunk) plus the
    samples (``sample_size`` float32 per 2-D weight part) and the compiled kernel, whatever the checkpoint's size. ``progress(bytes_done, bytes_total)`` is called
    after each chunk, in bytes of the files. Raises CheckpointFormatError subclasses on a bad file
    and UnknownLayoutError on tensor names no layout knows.

    ``processes``: with more than one (and more than one file), the files of a sharded safetensors
    checkpoint of at least ``parallel.MIN_BYTES`` are passed by that many worker processes at once
    (``parallel.py``), each with the
    memory of one pass; the fingerprint is bit-identical to the one-process pass (each file's result
    is computed by the same function and merged in file order). GGUF is passed in one process.
    """
    _check_chunk(chunk_bytes)
    if processes < 1:
        raise ValueError("processes must be at least 1")
    ckpt = (
        path_or_checkpoint
        if isinstance(path_or_checkpoint, Checkpoint)
        else open_checkpoint(path_or_checkpoint)
    )
    if isinstance(ckpt, GgufCheckpoint):
        return _fingerprint_gguf(ckpt, chunk_bytes, sample_size, seed, progress)
    _layout, specs = _layout_specs(ckpt)
    jobs = [(sf, _specs_of(sf, specs)) for sf in ckpt.files]
    from . import parallel

    shards = None
    if processes > 1 and len(jobs) > 1 and ckpt.total_bytes >= parallel.MIN_BYTES:
        try:
            shards = parallel.file_passes(jobs, processes, chunk_bytes, sample_size, seed, progress)
        except parallel.Unavailable as exc:  # e.g. a process manager that forbids children: one process
            logging.getLogger(__name__).warning("Passing %s in one process: %s", ckpt.root, exc)
    if shards is None:
        shards = _files_pass(jobs, chunk_bytes, sample_size, seed, progress)
    return merge_shards(ckpt, shards, chunk_bytes=chunk_bytes, sample_size=sample_size, seed=seed)


def _gguf_pieces(gf: GgufFile, ckpt: GgufCheckpoint, chunk_bytes: int) -> list[Piece]:
    """The pieces of one GGUF file in file order, tiling it: the header, then each tensor in steps of
    whole blocks (whole heads for permuted Q/K), with the alignment padding between tensors and
    after the last one as header-like pieces (hashed, not decoded)."""
    pieces: list[Piece] = []

    def gap(start: int, stop: int) -> None:
        pieces.extend(Piece(None, o, min(chunk_bytes, stop - o), 0) for o in range(start, stop, chunk_bytes))

    gap(0, gf.header_bytes)
    pos = gf.header_bytes
    for t in gf.tensors:
        gap(pos, t.start)
        step = ckpt.step_elements(t, chunk_bytes)
        if t.nbytes == 0:
            pieces.append(Piece(t, t.start, 0, 0))  # type: ignore[arg-type]
        for e0 in range(0, t.count, step):
            n = min(step, t.count - e0)
            off = t.start + e0 // t.block_size * t.type_size
            pieces.append(Piece(t, off, n // t.block_size * t.type_size, e0))  # type: ignore[arg-type]
        pos = t.start + t.nbytes
    gap(pos, gf.size)
    return pieces


def _fingerprint_gguf(
    ckpt: GgufCheckpoint, chunk_bytes: int, sample_size: int, seed: int, progress: Progress | None
) -> ModelFingerprint:
    """The GGUF pass: the same pieces pipeline (file and per-tensor SHA-256 of the stored bytes), each
    tensor piece dequantised (Q/K rows restored to the original order) and fed to the float statistics
    as if it were F32. Memory: the read buffers plus one dequantised chunk of about ``chunk_bytes``."""
    layout = resolve_layout({n: t.shape for n, t in ckpt.tensors.items()}, ckpt.config)
    specs: dict[str, list[PartSpec]] = {}
    for spec in layout.parts:
        specs.setdefault(spec.tensor, []).append(spec)
    results: dict[str, list[PartStats]] = {}
    current: list[_TensorPass] = []
    done = 0

    def on_piece(piece: Piece, raw: memoryview) -> None:
        nonlocal done
        t = piece.tensor
        if isinstance(t, GgufTensor):
            if piece.element == 0:
                as_f32 = TensorInfo(t.name, "F32", t.shape, t.file, t.path, t.start, t.count * 4)
                current[:] = [_TensorPass(as_f32, specs.get(t.name, []), sample_size, seed, _CompiledMoments)]
            if piece.size:
                values = decode_piece(raw, t)
                current[0].feed(memoryview(values).cast("B"), piece.element)
            if piece.offset + piece.size == t.start + t.nbytes:
                results[t.name] = current[0].results()
        done += piece.size
        if progress is not None:
            progress(done, ckpt.total_bytes)

    files: list[FileRecord] = []
    tensors: list[TensorRecord] = []
    for gf in ckpt.files:
        file_sha, digests = stream_file(gf, _gguf_pieces(gf, ckpt, chunk_bytes), on_piece)  # type: ignore[arg-type]
        files.append(FileRecord(gf.name, gf.size, file_sha))
        tensors.extend(
            TensorRecord(t.name, t.dtype, list(t.shape), t.file, t.nbytes, digests[t.name])
            for t in gf.tensors
        )
    vocab = ckpt.vocabulary
    return ModelFingerprint(
        family=layout.family,
        num_layers=layout.num_layers,
        files=files,
        tensors=tensors,
        parts=[ps for t in tensors for ps in results[t.name]],
        config=ckpt.config,
        tokenizer_sha256=vocab.sha256 if vocab else None,
        params={"sample_size": sample_size, "chunk_bytes": chunk_bytes, "seed": seed},
    )
