"""GGUF metadata: the bounded reader of a GGUF header and its lazy arrays.

Every count and length is checked against the bytes that are left before anything is read, and an
optional ``limit`` caps the bytes of header read at all (the web process reads admin uploads with
``GGUF_HEADER_MAX_MB``): past it the file is refused in one sentence instead of read.

Arrays in the metadata are not turned into Python lists, which cost 8 to 30 bytes per item (a
200 MB ``u8`` array once took 1.9 GB): like ``gguf.GGUFReader``, arrays of numbers are numpy
arrays, memory-mapped read-only over the file when they are large (``LAZY_ARRAY_BYTES``), so their
pages are only read if someone reads the values (nothing in the engine does); arrays of strings are
``GgufStrings``, whose items are decoded from the file, ``READ_CHUNK`` bytes at a time, each time
the array is iterated (the vocabulary does, once). A memory-mapped array holds a file descriptor
(``mmap`` duplicates it) and, like any mapping, faults if the file is truncated under it.

Memory: the scalars and strings of the metadata, plus one ``READ_CHUNK`` while an array of strings
is walked or iterated; nothing grows with an array of numbers or the count of an array of strings.
"""

from __future__ import annotations

import errno
import io
import mmap
import os
import stat
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .errors import CheckpointFormatError, TruncatedFileError

MAX_NESTING = 4  # arrays of arrays in the metadata
MAX_NESTED_ITEMS = 2**16  # items of an array of arrays: each would be a Python object
LAZY_ARRAY_BYTES = 2**20  # arrays of numbers at least this large are memory-mapped, not read
READ_CHUNK = 2**20

SCALARS = {  # value type id -> (struct format, size)
    0: ("<B", 1),
    1: ("<b", 1),
    2: ("<H", 2),
    3: ("<h", 2),
    4: ("<I", 4),
    5: ("<i", 4),
    6: ("<f", 4),
    7: ("<?", 1),
    10: ("<Q", 8),
    11: ("<q", 8),
    12: ("<d", 8),
}
NP_SCALARS = {
    0: "<u1",
    1: "<i1",
    2: "<u2",
    3: "<i2",
    4: "<u4",
    5: "<i4",
    6: "<f4",
    7: "<u1",
    10: "<u8",
    11: "<i8",
    12: "<f8",
}
STRING, ARRAY = 8, 9


def _mappable(f: BinaryIO) -> int | None:
    """The descriptor of ``f`` when it is a regular file that can be memory-mapped, else None (an
    upload held in memory is read instead)."""
    try:
        fd = f.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


class _Overrun(Exception):
    """A string of an array runs past where the array may end; ``pos``: where its length starts."""

    def __init__(self, pos: int):
        super().__init__(pos)
        self.pos = pos


def _raw_strings(f: BinaryIO, start: int, count: int, stop: int, *, keep: bool = True) -> Iterator[Any]:
    """The ``count`` strings (u64 length, then the bytes) from absolute offset ``start`` of ``f``,
    read ``READ_CHUNK`` at a time: each yielded as its bytes, or with ``keep=False`` as its length
    (a string longer than what is buffered is then skipped, not read). Raises ``_Overrun`` when a
    string runs past ``stop`` or the end of the file."""
    f.seek(start)
    buf, i, pos = b"", 0, start  # pos: the file offset of buf[i]
    for _ in range(count):
        if len(buf) - i < 8:
            buf, i = buf[i:] + f.read(READ_CHUNK), 0
        if len(buf) - i < 8 or pos + 8 > stop:
            raise _Overrun(pos)
        (n,) = struct.unpack_from("<Q", buf, i)
        if n > stop - pos - 8:
            raise _Overrun(pos)
        have = len(buf) - i - 8
        if have < n and not keep:
            pos += 8 + n
            f.seek(pos)
            buf, i = b"", 0
            yield n
            continue
        if have < n:
            buf, i = buf[i:] + f.read(n - have), 0
            if len(buf) - 8 < n:
                raise _Overrun(pos)
        yield buf[i + 8 : i + 8 + n] if keep else n
        i, pos = i + 8 + n, pos + 8 + n


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "surrogateescape")  # token pieces may be raw bytes


class GgufStrings:
    """An array of strings of a GGUF header, validated when the header was read and decoded from
    the file each time it is iterated (``READ_CHUNK`` at a time). ``source``: the file's path, or
    the open upload it was read from (which must still be open). ``start``/``stop``: absolute
    offsets of its first string and of the byte after its last."""

    def __init__(self, source: Path | BinaryIO, start: int, stop: int, count: int, name: str, path: Path):
        self.source, self.start, self.stop, self.count = source, start, stop, count
        self.name, self.path = name, path

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        if isinstance(self.source, Path):
            with open(self.source, "rb") as f:
                yield from self._decoded(f)
        else:
            yield from self._decoded(self.source)

    def _decoded(self, f: BinaryIO) -> Iterator[str]:
        try:
            for raw in _raw_strings(f, self.start, self.count, self.stop):
                yield decode(raw)
        except _Overrun:
            raise TruncatedFileError(
                f"{self.name} changed while being read: an array of its metadata no longer fits where "
                "its header put it",
                path=str(self.path),
            ) from None

    def __repr__(self) -> str:
        return f"<GgufStrings: {self.count:,} strings of {self.name}>"


