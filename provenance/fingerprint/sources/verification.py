"""The files of a source as they arrive and once they are kept: the hash computed while the bytes
are written (``HashingWriter``), the ``.partial`` file an interrupted download resumes from, the free
space checked before anything downloads, and what an acquisition returns (``Acquired``)."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import NotEnoughSpaceError
from .naming import GitSource, HubSource, source_record

if TYPE_CHECKING:
    from .git import GitPlan
    from .hub import Plan

PARTIAL = ".partial"
_HTML = (b"<!doctype html", b"<html", b"<!--", b"<head")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    sha256: str = ""  # the LFS oid, for files in LFS
    blob_id: str = ""  # the git blob id (SHA-1 of "blob <size>\0" + content), for the others


@dataclass
class Acquired:
    source: HubSource | GitSource
    commit: str
    folder: Path
    files: list[dict] = field(default_factory=list)  # [{name, size, sha256}]
    bytes_fetched: int = 0

    @property
    def total_bytes(self) -> int:
        return sum(f["size"] for f in self.files)

    @property
    def path(self) -> Path:
        """What the engine opens: the folder, or the first file of the GGUF model fetched into it
        (the one the source names or the repository's only one; it may sit in a sub-folder)."""
        gguf = sorted(f["name"] for f in self.files if f["name"].endswith(".gguf"))
        return self.folder / gguf[0] if gguf else self.folder

    def record(self) -> dict:
        """What a report records of this side (``source_record``)."""
        return source_record(self.source, commit=self.commit, files=self.files)


class TooLong(Exception):
    """A body went past the size the hub listed (raised from ``HashingWriter.write``)."""


class HashingWriter:
    """The file object ``http_get`` writes to: appends to ``<file>.partial`` and hashes each chunk
    as it passes (SHA-256, and the git blob id for files not in LFS). ``http_get`` rewinds and truncates when a server
    ignores a Range request: the hashes are then recomputed from what is left on disk."""

    def __init__(
        self, path: Path, size: int, on_bytes: Callable[[int], None], *, blob_id: bool = False
    ) -> None:
        self.path, self.size, self.on_bytes, self.blob_id = path, size, on_bytes, blob_id
        self.file = open(path, "ab+")  # noqa: SIM115 - closed by close()
        self.fetched = 0
        self.first = b""
        self._rehash(self.file.seek(0, os.SEEK_END))

    def _rehash(self, length: int) -> None:
        self.sha256 = hashlib.sha256()
        self.blob = hashlib.sha1(f"blob {self.size}\0".encode(), usedforsecurity=False)
        self.file.seek(0)
        remaining = length
        while remaining > 0:
            block = self.file.read(min(1 << 20, remaining))
            if not block:
                break
            self.sha256.update(block)
            if self.blob_id:
                self.blob.update(block)
            remaining -= len(block)
        if self.file.seek(0, os.SEEK_END) != length:
            self.file.seek(length)
            self.file.truncate()
        self.length = length

    def write(self, chunk: bytes) -> int:
        """Append ``chunk``; a body longer than the listed size is refused at that size: no byte past
        it reaches the disk, and the download stops (``TooLong``)."""
        room = self.size - self.length
        if len(chunk) > room:
            self._append(chunk[: max(room, 0)])
            raise TooLong(self.size)
        return self._append(chunk)

    def _append(self, chunk: bytes) -> int:
        if self.length == 0 and len(self.first) < 64:
            self.first += chunk[:64]
        self.file.write(chunk)
        self.sha256.update(chunk)
        if self.blob_id:  # only files not in LFS are published by their git blob id
            self.blob.update(chunk)
        self.length += len(chunk)
        self.fetched += len(chunk)
        self.on_bytes(len(chunk))
        return len(chunk)

    def tell(self) -> int:
        return self.length

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        # Only http_get's rewind before a full download goes through here.
        if whence != os.SEEK_SET or offset > self.length:
            raise OSError("HashingWriter only rewinds")
        self._rehash(offset)
        return offset

    def truncate(self, size: int | None = None) -> int:
        self._rehash(self.length if size is None else size)
        return self.length

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()

    def looks_like_html(self) -> bool:
        return self.first.lstrip().lower().startswith(_HTML)


def check_free_space(planned: Plan | GitPlan, folder: Path) -> None:
    """Refuse before anything downloads when the disk cannot hold what is still to fetch."""
    missing = 0
    for remote in planned.files:
        target = folder / remote.name
        if not (target.is_file() and target.stat().st_size == remote.size):
            partial = target.with_name(target.name + PARTIAL)
            missing += remote.size - (partial.stat().st_size if partial.is_file() else 0)
    existing = folder
    while not existing.exists():
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if missing > free:
        raise NotEnoughSpaceError(
            source=str(planned.source), missing=missing, folder=str(existing), free=free
        )
