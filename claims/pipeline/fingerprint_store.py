"""Where a checkpoint's full fingerprint lives: a gzip'd JSON file next to its database row.

The row keeps a small summary (family, layers, files, σ series) that pages and the API read; the
full fingerprint - with the per-matrix samples the comparison methods need, tens of MB for a large
mixture-of-experts model - goes to the default file storage (``MEDIA_ROOT/fingerprints/``), which
the web tier and the workers share.

A row written before the current fingerprint schema is not reused (``is_current``): the runner
computes the checkpoint again and overwrites both.
"""

from __future__ import annotations

import gzip
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from claims.models import Checkpoint
from claims.models import ModelFingerprint as FingerprintRow
from provenance.fingerprint import ENGINE_VERSION
from provenance.fingerprint.fingerprint import SCHEMA_VERSION, ModelFingerprint, Role

logger = logging.getLogger(__name__)


def _name(row: FingerprintRow) -> str:
    return f"fingerprints/{row.content_hash}-{row.engine_version}.json.gz"


def summary(fingerprint: ModelFingerprint) -> dict:
    """What a reader wants without the samples: shape of the model and HonestAGI's σ series."""
    sigma = {}
    for role in Role.ATTENTION:
        try:
            sigma[role] = fingerprint.sigma_series(role).tolist()
        except KeyError:
            continue
    return {
        "schema_version": fingerprint.schema_version,
        "tensor_hash": fingerprint.tensor_hash,
        "family": fingerprint.family,
        "num_layers": fingerprint.num_layers,
        "total_bytes": fingerprint.total_bytes,
        "tensor_count": len(fingerprint.tensors),
        "files": [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in fingerprint.files],
        "tokenizer_sha256": fingerprint.tokenizer_sha256,
        "sigma": sigma,
    }


def save(row: FingerprintRow, fingerprint: ModelFingerprint) -> None:
    name = _name(row)
    if default_storage.exists(name):
        default_storage.delete(name)
    # Level 1: the float samples barely compress further, and the worker should not wait on zlib.
    default_storage.save(name, ContentFile(gzip.compress(fingerprint.to_json().encode(), compresslevel=1)))


def load(row: FingerprintRow) -> ModelFingerprint:
    with default_storage.open(_name(row), "rb") as f:
        return ModelFingerprint.from_json(gzip.decompress(f.read()).decode())


def exists(row: FingerprintRow) -> bool:
    return default_storage.exists(_name(row))


def is_current(row: FingerprintRow) -> bool:
    """Whether the stored fingerprint has this engine's schema. An older one (schema 1 hashed
    tensors with SHA-256, and its row's summary has no ``schema_version``) still loads, but the
    pipeline computes the checkpoint again, so that ``tensor_identity`` compares digests of one
    algorithm."""
    return row.data.get("schema_version", 1) >= SCHEMA_VERSION


def record(
    checkpoint: Checkpoint, fingerprint: ModelFingerprint, *, signature: dict, reason: str
) -> FingerprintRow:
    """Keep a freshly computed fingerprint (row + file) and write what it established on the
    checkpoint (hashes, sizes, layout) and its lineage-search entry, then ask for reports on its
    closest unconfirmed relatives: one place for the report worker, the fingerprint pass after a
    download and the shard-by-shard download."""
    from claims.services.checkpoints import checkpoint_record_inspection
    from claims.services.fingerprints import relatives_index_put

    row, _ = FingerprintRow.objects.update_or_create(
        content_hash=fingerprint.content_hash,
        engine_version=ENGINE_VERSION,
        defaults={
            "checkpoint": checkpoint,
            "data": summary(fingerprint),
            "bytes_read": fingerprint.total_bytes,
            "computed_at": timezone.now(),
        },
    )
    save(row, fingerprint)
    relatives_index_put(row=row, fingerprint=fingerprint)
    checkpoint_record_inspection(
        checkpoint=checkpoint,
        inspection={
            "content_hash": fingerprint.content_hash,
            "file_hashes": {f.name: f.sha256 for f in fingerprint.files},
            "file_stats": signature,
            "total_size": fingerprint.total_bytes,
            "config": fingerprint.config or {},
            "tokenizer_digest": fingerprint.tokenizer_sha256 or "",
            "layout_family": fingerprint.family,
            "layer_count": fingerprint.num_layers,
        },
        reason=reason,
    )
    _confirm_relatives(checkpoint)
    return row


def _confirm_relatives(checkpoint: Checkpoint) -> None:
    """Ask for full reports on the new fingerprint's close relatives (``claims.services.relatives``).
    A suggestion is an extra: whatever goes wrong there is logged and never fails the job that
    fingerprinted the checkpoint."""
    from claims.services.relatives import relatives_confirm

    try:
        queued = relatives_confirm(checkpoint=checkpoint)
    except Exception:  # noqa: BLE001 - see the docstring: the fingerprint is kept either way
        logger.exception("The lineage search could not suggest relatives of checkpoint %s", checkpoint.pk)
        return
    for report in queued:
        logger.info(
            "Lineage search: report %s queued to confirm a relative of checkpoint %s",
            report.pk,
            checkpoint.pk,
        )
