"""Fingerprinting a hub checkpoint larger than the disk budget: one shard at a time, each deleted
once it is passed.

The per-model pass (hashes, per-part statistics, samples: everything the fingerprint-only methods
read) needs each byte of a checkpoint once, so a 144 GB model can be fingerprinted by a server with
20 GB of disk:

1. the small files (``config.json``, the tokenizer, the shard index) are fetched and kept, as by
   ``sources.acquire``;
2. the header of each shard (8 bytes + its JSON) is read from the start of its download and written
   into a *sparse* placeholder of the shard's full size: ``open_checkpoint`` opens, validates and
   resolves the layout of the whole checkpoint while the disk holds only headers;
3. shard by shard: fetched and verified as ``acquire`` does (SHA-256 while it downloads, checked
   against what the hub publishes), passed (``stats.fingerprint_file``), its result saved beside
   the placeholders (``.shards/<name>.json``: an interrupted run resumes after the last shard
   passed), then deleted;
4. ``stats.merge_shards`` of the shard results is the fingerprint a pass over the whole folder gives.

Peak disk: the largest shard, plus the headers, the small files and the shard results kept for a
resume (the fingerprint itself: about 64 KB of samples per weight matrix). The methods that read the weights
of both models at once (``embedding_anchor``, ``neuron_matching``, ``weight_matching``,
``expert_upcycling``) then read the tensors they need by HTTP range from the hub, each checked
against the digest this pass recorded (``remote``); a hub that does not answer ranges leaves them
skipped, and the report says why.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from .fingerprint import ModelFingerprint
from .hashing import sha256_file
from .reader import open_checkpoint
from .remote import HEADER_PROBE, RangeReader, fetch_header
from .sources.errors import NotEnoughSpaceError
from .sources.hub import Plan, fetch_file, plan, snapshot_folder
from .sources.naming import HubSource, hub_for
from .sources.verification import PARTIAL, Acquired, Progress, RemoteFile
from .stats import ShardResult, fingerprint_file, merge_shards

RESULTS = ".shards"


def _is_shard(remote: RemoteFile) -> bool:
    return remote.name.endswith(".safetensors")


def disk_needed(planned: Plan) -> int:
    """What fingerprinting shard by shard holds on disk at most, leaving out the shard results: the
    small files, the largest shard and every shard's header (counted at the first request's size)."""
    shards = [f.size for f in planned.files if _is_shard(f)]
    small = sum(f.size for f in planned.files if not _is_shard(f))
    return small + max(shards, default=0) + len(shards) * HEADER_PROBE


def _placeholder(path: Path, header: bytes, size: int) -> None:
    """A sparse file of ``size`` bytes that holds only ``header``: the disk keeps the header."""
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(size)


def fingerprint_shard_by_shard(
    source: HubSource,
    *,
    hubs: dict,
    cache_dir: Path,
    token: str = "",
    planned: Plan | None = None,
    progress: Progress | None = None,
    on_shard: Callable[[str], None] | None = None,
    **fingerprint_options,
) -> tuple[Acquired, ModelFingerprint]:
    """Fetch, fingerprint and delete the shards of ``source`` one at a time (see the module's
    docstring). Returns what was fetched (every file with its verified SHA-256; the folder keeps
    only the small files) and the fingerprint, equal to ``fingerprint_checkpoint`` of the whole
    folder with the same ``fingerprint_options`` (chunk_bytes, sample_size, seed).
    ``progress(bytes_done, bytes_total)`` counts bytes downloaded; ``on_shard(name)`` after each
    shard is passed."""
    hub = hub_for(source, hubs)
    planned = planned or plan(source, hubs=hubs, token=token)
    folder = snapshot_folder(cache_dir, source, planned.commit)
    results_dir = folder / RESULTS
    results_dir.mkdir(parents=True, exist_ok=True)
    needed = disk_needed(planned)
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise NotEnoughSpaceError(
            source=str(source), missing=needed, folder=str(folder), free=free, one_shard=True
        )
    done, total = 0, planned.total_bytes

    def on_bytes(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(min(done, total), total)

    fetch = {
        "source": source,
        "commit": planned.commit,
        "hub": hub,
        "token": token,
        "folder": folder,
        "on_bytes": on_bytes,
    }
    result = Acquired(source, planned.commit, folder)
    sha256s: dict[str, str] = {}
    shards = [f for f in planned.files if _is_shard(f)]
    for remote in planned.files:
        if _is_shard(remote):
            continue
        target = folder / remote.name
        if not (target.is_file() and target.stat().st_size == remote.size):
            sha256s[remote.name], fetched = fetch_file(remote, **fetch)
            result.bytes_fetched += fetched
        else:  # verified when it was fetched
            sha256s[remote.name] = remote.sha256 or sha256_file(target)
            on_bytes(remote.size)
    try:
        fingerprint = _pass_shards(
            shards, planned, folder, fetch, result, sha256s, on_shard, fingerprint_options
        )
    finally:  # placeholders are not weights: none is left behind, whatever happened
        for remote in shards:
            (folder / remote.name).unlink(missing_ok=True)
    shutil.rmtree(results_dir, ignore_errors=True)
    for remote in planned.files:
        result.files.append({"name": remote.name, "size": remote.size, "sha256": sha256s[remote.name]})
    return result, fingerprint


def _pass_shards(
    shards, planned, folder, fetch, result, sha256s, on_shard, fingerprint_options
) -> ModelFingerprint:
    reader = RangeReader(fetch["source"], planned.commit, fetch["hub"], fetch["token"])
    for remote in shards:
        target = folder / remote.name
        target.parent.mkdir(parents=True, exist_ok=True)
        header = fetch_header(reader, remote.name, remote.size)
        _placeholder(target, header, remote.size)
    ckpt = open_checkpoint(folder)
    index = {sf.name: i for i, sf in enumerate(ckpt.files)}
    passed: dict[str, ShardResult] = {}
    results_dir = folder / RESULTS
    for remote in shards:
        saved = results_dir / (remote.name.replace("/", "--") + ".json")
        if saved.is_file():  # passed before an interruption: its file was verified then
            passed[remote.name] = ShardResult.from_dict(json.loads(saved.read_text()))
            sha256s[remote.name] = passed[remote.name].file.sha256
            fetch["on_bytes"](remote.size)
            continue
        target = folder / remote.name
        target.unlink()  # the placeholder; the real shard takes its place, verified
        try:
            sha256s[remote.name], fetched = fetch_file(remote, **fetch)
            result.bytes_fetched += fetched
            passed[remote.name] = fingerprint_file(ckpt, index[remote.name], **fingerprint_options)
            tmp = saved.with_name(saved.name + PARTIAL)
            tmp.write_text(json.dumps(passed[remote.name].to_dict()))
            os.replace(tmp, saved)
        finally:
            target.unlink(missing_ok=True)  # passed or not: a next attempt fetches its header again
        if on_shard is not None:
            on_shard(remote.name)
    return merge_shards(ckpt, [passed[sf.name] for sf in ckpt.files], **fingerprint_options)
