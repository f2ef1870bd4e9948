"""Reading safetensors files: strict header validation, shard indexes, upcasting of raw values.

A checkpoint (opened by ``reader.open_checkpoint``) is a folder (``*.safetensors`` shards with ``model.safetensors.index.json``, or one
``model.safetensors``) or a path to one ``.safetensors`` file; ``config.json`` and ``tokenizer.json``
next to the weights are picked up when present.

Why our own header parser rather than the ``safetensors`` package: the format is 8 bytes of length
and a JSON object, and the reference library's errors ("MetadataIncompleteBuffer", "InvalidOffset")
name neither the file nor the tensor, while ours must read as one sentence a journalist can act on.
We apply the reference library's rules (header at most 100,000,000 bytes, known dtype,
``prod(shape) * itemsize == end - begin``, spans that tile the data area with no overlap, no hole
and no trailing bytes) so that every file we accept, the reference accepts too; the tests use the
``safetensors`` package as the oracle for the values we return.

Why buffered reads (``readinto`` a reused buffer) rather than a memory map: pages of a mapped file
count in the process's resident set until the kernel evicts them, so streaming an 8 GB checkpoint
through ``mmap`` shows an 8 GB peak RSS although nothing is held. A read into one reused buffer is
as fast for a sequential pass and keeps the resident memory at the chunk size.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import ml_dtypes
import numpy as np

from .errors import (
    CheckpointFormatError,
    EmptyCheckpointError,
    MissingShardError,
    TruncatedFileError,
)
from .paths import Permitted, checked_path
from .sizes import human_bytes

MAX_HEADER_BYTES = 100_000_000  # the reference library's bound
INDEX_NAME = "model.safetensors.index.json"
DEFAULT_CHUNK_BYTES = 16 * 2**20

# dtype -> (numpy dtype of the stored values, itemsize). Little-endian as the format requires.
DTYPES: dict[str, np.dtype] = {
    "BOOL": np.dtype(np.bool_),
    "U8": np.dtype("u1"),
    "I8": np.dtype("i1"),
    "F8_E5M2": np.dtype(ml_dtypes.float8_e5m2),
    "F8_E4M3": np.dtype(ml_dtypes.float8_e4m3fn),
    "I16": np.dtype("<i2"),
    "U16": np.dtype("<u2"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype(ml_dtypes.bfloat16),
    "I32": np.dtype("<i4"),
    "U32": np.dtype("<u4"),
    "F32": np.dtype("<f4"),
    "I64": np.dtype("<i8"),
    "U64": np.dtype("<u8"),
    "F64": np.dtype("<f8"),
}
# Values of these dtypes do not fit float32 exactly, so they are upcast to float64 instead.
_WIDE = {"I32", "U32", "I64", "U64", "F64"}


def value_dtype(dtype: str) -> np.dtype:
    """The numpy dtype that :func:`decode` returns for a safetensors dtype: float32, or float64."""
    return np.dtype(np.float64 if dtype in _WIDE else np.float32)


def decode(raw: bytes | memoryview | np.ndarray, dtype: str) -> np.ndarray:
    """Upcast raw little-endian bytes of ``dtype`` to a new 1-D float32 array (float64 for F64 and
    32/64-bit integers, which float32 cannot hold exactly). Memory: one output array."""
    buf = np.frombuffer(raw, dtype=np.uint8) if not isinstance(raw, np.ndarray) else raw
    if dtype == "BF16":
        # bf16 is the top half of a float32: widen the bits, no rounding anywhere.
        return (buf.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    if dtype == "F32":
        return buf.view("<f4").astype(np.float32)
    with np.errstate(invalid="ignore"):  # signalling NaN payloads are data here, not an FP error
        return buf.view(DTYPES[dtype]).astype(value_dtype(dtype))


@dataclass(frozen=True)
class TensorInfo:
    """One tensor as the header describes it. ``start`` is the absolute byte offset in ``path``."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    file: str  # name relative to the checkpoint root
    path: Path
    start: int
    nbytes: int

    @property
    def count(self) -> int:
        return self.nbytes // DTYPES[self.dtype].itemsize

    @property
    def itemsize(self) -> int:
        return DTYPES[self.dtype].itemsize


@dataclass
class SafetensorsFile:
    """One validated ``.safetensors`` file: its header and its tensors in file-offset order."""

    name: str
    path: Path
    size: int
    header_bytes: int  # 8 + N: everything before the data area
    tensors: list[TensorInfo]
    metadata: dict[str, str] | None = None


