"""Reading a checkpoint's files for the knowledge base: where they are, which folders they may be
read from, and what a cheap look at their headers says. Writes go through ``claims.services.checkpoints``.

The worker reads whatever path a checkpoint names, so a location must resolve - symlinks followed -
to a path inside one of the ``MODEL_STORE`` folders (``claims.models.ai_models.resolve_location``),
and the engine is told the same folders, so every file it opens inside the checkpoint (a shard, the
config, the tokenizer) must resolve inside them too: a shard linked to ``/etc/passwd`` is refused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile

from claims.models import Checkpoint
from claims.models.ai_models import resolve_location
from provenance.fingerprint.checkpoint import Checkpoint as EngineCheckpoint
from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.gguf_format import (
    GGUF_MAGIC,
    GgufCheckpoint,
    checkpoint_of_file,
    read_gguf_header_from,
)
from provenance.fingerprint.hashing import sha256_file
from provenance.fingerprint.layouts import resolve_layout
from provenance.fingerprint.reader import open_checkpoint
from provenance.fingerprint.safetensors_format import read_header_from

Format = Checkpoint.Format


def checkpoint_path(checkpoint: Checkpoint) -> Path:
    """Where the worker reads this checkpoint, re-validated at read time (the store may have moved).
    A GGUF model downloaded from a repository is opened by its first file (the download holds that
    one model; it may sit in a sub-folder of the repository)."""
    if checkpoint.uploaded_file:
        return Path(checkpoint.uploaded_file.path)
    gguf = sorted(f["name"] for f in checkpoint.source_files if f["name"].endswith(".gguf"))
    if gguf and checkpoint.location:
        return resolve_location(str(Path(checkpoint.location) / gguf[0]))
    return resolve_location(checkpoint.location)


def permitted_folders(checkpoint: Checkpoint) -> list[Path]:
    """The folders the engine may read this checkpoint's files from: the model store, or for an
    uploaded file the folder of the upload storage."""
    if checkpoint.uploaded_file:
        return [Path(checkpoint.uploaded_file.storage.path(""))]
    return list(settings.MODEL_STORE)


def file_signature(engine_checkpoint: EngineCheckpoint) -> dict[str, list[int]]:
    """File name → [size, mtime in ns]: cheap to read, and it changes when a file is replaced.

    A checkpoint whose signature matches the one recorded with its content hash is not hashed
    again (as git's index trusts stat data): that is what lets a second report reuse a fingerprint
    without reading the weights.
    """
    signature = {}
    for f in engine_checkpoint.files:
        st = os.stat(f.path)
        signature[f.name] = [st.st_size, st.st_mtime_ns]
    return signature


def open_engine_checkpoint(
    checkpoint: Checkpoint, *, max_gguf_header_bytes: int | None = None
) -> EngineCheckpoint:
    return open_checkpoint(
        checkpoint_path(checkpoint),
        permitted=permitted_folders(checkpoint),
        max_gguf_header_bytes=max_gguf_header_bytes,
    )


def _is_new_upload(upload: FieldFile) -> bool:
    # Django's own flag: False while the file is still the request's upload, not yet in storage.
    return bool(upload) and not upload._committed


def _open_upload(upload: FieldFile) -> EngineCheckpoint:
    """The engine's view of an upload not yet in storage: its header, read from the request's file."""
    stream = upload.file
    stream.seek(0)
    name = Path(upload.name).name
    try:
        if stream.read(len(GGUF_MAGIC)) == GGUF_MAGIC:  # the format is the file's magic, not its name
            stream.seek(0)
            limit = settings.GGUF_HEADER_MAX_BYTES
            return checkpoint_of_file(
                read_gguf_header_from(stream, size=upload.size, name=name, max_header_bytes=limit)
            )
        stream.seek(0)
        sf = read_header_from(stream, size=upload.size, name=name)
    finally:
        stream.seek(0)  # the storage copies it from the start when the row is saved
    return EngineCheckpoint(Path("."), [sf], {t.name: t for t in sf.tensors})


def files_field(checkpoint: Checkpoint) -> str:
    """The field that names a checkpoint's files, where an error about them belongs."""
    return "uploaded_file" if checkpoint.uploaded_file else "location"


def header_facts(checkpoint: Checkpoint) -> dict[str, Any]:
    """The fields a cheap look at the headers fills (format, size, config, layout family, layer
    count, tokenizer digest), not saved. Reads bytes, not gigabytes. The format is what the files
    are: GGUF when they start with its magic (the engine reads either), else safetensors; for a
    GGUF the tokenizer digest is that of the vocabulary in its metadata. A file the engine refuses (a corrupt
    header, a GGUF header over ``GGUF_HEADER_MAX_BYTES``, a shard linked out of the store, a FIFO)
    is a ValidationError on the field naming the files, with the engine's sentence, which names the file."""
    try:
        if _is_new_upload(checkpoint.uploaded_file):
            engine = _open_upload(checkpoint.uploaded_file)
        else:
            engine = open_engine_checkpoint(checkpoint, max_gguf_header_bytes=settings.GGUF_HEADER_MAX_BYTES)
        layout = resolve_layout({n: t.shape for n, t in engine.tensors.items()}, engine.config)
    except FingerprintError as exc:
        raise ValidationError({files_field(checkpoint): str(exc)}) from exc
    if isinstance(engine, GgufCheckpoint):
        fmt, digest = Format.GGUF, engine.vocabulary.sha256 if engine.vocabulary else ""
    else:
        fmt, digest = Format.SAFETENSORS, sha256_file(engine.tokenizer_path) if engine.tokenizer_path else ""
    return {
        "format": fmt,
        "total_size": engine.total_bytes,
        "config": engine.config or {},
        "layout_family": layout.family,
        "layer_count": layout.num_layers,
        "tokenizer_digest": digest,
    }
