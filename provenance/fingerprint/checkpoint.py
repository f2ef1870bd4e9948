"""A checkpoint as the engine reads it, whatever its format: files, tensors, config and tokenizer.

``Checkpoint`` reads safetensors data (raw little-endian values, upcast by
``safetensors_format.decode``); ``gguf_format.GgufCheckpoint`` subclasses it with dequantisation.
Both are built by ``reader.open_checkpoint``. Holds headers and the parsed config only; weights are
read on demand, one buffer at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .errors import CheckpointFormatError
from .paths import Permitted, checked_path
from .safetensors_format import (
    DEFAULT_CHUNK_BYTES,
    SafetensorsFile,
    TensorInfo,
    decode,
    read_into,
    value_dtype,
)


@dataclass
class Checkpoint:
    """A validated checkpoint: its files, tensors, and the optional config and tokenizer.

    Holds only headers and the parsed config; weights are read on demand.
    """

    root: Path
    files: list[SafetensorsFile]
    tensors: dict[str, TensorInfo]
    config: dict[str, Any] | None = None
    tokenizer_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    # The folders its files may be read from (None: anywhere); see provenance.fingerprint.paths.
    permitted: Permitted = None
    # A reader that stops early must still read the rest of a tensor (remote.RemoteCheckpoint checks
    # each tensor's digest at its end).
    verifies_whole_tensors: ClassVar[bool] = False

    def checked(self, path: Path) -> Path:
        """``path`` (a file next to the weights) as it may be opened, or an UnsafePathError."""
        return checked_path(path, self.permitted)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def iter_raw(self, name: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[memoryview]:
        """Raw stored bytes of one tensor in chunks of at most ``chunk_bytes`` (rounded down to whole
        elements). Each yielded view is overwritten by the next one: copy it to keep it.
        Memory: one buffer of ``chunk_bytes``."""
        t = self.tensors[name]
        step = max(t.itemsize, chunk_bytes - chunk_bytes % t.itemsize)
        buf = memoryview(bytearray(min(step, max(t.nbytes, 1))))
        with open(t.path, "rb", buffering=0) as f:
            f.seek(t.start)
            done = 0
            while done < t.nbytes:
                k = min(step, t.nbytes - done)
                read_into(f, buf[:k], t.path, name)
                yield buf[:k]
                done += k

    def iter_chunks(self, name: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[np.ndarray]:
        """Values of one tensor in stored (row-major) order, as 1-D float32 arrays (float64 for
        F64 and wide integers) covering at most ``chunk_bytes`` of stored bytes each.
        Memory: the read buffer plus one upcast chunk (2x the chunk for bf16)."""
        dtype = self.tensors[name].dtype
        for raw in self.iter_raw(name, chunk_bytes):
            yield decode(raw, dtype)

    def read_row_ranges(self, name: str, ranges: Iterable[tuple[int, int]]) -> np.ndarray:
        """Rows ``[a, b)`` of the tensor's first axis for each range, concatenated and upcast as
        :meth:`read_tensor`; only those rows are read (one fused slice, one expert of a stack)."""
        t = self.tensors[name]
        row = t.nbytes // t.shape[0] if t.shape and t.shape[0] else 0
        out = []
        with open(t.path, "rb", buffering=0) as f:
            for a, b in ranges:
                raw = np.empty((b - a) * row, dtype=np.uint8)
                f.seek(t.start + a * row)
                read_into(f, memoryview(raw), t.path, name)
                out.append(decode(raw, t.dtype).reshape(b - a, *t.shape[1:]))
        return np.concatenate(out) if out else np.empty((0, *t.shape[1:]), dtype=value_dtype(t.dtype))

    def read_tensor(self, name: str) -> np.ndarray:
        """The whole tensor upcast (float32, or float64 for F64), in its stored shape.
        Memory: the stored bytes plus the upcast array, e.g. 6 bytes per bf16 entry; use
        :meth:`iter_chunks` for anything that does not need the whole matrix at once."""
        t = self.tensors[name]
        raw = np.empty(t.nbytes, dtype=np.uint8)
        with open(t.path, "rb", buffering=0) as f:
            f.seek(t.start)
            read_into(f, memoryview(raw), t.path, name)
        return decode(raw, t.dtype).reshape(t.shape)


def tensors_by_name(files: Iterable[Any]) -> dict[str, Any]:
    """Every tensor of the files (safetensors or GGUF) by name; a name in two files is refused."""
    tensors: dict[str, Any] = {}
    for f in files:
        for t in f.tensors:
            if t.name in tensors:
                raise CheckpointFormatError(
                    f"tensor {t.name!r} is stored twice, in {tensors[t.name].file} and in {f.name}",
                    path=str(f.path),
                    tensor=t.name,
                )
            tensors[t.name] = t
    return tensors
