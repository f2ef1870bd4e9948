"""Reading GGUF checkpoints (llama.cpp): strict header validation, split files, chunked dequantisation.

A GGUF file is a little-endian header (magic ``GGUF``, version, tensor and key-value counts, the
key-value metadata, one info record per tensor: name, dims, quantisation type, offset) followed by
the tensor data, each tensor aligned to ``general.alignment`` (32 by default). A model may be split
over ``name-00001-of-0000N.gguf`` files, each a complete GGUF with its own header.

Why our own header parser rather than ``gguf.GGUFReader``: the reader memory-maps the whole file
(pages count in the resident set while they are read), and it trusts counts and lengths (10^12
tensors or a string of 2^63 bytes become a hang, a MemoryError or a numpy error naming nothing).
Ours checks every count and length against the bytes that are left before reading, so a hostile
header fails at once with an engine error naming the file, the tensor or the key; its metadata is
read by ``gguf_metadata`` (large arrays memory-mapped or streamed, as the reader would, and a cap on
the header a process reads). The ``gguf``
package (maintained with llama.cpp) is used for what it is the reference of: the type constants and
block sizes, and the dequantisation kernels (``gguf.quants.dequantize``); the tests use its reader
as the oracle for the values we return.

Orientation and order: a GGUF dimension list starts with the innermost (row) length, so the numpy
shape is the reversed list, which is ``torch.nn.Linear``'s (out, in) for every weight llama.cpp
writes. For llama-family architectures llama.cpp's converter permutes the rows of W_Q and W_K (and
their biases) within each head to suit its RoPE kernel; the reader undoes it, so the values it
returns line up row for row with the safetensors original. Every other tensor is returned as stored.

Memory: the header's scalars, strings and tensor infos (its arrays are lazy: ``gguf_metadata``),
the vocabulary (about 200 bytes a token: 30 MB for 150k tokens), and one dequantised chunk
(float32) of at most the requested chunk bytes, rounded to whole blocks, or whole rows of one head
for the permuted Q/K; nothing else grows with the file. Running out of memory while reading the
header or the vocabulary is a CheckpointFormatError naming the file, not a MemoryError.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .checkpoint import Checkpoint, tensors_by_name
from .errors import (
    CheckpointFormatError,
    EmptyCheckpointError,
    MissingShardError,
    TruncatedFileError,
)
from .gguf_metadata import GgufStrings, HeaderReader
from .paths import Permitted, checked_path
from .tokenizers import Vocabulary, _digest, _normalised

GGUF_MAGIC = b"GGUF"
VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4  # GGML_MAX_DIMS
MAX_ELEMENTS = 2**60  # of a tensor, zero dimensions aside (float32 bytes must fit an int64)
DEFAULT_CHUNK_BYTES = 16 * 2**20
MAX_METADATA_KEYS = 2**16  # real files have under 100
MAX_TENSORS = 2**16  # real files have under 5,000 (experts are stacked)
DEQUANT_BLOCKS = 2**12  # blocks per call of the gguf kernels: 1 M values (4 MB of float32) for the K-quants

# Types whose values we return, by GGML type id. Each is dequantised by the gguf package's kernels
# (F32/F16/BF16 are plain floats); the tests check every one against the package's reader.
SUPPORTED_TYPES = (
    "F32",
    "F16",
    "BF16",
    "Q8_0",
    "Q4_0",
    "Q4_1",
    "Q5_0",
    "Q5_1",
    "Q2_K",
    "Q3_K",
    "Q4_K",
    "Q5_K",
    "Q6_K",
)

# Architectures whose converter (``LlamaModel.permute`` in convert_hf_to_gguf.py) permutes Q/K rows.
PERMUTED_ARCHS = frozenset({"llama", "mistral", "granite", "granitemoe", "deci", "baichuan"})

# GGUF architecture → the Hugging Face ``model_type`` the engine's layouts and reports use.
MODEL_TYPES = {
    "llama": "llama",
    "mistral": "mistral",
    "qwen2": "qwen2",
    "qwen3": "qwen3",
    "qwen2moe": "qwen2_moe",
    "qwen3moe": "qwen3_moe",
    "phi2": "phi",
    "phi3": "phi3",
    "gpt2": "gpt2",
    "falcon": "falcon",
    "bert": "bert",
    "gemma": "gemma",
    "gemma2": "gemma2",
    "starcoder2": "starcoder2",
}

_SPLIT_RE = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$")


def _quant_sizes() -> dict[int, tuple[str, int, int]]:
    """GGML type id -> (name, block size in elements, block size in bytes), from the gguf package."""
    import gguf

    return {int(t): (t.name, *gguf.GGML_QUANT_SIZES[t]) for t in gguf.GGMLQuantizationType}


QUANT_SIZES = _quant_sizes()


class UnsupportedQuantisationError(CheckpointFormatError):
    """A tensor stored in a GGML type the engine cannot dequantise; names the tensor and the type."""


@dataclass(frozen=True)
class GgufTensor:
    """One tensor as its info record describes it. ``start`` is the absolute byte offset in ``path``;
    ``shape`` the numpy (reversed GGUF) shape; ``head_rows`` the rows of one head when the reader
    must undo llama.cpp's Q/K permutation (None otherwise)."""

    name: str
    dtype: str  # GGML type name: "F16", "Q4_K", ...
    shape: tuple[int, ...]
    file: str
    path: Path
    start: int
    nbytes: int
    block_size: int
    type_size: int
    head_rows: int | None = None

    @property
    def count(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def itemsize(self) -> int:
        """Bytes per value as returned (dequantised float32); what chunk sizes are counted in."""
        return 4

    @property
    def width(self) -> int:
        return self.shape[-1] if self.shape else 1

    @property
    def unit_elements(self) -> int:
        """Elements of the smallest piece that can be decoded alone: a block, or one head's rows."""
        if self.head_rows:
            return self.head_rows * (self.width if len(self.shape) > 1 else 1)
        return self.block_size

    @property
    def unit_bytes(self) -> int:
        return self.unit_elements // self.block_size * self.type_size


@dataclass
class GgufFile:
    """One validated ``.gguf`` file: its metadata and its tensors in file-offset order."""

    name: str
    path: Path
    size: int
    header_bytes: int  # where the data area starts
    version: int
    alignment: int
    metadata: dict[str, Any]
    tensors: list[GgufTensor]


def _bad(msg: str, path: Path, tensor: str | None = None) -> CheckpointFormatError:
    return CheckpointFormatError(msg, path=str(path), tensor=tensor)


def is_gguf(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular file starting with the GGUF magic (reads 4 bytes)."""
    p = Path(path)
    try:
        with open(p, "rb") as f:
            return p.is_file() and f.read(4) == GGUF_MAGIC
    except OSError:
        return False


def read_gguf_header(
    path: Path,
    name: str | None = None,
    *,
    inherited: dict[str, Any] | None = None,
    max_header_bytes: int | None = None,
) -> GgufFile:
    """Parse and validate the header of one GGUF file; read nothing of the data area.

    Raises CheckpointFormatError (TruncatedFileError when the file is shorter than its header says,
    UnsupportedQuantisationError for a type the engine cannot dequantise, EmptyCheckpointError when
    it holds no tensor) naming the file and, where one is at fault, the tensor or the key.
    ``inherited``: the first part's metadata, for later parts of a split set that carry only theirs.
    ``max_header_bytes``: refuse (CheckpointFormatError) a header larger than this, unread.
    Memory: the metadata's scalars and strings; its arrays are lazy (see ``gguf_metadata``). Running
    out of memory is a CheckpointFormatError too, naming the file and the key being read.
    """
    path = Path(path)
    name = name or path.name
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            return _read(
                HeaderReader(f, size, name, path, limit=max_header_bytes, reopen=path),
                inherited or {},
            )
    except OSError as e:
        raise _bad(f"cannot read {name}: {e.strerror or e}", path) from e


def read_gguf_header_from(
    f: BinaryIO,
    *,
    size: int,
    name: str,
    path: Path | str | None = None,
    max_header_bytes: int | None = None,
) -> GgufFile:
    """:func:`read_gguf_header` of an open binary file of ``size`` bytes (an upload not yet on disk),
    read from its current position; ``path`` is where the file will be read later (default ``name``).
    Its arrays of strings are read from ``f``, which must stay open while they are iterated."""
    try:
        return _read(HeaderReader(f, size, name, Path(path or name), limit=max_header_bytes), {})
    except OSError as e:
        raise _bad(f"cannot read {name}: {e.strerror or e}", Path(path or name)) from e


def _read(h: HeaderReader, inherited: dict[str, Any]) -> GgufFile:
    try:
        return _parse(h, inherited)
    except MemoryError:
        pass  # raised below, once the traceback (and what the parse held) is gone
    raise out_of_memory(h.name, h.path, f"its header ({h.what})")


def out_of_memory(name: str, path: Path, what: str) -> CheckpointFormatError:
    """The engine's sentence for a MemoryError while reading ``what`` of the file ``name``. Raise it
    outside the ``except MemoryError`` block, so that what was allocated is freed first."""
    return CheckpointFormatError(
        f"{name}: reading {what} needs more memory than this process may use",
        path=str(path),
    )


def checkpoint_of_file(gf: GgufFile, root: Path = Path("."), permitted: Permitted = None) -> GgufCheckpoint:
    """The checkpoint of one GGUF file already parsed (not a part of a split set: refused)."""
    count = gf.metadata.get("split.count")
    if isinstance(count, int) and count > 1:
        raise CheckpointFormatError(
            f"{gf.name} is one part of a GGUF split in {count} files: give all its parts in one folder",
            path=str(gf.path),
        )
    return _checkpoint([gf], root, permitted)


def _parse(h: HeaderReader, inherited: dict[str, Any]) -> GgufFile:
    """The header in named steps, as gguf-py's reader builds it (``_build_fields``,
    ``_build_tensor_info``, ``_build_tensors``): the frame (magic, version, counts), the metadata,
    the tensor infos, then the tensors checked against the data area."""
    version, n_tensors, n_kv = _read_frame(h)
    metadata, alignment = _read_metadata(h, n_kv)
    infos = _read_tensor_infos(h, n_tensors)
    data_start = h.pos + (-h.pos % alignment)
    if data_start > h.size:
        raise TruncatedFileError(f"{h.name} is truncated: it ends before its data area", path=str(h.path))
    if not infos:
        raise EmptyCheckpointError(f"{h.name} holds no tensors", path=str(h.path))
    tensors = _build_tensors(h, infos, data_start, alignment, {**inherited, **metadata})
    return GgufFile(h.name, h.path, h.size, data_start, version, alignment, metadata, tensors)


def _read_frame(h: HeaderReader) -> tuple[int, int, int]:
    """The magic, the version, and the tensor and key-value counts, each count bounded by what the
    rest of the file can hold and by what this reader accepts, before anything is allocated."""
    name, path = h.name, h.path
    if h.size < 4:
        raise TruncatedFileError(f"{name} is not a GGUF file: it has only {h.size} bytes", path=str(path))
    magic = h.read(4, "magic")
    if magic != GGUF_MAGIC:
        raise _bad(f"{name} is not a GGUF file: it starts with {magic!r}, not b'GGUF'", path)
    version = h.u32("version")
    if version not in VERSIONS:
        hint = " (a big-endian file?)" if version > 0xFFFF and version & 0xFFFF == 0 else ""
        raise _bad(
            f"{name} is GGUF version {version}{hint}; only little-endian versions 2 and 3 are supported",
            path,
        )
    n_tensors = h.u64("tensor count")
    n_kv = h.u64("key-value count")
    # Each key-value pair takes at least 13 bytes, each tensor info at least 32: a count that the
    # rest of the file cannot hold is refused before anything is allocated.
    if n_kv * 13 > h.left():
        raise TruncatedFileError(
            f"{name} declares {n_kv:,} metadata entries, more than the file can hold: it is truncated or corrupt",
            path=str(path),
        )
    if n_tensors * 32 > h.left():
        raise TruncatedFileError(
            f"{name} declares {n_tensors:,} tensors, more than the file can hold: it is truncated or corrupt",
            path=str(path),
        )
    # Each entry and tensor becomes Python objects (~0.5 KB a tensor): counts no model comes near
    # are refused rather than read into gigabytes.
    for count, most, what in (
        (n_kv, MAX_METADATA_KEYS, "metadata entries"),
        (n_tensors, MAX_TENSORS, "tensors"),
    ):
        if count > most:
            raise _bad(
                f"{name} declares {count:,} {what}, more than the {most:,} this reader accepts",
                path,
            )
    return version, n_tensors, n_kv


def _read_metadata(h: HeaderReader, n_kv: int) -> tuple[dict[str, Any], int]:
    """The key-value metadata (no key twice; arrays lazy, see ``gguf_metadata``) and its alignment."""
    name, path = h.name, h.path
    metadata: dict[str, Any] = {}
    for i in range(n_kv):
        key = h.string(f"metadata key {i}")
        vtype = h.u32(f"the type of key {key!r}")
        if key in metadata:
            raise _bad(f"{name}: metadata key {key!r} appears twice", path)
        metadata[key] = h.value(vtype, f"key {key!r}")
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if (
        not isinstance(alignment, int)
        or isinstance(alignment, bool)
        or alignment <= 0
        or alignment & (alignment - 1)
    ):
        raise _bad(f"{name}: general.alignment is {alignment!r}, not a power of two", path)
    return metadata, alignment


def _read_tensor_infos(h: HeaderReader, n_tensors: int) -> list[tuple[str, tuple[int, ...], int, int]]:
    """Each tensor's info record as stored: (name, GGUF dims, GGML type id, offset); no name twice."""
    name, path = h.name, h.path
    infos: list[tuple[str, tuple[int, ...], int, int]] = []
    seen: set[str] = set()
    for i in range(n_tensors):
        tname = h.string(f"the name of tensor {i}")
        if tname in seen:
            raise _bad(f"{name}: tensor {tname!r} appears twice", path, tname)
        seen.add(tname)
        n_dims = h.u32(f"the dimension count of tensor {tname!r}")
        if not 1 <= n_dims <= MAX_DIMS:
            raise _bad(
                f"tensor {tname!r} in {name} has {n_dims} dimensions (1 to {MAX_DIMS} allowed)",
                path,
                tname,
            )
        dims = tuple(h.u64(f"the dimensions of tensor {tname!r}") for _ in range(n_dims))
        ttype = h.u32(f"the type of tensor {tname!r}")
        offset = h.u64(f"the offset of tensor {tname!r}")
        infos.append((tname, dims, ttype, offset))
    return infos


def _build_tensors(
    h: HeaderReader,
    infos: list[tuple[str, tuple[int, ...], int, int]],
    data_start: int,
    alignment: int,
    context: dict[str, Any],
) -> list[GgufTensor]:
    """The tensors (type, shape, span checked: ``_tensor``) in file-offset order, none overlapping
    the next. ``context``: the metadata, over the first part's for a later part of a split set."""
    name, path = h.name, h.path
    permutes = context.get("general.architecture") in PERMUTED_ARCHS
    tensors = [_tensor(name, path, h.size, data_start, alignment, context, permutes, *info) for info in infos]
    tensors.sort(key=lambda t: t.start)
    for prev, t in zip(tensors, tensors[1:], strict=False):
        if t.start < prev.start + prev.nbytes:
            raise _bad(
                f"tensor {t.name!r} in {name} overlaps tensor {prev.name!r}",
                path,
                t.name,
            )
    return tensors


def _tensor(
    name: str,
    path: Path,
    size: int,
    data_start: int,
    alignment: int,
    metadata: dict[str, Any],
    permutes: bool,
    tname: str,
    dims: tuple[int, ...],
    ttype: int,
    offset: int,
) -> GgufTensor:
    if ttype not in QUANT_SIZES:
        raise _bad(
            f"tensor {tname!r} in {name} has an unknown GGML type id {ttype}",
            path,
            tname,
        )
    tname_type, block, type_size = QUANT_SIZES[ttype]
    if tname_type not in SUPPORTED_TYPES:
        raise UnsupportedQuantisationError(
            f"tensor {tname!r} in {name} is stored as {tname_type}, a type the engine cannot dequantise "
            f"(supported: {', '.join(SUPPORTED_TYPES)})",
            path=str(path),
            tensor=tname,
        )
    if dims[0] % block:
        raise _bad(
            f"tensor {tname!r} in {name}: its row length {dims[0]} is not a multiple of the {tname_type} "
            f"block of {block}",
            path,
            tname,
        )
    count = span = 1
    for d in dims:
        count *= d  # Python ints: hostile dims cannot overflow
        span *= max(d, 1)
    if span > MAX_ELEMENTS:  # llama.cpp refuses counts past INT64_MAX; numpy needs 4 bytes per element
        raise _bad(
            f"tensor {tname!r} in {name} has impossible dimensions {list(dims)}",
            path,
            tname,
        )
    nbytes = count // block * type_size
    if offset % alignment:
        raise _bad(
            f"tensor {tname!r} in {name} starts at offset {offset}, not a multiple of {alignment}",
            path,
            tname,
        )
    if data_start + offset + nbytes > size:
        raise TruncatedFileError(
            f"{name} is truncated: tensor {tname!r} ends at byte {data_start + offset + nbytes:,} "
            f"but the file has {size:,}",
            path=str(path),
            tensor=tname,
        )
    shape = tuple(int(d) for d in reversed(dims))
    head_rows = _head_rows(name, path, metadata, tname, shape) if permutes else None
    return GgufTensor(
        tname,
        tname_type,
        shape,
        name,
        path,
        data_start + offset,
        nbytes,
        block,
        type_size,
        head_rows,
    )


def _head_rows(
    name: str, path: Path, metadata: dict[str, Any], tname: str, shape: tuple[int, ...]
) -> int | None:
    """Rows of one head of a permuted ``attn_q``/``attn_k`` weight or bias; None for other tensors."""
    m = re.fullmatch(r"blk\.\d+\.attn_([qk])\.(weight|bias)", tname)
    if not m:
        return None
    arch = metadata.get("general.architecture")
    key = f"{arch}.attention.head_count" + ("" if m.group(1) == "q" else "_kv")
    heads = metadata.get(key, metadata.get(f"{arch}.attention.head_count") if m.group(1) == "k" else None)
    rows = shape[0]
    if not isinstance(heads, int) or isinstance(heads, bool) or heads <= 0 or rows % (2 * heads):
        raise _bad(
            f"tensor {tname!r} in {name}: undoing llama.cpp's Q/K permutation needs {key} to divide its "
            f"{rows} rows into heads of an even size, and it is {heads!r}",
            path,
            tname,
        )
    return rows // heads


def unpermute_rows(values: np.ndarray, head_rows: int, width: int) -> np.ndarray:
    """Undo ``LlamaModel.permute`` on whole heads: ``values`` holds k·head_rows rows of ``width``."""
    k = values.size // (head_rows * width)
    return values.reshape(k, head_rows // 2, 2, width).swapaxes(1, 2).reshape(-1)


def permute_rows(values: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp's ``LlamaModel.permute`` (rows of W_Q/W_K or their biases), for writing test files."""
    shape = values.shape
    return values.reshape(heads, 2, shape[0] // heads // 2, *shape[1:]).swapaxes(1, 2).reshape(shape)


def dequantise(raw: np.ndarray | memoryview | bytes, t: GgufTensor) -> np.ndarray:
    """Stored bytes of whole blocks of ``t`` → a new 1-D float32 array, via the gguf package."""
    import gguf

    buf = np.frombuffer(raw, dtype=np.uint8)
    if t.dtype == "F32":
        return buf.view("<f4").astype(np.float32)
    if t.dtype == "F16":
        return buf.view("<f2").astype(np.float32)
    if t.dtype == "BF16":
        return (buf.view("<u2").astype(np.uint32) << 16).view(np.float32)
    qtype = gguf.GGMLQuantizationType[t.dtype]
    # One "row" per call: the package dequantises a row's blocks in one vectorised call but loops in
    # Python over groups of 16 rows, so short rows (or one block per row) are 50x slower. Slices of
    # DEQUANT_BLOCKS blocks bound its float32 temporaries (a few times the slice's output).
    n_blocks = buf.size // t.type_size
    out = np.empty(n_blocks * t.block_size, dtype=np.float32)
    for b0 in range(0, n_blocks, DEQUANT_BLOCKS):
        b1 = min(n_blocks, b0 + DEQUANT_BLOCKS)
        piece = buf[b0 * t.type_size : b1 * t.type_size].reshape(1, -1)
        out[b0 * t.block_size : b1 * t.block_size] = gguf.quants.dequantize(piece, qtype).reshape(-1)
    return out


def decode_piece(raw: np.ndarray | memoryview | bytes, t: GgufTensor) -> np.ndarray:
    """Dequantised values of whole units (see ``GgufTensor.unit_elements``) in the original order."""
    values = dequantise(raw, t)
    if t.head_rows:
        values = unpermute_rows(values, t.head_rows, t.width if len(t.shape) > 1 else 1)
    return values


def _read_exact(f: Any, n: int, t: GgufTensor) -> bytes:
    b = f.read(n)
    if len(b) < n:
        raise TruncatedFileError(
            f"{t.file} is truncated: it ended while reading tensor {t.name!r}",
            path=str(t.path),
            tensor=t.name,
        )
    return b


@dataclass
class GgufCheckpoint(Checkpoint):
    """A validated GGUF model (one file or a split set): a ``Checkpoint`` whose ``files`` are
    ``GgufFile`` and ``tensors`` ``GgufTensor``, read dequantised (float32, Q/K rows restored).

    ``config`` is built from the metadata (``{arch}.block_count`` etc.) under Hugging Face's names,
    with the raw GGUF facts under ``config["gguf"]``; ``vocabulary`` comes from ``tokenizer.ggml.*``.
    """

    vocabulary: Vocabulary | None = None

    def iter_raw(self, name: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[memoryview]:
        """Stored bytes of one tensor in whole blocks, at most about ``chunk_bytes`` at a time."""
        t = self.tensors[name]
        step = max(1, chunk_bytes // t.type_size) * t.type_size
        with open(t.path, "rb") as f:
            f.seek(t.start)
            for done in range(0, t.nbytes, step):
                yield memoryview(_read_exact(f, min(step, t.nbytes - done), t))

    def step_elements(self, t: GgufTensor, chunk_bytes: int) -> int:
        """Elements per read: about ``chunk_bytes`` of float32 output, whole rows when they fit
        (``read_rows`` needs them) and always whole units."""
        unit = t.unit_elements
        if t.head_rows is None and len(t.shape) > 1 and t.width * 4 <= chunk_bytes:
            unit = t.width  # a row is a whole number of blocks
        unit = max(1, unit)  # a tensor with a zero dimension has no values to step over
        return max(1, chunk_bytes // (4 * unit)) * unit

    def iter_chunks(self, name: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[np.ndarray]:
        """Dequantised values of one tensor in row-major order, 1-D float32 chunks of about
        ``chunk_bytes`` (whole rows when a row fits). Memory: one stored chunk and its float32 copy."""
        t = self.tensors[name]
        step = self.step_elements(t, chunk_bytes)
        with open(t.path, "rb") as f:
            f.seek(t.start)
            for e0 in range(0, t.count, step):
                n = min(step, t.count - e0)
                yield decode_piece(_read_exact(f, n // t.block_size * t.type_size, t), t)

    def read_row_ranges(self, name: str, ranges: Iterable[tuple[int, int]]) -> np.ndarray:
        """Rows ``[a, b)`` of the first axis, dequantised and concatenated: one expert of a stacked
        ``ffn_*_exps`` reads that expert's blocks only (a row is whole blocks: GGUF rows are)."""
        t = self.tensors[name]
        if t.head_rows:  # permuted heads decode whole heads only; these tensors are never sliced
            return super().read_row_ranges(name, ranges)
        width = t.count // t.shape[0] if t.shape[0] else 0
        out = []
        with open(t.path, "rb") as f:
            for a, b in ranges:
                f.seek(t.start + a * width // t.block_size * t.type_size)
                raw = _read_exact(f, (b - a) * width // t.block_size * t.type_size, t)
                out.append(decode_piece(raw, t).reshape(b - a, *t.shape[1:]))
        return np.concatenate(out) if out else np.empty((0, *t.shape[1:]), dtype=np.float32)

    def read_tensor(self, name: str) -> np.ndarray:
        """The whole tensor dequantised (float32) in its numpy shape, Q/K rows in the original order."""
        t = self.tensors[name]
        out = np.empty(t.count, dtype=np.float32)
        pos = 0
        for chunk in self.iter_chunks(name):
            out[pos : pos + chunk.size] = chunk
            pos += chunk.size
        return out.reshape(t.shape)


def _config(metadata: dict[str, Any]) -> dict[str, Any]:
    arch = metadata.get("general.architecture")
    if not isinstance(arch, str):
        arch = ""

    def get(key: str) -> Any:
        v = metadata.get(f"{arch}.{key}")
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    cfg: dict[str, Any] = {
        "model_type": MODEL_TYPES.get(arch, arch or "unknown"),
        "num_hidden_layers": get("block_count"),
        "hidden_size": get("embedding_length"),
        "intermediate_size": get("feed_forward_length"),
        "num_attention_heads": get("attention.head_count"),
        "num_key_value_heads": get("attention.head_count_kv") or get("attention.head_count"),
        "head_dim": get("attention.key_length"),
        "num_experts": get("expert_count"),
        "moe_intermediate_size": get("expert_feed_forward_length"),
        "max_position_embeddings": get("context_length"),
    }
    if arch == "falcon":  # llama.cpp's converter reorders Falcon's fused QKV into [q | k | v]
        cfg["n_head_kv"] = cfg["num_key_value_heads"]
    cfg = {k: v for k, v in cfg.items() if v is not None}
    cfg["gguf"] = {
        "architecture": arch,
        "name": metadata.get("general.name"),
        "file_type": metadata.get("general.file_type"),
        "qk_permuted": arch in PERMUTED_ARCHS,
    }
    return cfg


def vocabulary_from_metadata(metadata: dict[str, Any], source: str) -> Vocabulary | None:
    """The vocabulary of ``tokenizer.ggml.tokens`` (id = position), hashed with the merges like a
    ``tokenizer.json``; None when the file carries no tokenizer.

    Memory: the vocabulary (its raw and its normalised dict while it is built, about 200 bytes a
    token); the tokens and merges are streamed from the file, never held as lists. Running out of
    memory is a CheckpointFormatError naming the file."""
    tokens = metadata.get("tokenizer.ggml.tokens")
    if not isinstance(tokens, GgufStrings) or not len(tokens):
        return None
    model = metadata.get("tokenizer.ggml.model")
    kind = {"gpt2": "BPE", "llama": "sentencepiece", "bert": "WordPiece"}.get(
        str(model), str(model or "gguf")
    )
    merges = metadata.get("tokenizer.ggml.merges")
    try:
        by_token: dict[str, int] = {}
        for i, tok in enumerate(tokens):
            by_token.setdefault(tok, i)
        # by_token is in id order (ids are positions): neither the digest nor the normalised
        # dict needs a sorted copy of its 2 x 3 M pairs.
        digest = _digest(
            by_token.items(),
            merges if isinstance(merges, GgufStrings) else (),
            in_order=True,
        )
        return Vocabulary(_normalised(by_token, in_order=True), kind, source, digest)
    except MemoryError:
        pass  # raised below, once what the build held is freed
    raise out_of_memory(Path(source).name, Path(source), f"its vocabulary ({len(tokens):,} tokens)")


def split_set_names(name: str) -> list[str]:
    """Every name of the split set the file ``name`` belongs to (``stem-0000i-of-0000N.gguf``, in
    order, in the same folder as ``name``), or ``[name]`` for a file that is not a part of one. The
    one rule for split-set names: the reader, a folder's models and a hub's listing all use it."""
    folder, sep, base = name.rpartition("/")
    m = _SPLIT_RE.match(base)
    if not m or not 1 <= int(m.group("no")) <= int(m.group("count")):
        return [name]
    n = int(m.group("count"))
    return [f"{folder}{sep}{m.group('stem')}-{k:05d}-of-{n:05d}.gguf" for k in range(1, n + 1)]


def _split_set(first: Path, gf: GgufFile, permitted: Permitted) -> list[Path]:
    """The paths of every part of the split set ``first`` belongs to (``[first]`` if not split)."""
    names = split_set_names(first.name)
    if names == [first.name]:
        return [first]
    count = gf.metadata.get("split.count")
    if isinstance(count, int) and count != len(names):
        raise _bad(
            f"{first.name} says split.count = {count} but its name says {len(names)} parts",
            first,
        )
    paths = []
    for name in names:
        p = first.parent / name
        if not p.exists():
            raise MissingShardError(f"part {p.name} of the split GGUF {first.name} is missing", path=str(p))
        paths.append(p)
    return paths


def open_gguf(path: Path, permitted: Permitted, *, max_header_bytes: int | None = None) -> GgufCheckpoint:
    """Open and validate a GGUF file (any part of a split set: all parts are read) or a folder
    holding one GGUF model. Reads headers only (each at most ``max_header_bytes``, when given);
    raises CheckpointFormatError subclasses."""
    if path.is_dir():
        found = sorted(q for q in path.glob("*.gguf") if q.is_file())
        models = {split_set_names(q.name)[0] for q in found}
        if not found:
            raise EmptyCheckpointError(f"no .gguf file in folder {path}", path=str(path))
        if len(models) > 1:
            raise CheckpointFormatError(
                f"folder {path} holds {len(models)} GGUF models ({', '.join(sorted(models)[:3])}): "
                "give the path of the one to read",
                path=str(path),
            )
        path = found[0]
    limit = max_header_bytes
    first = read_gguf_header(checked_path(path, permitted), path.name, max_header_bytes=limit)
    parts = _split_set(path, first, permitted)
    if parts != [path]:
        # gguf-split writes the model's metadata in the first part only: read that one first.
        first = read_gguf_header(checked_path(parts[0], permitted), parts[0].name, max_header_bytes=limit)
        files = [first] + [
            read_gguf_header(
                checked_path(p, permitted),
                p.name,
                inherited=first.metadata,
                max_header_bytes=limit,
            )
            for p in parts[1:]
        ]
    else:
        files = [first]
    declared = first.metadata.get("split.tensors.count")
    if len(files) > 1 and isinstance(declared, int) and declared != sum(len(f.tensors) for f in files):
        raise _bad(
            f"the split GGUF {files[0].name} declares {declared} tensors (split.tensors.count) but its "
            f"{len(files)} parts hold {sum(len(f.tensors) for f in files)}",
            files[0].path,
        )
    return _checkpoint(files, path.parent, permitted)


def _checkpoint(files: list[GgufFile], root: Path, permitted: Permitted) -> GgufCheckpoint:
    tensors = tensors_by_name(files)
    meta = files[0].metadata
    return GgufCheckpoint(
        root,
        files,  # type: ignore[arg-type]
        tensors,  # type: ignore[arg-type]
        _config(meta),
        permitted=permitted,
        vocabulary=vocabulary_from_metadata(meta, str(files[0].path)),
    )