def _bad(msg: str, path: Path | str, tensor: str | None = None) -> CheckpointFormatError:
    return CheckpointFormatError(msg, path=str(path), tensor=tensor)


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"duplicate key {k!r}")
        d[k] = v
    return d


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def read_header(path: Path, name: str | None = None) -> SafetensorsFile:
    """Parse and validate the header of one safetensors file; read nothing of the data area.

    Raises CheckpointFormatError (TruncatedFileError when the file is shorter than its header says,
    EmptyCheckpointError when it holds no tensor) naming the file and, where one is at fault, the
    tensor. Memory: the header bytes (at most 100 MB, and never more than the file's size).
    """
    path = Path(path)
    name = name or path.name
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            return read_header_from(f, size=size, name=name, path=path)
    except OSError as e:
        raise _bad(f"cannot read {name}: {e.strerror or e}", path) from e


def read_header_from(f: BinaryIO, *, size: int, name: str, path: Path | str | None = None) -> SafetensorsFile:
    """:func:`read_header` of an open binary file of ``size`` bytes, read from its current position
    (an upload not yet on disk, say). ``path`` is where the file will be read later (default ``name``).
    Reads the 8-byte length and the header only.

    Three named steps, as the reference library's ``tensor.rs`` keeps them apart: the frame (the length
    and the header bytes), the entries (each tensor's dtype, shape and offsets), the spans (the
    tensors tile the data area); each step's failures are its own sentences."""
    path = Path(path or name)
    raw = _read_frame(f, size=size, name=name, path=path)
    header, metadata = _parse_header(raw, name, path)
    data_start = 8 + len(raw)
    infos, spans = _read_entries(header, name, path, data_start)
    if not spans:
        raise EmptyCheckpointError(f"{name} holds no tensors", path=str(path))
    ordered = _check_spans(spans, name, path, size=size, data_start=data_start)
    return SafetensorsFile(name, path, size, data_start, [infos[t] for t in ordered], metadata)


def _read_frame(f: BinaryIO, *, size: int, name: str, path: Path) -> bytes:
    """The header's bytes: the 8-byte little-endian length, bounded by the limit and by the file's
    size, then that many bytes."""
    try:
        head = f.read(8)
        if len(head) < 8:
            raise TruncatedFileError(
                f"{name} is not a safetensors file: it has {size} bytes, fewer than the 8-byte header length",
                path=str(path),
            )
        (n,) = struct.unpack("<Q", head)
        if n > MAX_HEADER_BYTES:
            raise _bad(
                f"{name} declares a {human_bytes(n)} header, over the 100 MB limit: "
                "the file is corrupt or not a safetensors file",
                path,
            )
        if n > size - 8:
            raise TruncatedFileError(
                f"{name} is truncated or not a safetensors file: its header length says "
                f"{human_bytes(n + 8)} but the file has {human_bytes(size)}",
                path=str(path),
            )
        raw = f.read(n)
    except OSError as e:
        raise _bad(f"cannot read {name}: {e.strerror or e}", path) from e
    if len(raw) < n:
        raise TruncatedFileError(f"{name} is truncated: it shrank while being read", path=str(path))
    return raw


def _parse_header(raw: bytes, name: str, path: Path) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The header's JSON object (no key twice) without ``__metadata__``, and that metadata."""
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_reject_duplicates)
    except UnicodeDecodeError as e:
        raise _bad(f"the header of {name} is not UTF-8 text (byte {e.start})", path) from e
    except (
        ValueError,
        RecursionError,
    ) as e:  # JSONDecodeError is a ValueError; deep nesting recurses
        raise _bad(f"the header of {name} is not valid JSON: {str(e)[:200]}", path) from e
    if not isinstance(header, dict):
        raise _bad(
            f"the header of {name} is a JSON {type(header).__name__}, not an object",
            path,
        )
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
    ):
        raise _bad(f"the __metadata__ of {name} is not a map of strings to strings", path)
    return header, metadata


def _read_entries(
    header: dict[str, Any], name: str, path: Path, data_start: int
) -> tuple[dict[str, TensorInfo], list[tuple[int, int, str]]]:
    """Each entry checked on its own (a known dtype, a shape, offsets whose span is the shape's
    bytes): the tensors by name, and their (begin, end, name) spans in the data area."""
    spans: list[tuple[int, int, str]] = []
    infos: dict[str, TensorInfo] = {}
    for tname, entry in header.items():
        if not isinstance(entry, dict):
            raise _bad(
                f"tensor {tname!r} in {name}: its header entry is not an object",
                path,
                tname,
            )
        dtype, shape, offsets = (
            entry.get("dtype"),
            entry.get("shape"),
            entry.get("data_offsets"),
        )
        if not isinstance(dtype, str) or dtype not in DTYPES:
            raise _bad(
                f"tensor {tname!r} in {name} has unknown dtype {str(dtype)[:40]!r}",
                path,
                tname,
            )
        if not isinstance(shape, list) or not all(_is_int(s) and 0 <= s < 2**63 for s in shape):
            raise _bad(
                f"tensor {tname!r} in {name} has an invalid shape {str(shape)[:80]}",
                path,
                tname,
            )
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(_is_int(o) for o in offsets)
            and 0 <= offsets[0] <= offsets[1]
        ):
            raise _bad(
                f"tensor {tname!r} in {name} has invalid data_offsets {str(offsets)[:80]}",
                path,
                tname,
            )
        begin, end = offsets
        count = 1
        for s in shape:
            count *= s  # Python ints: a hostile shape cannot overflow
        itemsize = DTYPES[dtype].itemsize
        if count * itemsize != end - begin:
            raise _bad(
                f"tensor {tname!r} in {name}: shape {shape} of {dtype} needs {count * itemsize} bytes "
                f"but its data_offsets span {end - begin}",
                path,
                tname,
            )
        spans.append((begin, end, tname))
        infos[tname] = TensorInfo(tname, dtype, tuple(shape), name, path, data_start + begin, end - begin)
    return infos, spans