class HeaderReader:
    """Bounded reads of a header from an open file, from its current position: every length is
    checked against what is left, and against ``limit`` (bytes of header at most) when given.
    ``reopen``: the path arrays of strings are read from later (None: from ``f``, kept open).
    ``what`` names the item being read, for the error a failure becomes."""

    def __init__(
        self,
        f: BinaryIO,
        size: int,
        name: str,
        path: Path,
        *,
        limit: int | None = None,
        reopen: Path | None = None,
    ):
        self.f, self.size, self.name, self.path, self.limit, self.reopen = f, size, name, path, limit, reopen
        self.base, self.pos, self.what = f.tell(), 0, "its magic"
        self.fd = _mappable(f)

    def left(self) -> int:
        return self.size - self.pos

    def truncated(self, what: str) -> TruncatedFileError:
        return TruncatedFileError(
            f"{self.name} is truncated: it ends inside its header ({what}, at byte {self.pos})",
            path=str(self.path),
        )

    def too_large(self, what: str) -> CheckpointFormatError:
        from .sizes import human_bytes

        return CheckpointFormatError(
            f"{self.name} has a GGUF header larger than {human_bytes(self.limit or 0)}, the most this process "
            f"reads ({what} runs past it): real models' headers take a few MB",
            path=str(self.path),
        )

    def _take(self, n: int, what: str) -> int:
        """Claim the next ``n`` bytes (checked against the file and the limit); their offset in the file."""
        self.what = what
        if n > self.left():
            raise self.truncated(what)
        if self.limit is not None and self.pos + n > self.limit:
            raise self.too_large(what)
        at = self.base + self.pos
        self.pos += n
        return at

    def read(self, n: int, what: str) -> bytes:
        self._take(n, what)
        b = self.f.read(n)
        if len(b) < n:
            raise TruncatedFileError(
                f"{self.name} is truncated: it shrank while being read", path=str(self.path)
            )
        return b

    def scalar(self, vtype: int, what: str) -> Any:
        fmt, n = SCALARS[vtype]
        return struct.unpack(fmt, self.read(n, what))[0]

    def u32(self, what: str) -> int:
        return self.scalar(4, what)

    def u64(self, what: str) -> int:
        return self.scalar(10, what)

    def string(self, what: str) -> str:
        n = self.u64(what)
        if n > self.left():
            raise TruncatedFileError(
                f"{self.name}: the string length of {what} ({n:,} bytes) runs past the end of the file",
                path=str(self.path),
            )
        return decode(self.read(n, what))

    def value(self, vtype: int, what: str, depth: int = 0) -> Any:
        """One metadata value: a scalar, a str, a numpy array of numbers, ``GgufStrings`` or a list."""
        if vtype in SCALARS:
            return self.scalar(vtype, what)
        if vtype == STRING:
            return self.string(what)
        if vtype != ARRAY:
            raise CheckpointFormatError(
                f"{self.name}: {what} has an unknown value type {vtype}", path=str(self.path)
            )
        if depth >= MAX_NESTING:
            raise CheckpointFormatError(f"{self.name}: {what} nests arrays too deeply", path=str(self.path))
        itype = self.u32(what)
        count = self.u64(what)
        least = SCALARS[itype][1] if itype in SCALARS else 8 if itype in (STRING, ARRAY) else None
        if least is None:
            raise CheckpointFormatError(
                f"{self.name}: {what} is an array of an unknown value type {itype}", path=str(self.path)
            )
        if count * least > self.left():
            raise TruncatedFileError(
                f"{self.name}: {what} declares {count:,} items, more than the file can hold",
                path=str(self.path),
            )
        if itype in SCALARS:
            return self.numbers(itype, count, what)
        if itype == STRING:
            return self.strings(count, what)
        if count > MAX_NESTED_ITEMS:
            raise CheckpointFormatError(
                f"{self.name}: {what} is an array of {count:,} arrays, more than the {MAX_NESTED_ITEMS:,} "
                "this reader accepts",
                path=str(self.path),
            )
        return [self.value(itype, what, depth + 1) for _ in range(count)]

    def numbers(self, itype: int, count: int, what: str) -> np.ndarray:
        """A read-only numpy array, memory-mapped when large and the file can be mapped."""
        dtype = np.dtype(NP_SCALARS[itype])
        n = count * dtype.itemsize
        if n < LAZY_ARRAY_BYTES or self.fd is None:
            arr = np.frombuffer(self.read(n, what), dtype=dtype)
            return arr.view(np.bool_) if itype == 7 else arr
        at = self._take(n, what)
        start = at - at % mmap.ALLOCATIONGRANULARITY
        try:
            mapped = mmap.mmap(self.fd, at + n - start, access=mmap.ACCESS_READ, offset=start)
        except OSError as e:
            if e.errno == errno.ENOMEM:  # no address space left (RLIMIT_AS): a memory error like any other
                raise MemoryError(str(e)) from None
            raise
        self.f.seek(self.base + self.pos)
        arr = np.frombuffer(mapped, dtype=dtype, count=count, offset=at - start)
        return arr.view(np.bool_) if itype == 7 else arr

    def strings(self, count: int, what: str) -> GgufStrings:
        """Walk the lengths of ``count`` strings (checked as any string) without keeping them."""
        start = self.base + self.pos
        end = self.base + self.size
        stop = end if self.limit is None else min(end, self.base + self.limit)
        try:
            nbytes = sum(8 + n for n in _raw_strings(self.f, start, count, stop, keep=False))
        except _Overrun as e:
            self.pos = e.pos - self.base
            raise (self.too_large(what) if stop < end else self.truncated(what)) from None
        self._take(nbytes, what)
        self.f.seek(self.base + self.pos)
        return GgufStrings(self.reopen or self.f, start, start + nbytes, count, self.name, self.path)
