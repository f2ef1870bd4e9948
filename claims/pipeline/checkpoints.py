"""Registering checkpoints: where the weights are, and what a cheap look at their headers says.

The worker reads whatever path a checkpoint names, so a location must resolve - symlinks followed -
to a path inside one of the ``MODEL_STORE`` folders; ``../../etc`` or a link that escapes the store
is refused with a field error before anything is opened.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from claims.models import AIModel, Checkpoint
from claims.models.ai_models import resolve_location
from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.layouts import resolve_layout
from provenance.fingerprint.safetensors_format import Checkpoint as EngineCheckpoint
from provenance.fingerprint.safetensors_format import open_checkpoint


def checkpoint_path(checkpoint: Checkpoint) -> Path:
    """Where the worker reads this checkpoint, re-validated at read time (the store may have moved)."""
    if checkpoint.uploaded_file:
        return Path(checkpoint.uploaded_file.path)
    return resolve_location(checkpoint.location)


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


def open_engine_checkpoint(checkpoint: Checkpoint) -> EngineCheckpoint:
    return open_checkpoint(checkpoint_path(checkpoint))


@transaction.atomic
def checkpoint_register(*, model: AIModel, revision: str, location: str, note: str = "") -> Checkpoint:
    """Create (or update) the checkpoint of ``model`` at ``revision`` stored at ``location``.

    Reads the safetensors headers only (bytes, not gigabytes): records format, total size, layout
    family, layer count, config.json and a digest of tokenizer.json. A bad checkpoint is refused
    with a ValidationError on ``location`` that says what is wrong with which file.
    """
    path = resolve_location(location)
    checkpoint = Checkpoint.objects.filter(model=model, revision=revision).first() or Checkpoint(
        model=model, revision=revision
    )
    before = _registered_fields(checkpoint)
    checkpoint.location = str(path)
    checkpoint.note = note or checkpoint.note
    checkpoint_inspect(checkpoint)
    if checkpoint.pk and _registered_fields(checkpoint) == before:
        return checkpoint  # nothing new: no save, no history entry
    checkpoint.full_clean()
    checkpoint.save()
    return checkpoint


def _registered_fields(checkpoint: Checkpoint) -> tuple:
    return (
        checkpoint.location,
        checkpoint.note,
        checkpoint.format,
        checkpoint.total_size,
        checkpoint.config,
        checkpoint.layout_family,
        checkpoint.layer_count,
        checkpoint.tokenizer_digest,
    )


def checkpoint_inspect(checkpoint: Checkpoint) -> EngineCheckpoint:
    """Fill a checkpoint's header-derived fields (not saved). Raises ValidationError on bad input."""
    try:
        engine = open_engine_checkpoint(checkpoint)
        layout = resolve_layout({n: t.shape for n, t in engine.tensors.items()}, engine.config)
    except FingerprintError as exc:
        raise ValidationError({"location": str(exc)}) from exc
    checkpoint.format = Checkpoint.Format.SAFETENSORS
    checkpoint.total_size = engine.total_bytes
    checkpoint.config = engine.config or {}
    checkpoint.layout_family = layout.family
    checkpoint.layer_count = layout.num_layers
    checkpoint.tokenizer_digest = _sha256_file(engine.tokenizer_path) if engine.tokenizer_path else ""
    return engine


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