def _check_spans(
    spans: list[tuple[int, int, str]],
    name: str,
    path: Path,
    *,
    size: int,
    data_start: int,
) -> list[str]:
    """The spans must tile the data area: no overlap, no gap, nothing past the end of the file and
    no byte after the last tensor. Returns the tensors' names in file-offset order."""
    data_size = size - data_start
    spans = sorted(spans)
    pos = 0
    prev = None
    for begin, end, tname in spans:
        if begin < pos:
            raise _bad(
                f"tensor {tname!r} in {name} overlaps tensor {prev!r} (bytes {begin}..{end})",
                path,
                tname,
            )
        if begin > pos:
            raise _bad(
                f"tensor {tname!r} in {name} starts at byte {begin} of the data area, leaving a gap "
                f"after byte {pos}: the file is corrupt",
                path,
                tname,
            )
        if end > data_size:
            raise TruncatedFileError(
                f"shard {name} is truncated: expected {human_bytes(data_start + spans[-1][1])}, "
                f"found {human_bytes(size)} (tensor {tname!r} ends past the end of the file)",
                path=str(path),
                tensor=tname,
            )
        pos, prev = end, tname
    if pos != data_size:
        raise _bad(
            f"{name} has {data_size - pos} bytes after its last tensor: the file is corrupt",
            path,
        )
    return [t for _, _, t in spans]


def read_into(f: Any, buf: memoryview, path: Path, tensor: str) -> None:
    """Fill ``buf`` from the file's current position or raise TruncatedFileError."""
    got = 0
    while got < len(buf):
        k = f.readinto(buf[got:])
        if not k:
            raise TruncatedFileError(
                f"shard {Path(path).name} is truncated: it ended while reading tensor {tensor!r}",
                path=str(path),
                tensor=tensor,
            )
        got += k


def read_json(path: Path, what: str, permitted: Permitted) -> Any:
    try:
        return json.loads(checked_path(path, permitted).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CheckpointFormatError(
            f"{path.name} ({what}) is not valid JSON: {str(e)[:200]}", path=str(path)
        ) from e
    except OSError as e:
        raise CheckpointFormatError(f"cannot read {path.name}: {e.strerror or e}", path=str(path)) from e


def _shard_path(root: Path, shard: Any, index: Path) -> Path:
    # A shard name is a file in the checkpoint folder; anything else ("../x", "/etc/x") is refused.
    if not isinstance(shard, str) or not shard or "/" in shard or "\\" in shard or shard in (".", ".."):
        raise CheckpointFormatError(
            f"{index.name} names an invalid shard {str(shard)[:80]!r}", path=str(index)
        )
    return root / shard


def files_from_index(root: Path, index: Path, permitted: Permitted) -> list[SafetensorsFile]:
    data = read_json(index, "shard index", permitted)
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
        raise CheckpointFormatError(f"{index.name} has no weight_map object", path=str(index))
    wanted: dict[str, list[str]] = {}
    for tname, shard in weight_map.items():
        _shard_path(root, shard, index)
        wanted.setdefault(shard, []).append(tname)
    files = []
    for shard, names in wanted.items():
        p = root / shard
        if not p.exists():
            raise MissingShardError(
                f"shard {shard} named in {index.name} (for tensor {names[0]!r} and {len(names) - 1} more) "
                "is missing",
                path=str(p),
                tensor=names[0],
            )
        sf = read_header(checked_path(p, permitted, name=shard), shard)
        present = {t.name for t in sf.tensors}
        for tname in names:
            if tname not in present:
                raise CheckpointFormatError(
                    f"tensor {tname!r} is mapped to shard {shard} by {index.name} but is not in it",
                    path=str(p),
                    tensor=tname,
                )
        files.append(sf)
    return files
