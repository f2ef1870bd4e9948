"""Reading single tensors of a hub checkpoint by HTTP Range: the weight-reading methods on a model
whose files are no longer on disk.

A model larger than the disk budget is fingerprinted shard by shard and its shards deleted
(``shard_by_shard``). The methods that compare the weights of both models at once
(``embedding_anchor``, ``neuron_matching``, ``weight_matching``, ``expert_upcycling``) read only some
tensors, one at a time, so they can run on such a model when its hub answers ``Range`` requests:
``open_remote_checkpoint`` reads each shard's header again (8 bytes + its JSON, by range) and gives
a ``RemoteCheckpoint``, a ``Checkpoint`` whose tensor reads are range requests of exactly that
tensor's bytes, streamed in chunks, never written to disk.

Verification: the shards were verified whole when they were fingerprinted (SHA-256 against what
the hub publishes), and the fingerprint then recorded a digest of every tensor's bytes (BLAKE3).
Every tensor read by range is hashed as it streams and compared with that digest before the read
is finished: a hub that serves other bytes for a tensor than it served for the verified file stops
the report with ``TamperedWeightsError``, naming the tensor and both digests. A header read again
must list the same tensors (names, dtypes, shapes, sizes) as the fingerprint, or the same error.

A dropped connection is resumed from the last byte received (``RETRIES`` times). A hub that answers
a range request with the whole file (status 200) is refused: the methods are then skipped with
that reason, since reading a 4 GB shard for a 50 MB tensor is not what the operator budgeted.

No Django here: the knowledge base's runner calls ``open_remote_checkpoint``.
"""

from __future__ import annotations

import hashlib
import io
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import blake3
import numpy as np

from .checkpoint import Checkpoint, tensors_by_name
from .errors import TamperedWeightsError
from .fingerprint import ModelFingerprint
from .safetensors_format import DEFAULT_CHUNK_BYTES, MAX_HEADER_BYTES, decode, read_header_from, value_dtype
from .sources.errors import NotSafetensorsError, RangeReadFailedError, RangesRefusedError
from .sources.hub import api_errors, client_error, hub_requests
from .sources.naming import Hub, HubSource

HEADER_PROBE = 1 << 16  # bytes asked for first: most headers fit; a longer one takes a second request
RETRIES = 3  # a dropped connection is resumed this many times per tensor
KEEP_BYTES = 256 << 20
"""Verified tensors kept in memory per checkpoint (least recently read dropped first; a tensor over a
quarter of this is never kept): the weight methods read some matrices more than once."""


@dataclass
class RangeReader:
    """Range requests to the files of one hub repository at one commit, through ``huggingface_hub``'s
    own HTTP session: every request, each redirect hop included, is checked against the hub's
    allowed hosts before it goes out (``sources.hub._check_request``)."""

    source: HubSource
    commit: str
    hub: Hub
    token: str = ""
    bytes_read: int = 0
    requests: int = 0
    _urls: dict[str, str] = field(default_factory=dict)

    def url(self, name: str) -> str:
        from huggingface_hub import hf_hub_url

        if name not in self._urls:
            self._urls[name] = hf_hub_url(
                self.source.repo, name, revision=self.commit, endpoint=self.hub.endpoint
            )
        return self._urls[name]

    def stream(self, name: str, start: int, end: int, *, chunk_bytes: int = 1 << 20) -> Iterator[bytes]:
        """Bytes ``start..end`` (inclusive) of file ``name``, in pieces of at most ``chunk_bytes``;
        resumed from the last byte received when the connection drops. SourceError when the hub
        refuses, ignores the range (answers 200 for a part of the file) or keeps dropping."""
        from huggingface_hub.utils import build_hf_headers, get_session

        position, attempts = start, 0
        while position <= end:
            headers = {**build_hf_headers(token=self.token or False), "Range": f"bytes={position}-{end}"}
            try:
                self.requests += 1
                with (
                    hub_requests(self.hub, name),
                    get_session().stream(
                        "GET",
                        self.url(name),
                        headers=headers,
                        follow_redirects=True,
                        timeout=self.hub.timeout,
                    ) as r,
                ):
                    if r.status_code >= 400:
                        r.read()
                        r.raise_for_status()
                    if r.status_code != 206 and not (position == 0 and r.status_code == 200):
                        # (a 200 from byte 0 is the file's start: read only as far as asked, then closed)
                        raise RangesRefusedError(hub=self.hub.name, file=name, status=r.status_code)
                    pending = b""
                    for piece in r.iter_bytes(min(chunk_bytes, 1 << 20)):
                        piece = piece[: end + 1 - position - len(pending)]
                        pending += piece
                        if len(pending) >= chunk_bytes:
                            position += len(pending)
                            self.bytes_read += len(pending)
                            yield pending
                            pending = b""
                        if position + len(pending) > end:
                            break
                    if pending:
                        position += len(pending)
                        self.bytes_read += len(pending)
                        yield pending
                    if position <= end:  # the body ended early: ask for the rest
                        raise _Dropped(f"the body of {name} ended at byte {position}, before {end + 1}")
            except (_Dropped, *api_errors()) as exc:
                status = getattr(getattr(exc, "response", None), "status_code", None)
                if status is not None and status < 500:
                    raise client_error(exc, self.source, self.hub, self.token) from exc
                attempts += 1
                if attempts > RETRIES:
                    raise RangeReadFailedError(
                        hub=self.hub.name, file=name, attempts=attempts, detail=str(exc)
                    ) from exc

    def read(self, name: str, start: int, end: int) -> bytes:
        return b"".join(self.stream(name, start, end, chunk_bytes=end - start + 1))


class _Dropped(Exception):
    pass


def fetch_header(reader: RangeReader, name: str, size: int) -> bytes:
    """The first 8 + N bytes of a shard (its length prefix and JSON header), by range requests."""
    data = reader.read(name, 0, min(HEADER_PROBE, size) - 1)
    need = 8 + int.from_bytes(data[:8], "little") if len(data) >= 8 else 0
    if len(data) < 8 or need - 8 > MAX_HEADER_BYTES or need > size:
        raise NotSafetensorsError(hub=reader.hub.name, file=name, size=size)
    if need > len(data):
        data += reader.read(name, len(data), need - 1)
    return data[:need]


class RemoteCheckpoint(Checkpoint):
    """A checkpoint whose tensors are read by range from the hub and checked against the digests
    of its fingerprint (see the module's docstring). Same reading interface as ``Checkpoint``."""

    verifies_whole_tensors = True
    reader: RangeReader
    digests: dict[str, str]
    algorithm: str
    kept: OrderedDict[str, bytes]  # the tensors read last, verified, within KEEP_BYTES

    def _verified(self, name: str, chunk_bytes: int) -> Iterator[bytes]:
        t = self.tensors[name]
        if name in self.kept:  # read again by another method or null draw: not fetched twice
            self.kept.move_to_end(name)
            data = self.kept[name]
            for i in range(0, len(data), chunk_bytes):
                yield data[i : i + chunk_bytes]
            return
        keep = t.nbytes <= KEEP_BYTES // 4
        pieces = []
        h = blake3.blake3(max_threads=blake3.blake3.AUTO) if self.algorithm == "blake3" else hashlib.sha256()
        if t.nbytes:
            for piece in self.reader.stream(t.file, t.start, t.start + t.nbytes - 1, chunk_bytes=chunk_bytes):
                h.update(piece)
                if keep:
                    pieces.append(piece)
                yield piece
        got = h.hexdigest()
        if got != self.digests[name]:
            raise TamperedWeightsError(
                f"{self.reader.hub.name} served tensor {name} of {self.reader.source} with bytes that are not "
                f"the ones verified when its file was downloaded whole ({self.algorithm} {got} read by range, "
                f"{self.digests[name]} recorded): the analysis was stopped.",
                tensor=name,
            )
        if keep:
            self.kept[name] = b"".join(pieces)
            while sum(map(len, self.kept.values())) > KEEP_BYTES:
                self.kept.popitem(last=False)

    def iter_raw(self, name: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[memoryview]:
        t = self.tensors[name]
        step = max(t.itemsize, chunk_bytes - chunk_bytes % t.itemsize)
        for piece in self._verified(name, step):
            yield memoryview(piece)

    def read_tensor(self, name: str) -> np.ndarray:
        t = self.tensors[name]
        raw = np.empty(t.nbytes, dtype=np.uint8)
        done = 0
        for piece in self._verified(name, 16 << 20):
            raw[done : done + len(piece)] = np.frombuffer(piece, dtype=np.uint8)
            done += len(piece)
        return decode(raw, t.dtype).reshape(t.shape)

    def read_row_ranges(self, name: str, ranges: Iterable[tuple[int, int]]) -> np.ndarray:
        # The digest covers the whole tensor: it is read whole (streamed) and the rows kept.
        t = self.tensors[name]
        ranges = list(ranges)
        if not ranges:
            return np.empty((0, *t.shape[1:]), dtype=value_dtype(t.dtype))
        whole = self.read_tensor(name)
        return np.concatenate([whole[a:b] for a, b in ranges])


def open_remote_checkpoint(
    source: HubSource,
    *,
    commit: str,
    hub: Hub,
    token: str = "",
    fingerprint: ModelFingerprint,
    folder: Path,
) -> RemoteCheckpoint:
    """The checkpoint of ``fingerprint`` (made from ``source`` at ``commit``) with tensors read by
    range; ``folder`` holds its small files (config.json, the tokenizer), kept after the shards
    were deleted. SourceError when the hub cannot be read by range; TamperedWeightsError when a
    header no longer lists the tensors the fingerprint recorded."""
    reader = RangeReader(source, commit, hub, token)
    files = []
    for record in fingerprint.files:
        if not record.name.endswith(".safetensors"):
            continue
        header = fetch_header(reader, record.name, record.size)
        files.append(
            read_header_from(
                io.BytesIO(header), size=record.size, name=record.name, path=folder / record.name
            )
        )
    tensors = tensors_by_name(files)
    recorded = {t.name: t for t in fingerprint.tensors}
    listed = {name: (t.dtype, list(t.shape), t.nbytes) for name, t in tensors.items()}
    expected = {name: (t.dtype, list(t.shape), t.nbytes) for name, t in recorded.items()}
    if listed != expected:
        changed = sorted(set(listed) ^ set(expected) or {n for n in listed if listed[n] != expected[n]})
        raise TamperedWeightsError(
            f"{hub.name} now lists the tensors of {source} at {commit[:12]} differently from the files "
            f"verified when they were downloaded ({len(changed)} differ, e.g. {changed[0]}): the analysis was stopped."
        )
    config = None
    if (folder / "config.json").is_file():
        import json

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    tokenizer = folder / "tokenizer.json"
    ckpt = RemoteCheckpoint(folder, files, tensors, config, tokenizer if tokenizer.is_file() else None)
    ckpt.reader = reader
    ckpt.digests = {name: t.digest for name, t in recorded.items()}
    ckpt.algorithm = fingerprint.tensor_hash
    ckpt.kept = OrderedDict()
    return ckpt
