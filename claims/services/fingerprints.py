"""The engine's kept per-checkpoint fingerprints (``ModelFingerprint``): computed by the workers
(``claims.pipeline.reports``), never edited; an operator may delete them (the admin), and the next
report on that checkpoint reads the weights again.

Each kept fingerprint has its lineage-search entry (``RelativesEntry`` and its ``RelativesDigest`` rows,
issue 24): written with it (``relatives_index_put``, called by ``claims.pipeline.fingerprint_store.record``),
deleted with it (cascade), rebuilt from the kept fingerprints by ``relatives_index_rebuild`` (``manage.py
relatives_index``). The index is not public content: a reader sees a relative only once a report
comparing the two checkpoints is published, which is a public write of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from claims.models import ModelFingerprint, RelativesDigest, RelativesEntry
from provenance.fingerprint.fingerprint import ModelFingerprint as EngineFingerprint
from provenance.fingerprint.relatives.index import Entry, entry_of
from provenance.fingerprint.relatives.signature import SIGNATURE_VERSION
from provenance.fingerprint.relatives.store import pack


@transaction.atomic
def fingerprints_forget(*, fingerprints) -> int:
    """Delete these kept fingerprints (and their lineage-search entries); returns how many. Finished
    reports keep their results (a report holds its own numbers), so no public page changes: no
    content version bump."""
    ids = [fingerprint.pk for fingerprint in fingerprints]
    deleted, _ = ModelFingerprint.objects.filter(pk__in=ids).delete()
    return deleted


def relatives_index_put(*, row: ModelFingerprint, fingerprint: EngineFingerprint) -> RelativesEntry:
    """The lineage-search entry of a kept fingerprint, written (or replaced) from the engine's."""
    return relatives_entry_write(row=row, entry=entry_of(str(row.checkpoint_id), fingerprint))


@transaction.atomic
def relatives_entry_write(*, row: ModelFingerprint, entry: Entry) -> RelativesEntry:
    """Write (or replace) ``row``'s lineage-search entry from the engine's ``entry``: its row, in the
    parts the search reads apart (``store.pack``), and one digest row per informative tensor."""
    packed = pack(entry)
    stored, _ = RelativesEntry.objects.update_or_create(
        fingerprint=row,
        defaults={
            "checkpoint_id": row.checkpoint_id,
            "signature_version": SIGNATURE_VERSION,
            "entry": packed.meta,
            "screen": packed.screen,
            "sketch": packed.sketch,
            "computed_at": timezone.now(),  # the newest entry of a checkpoint stands for it
        },
    )
    RelativesDigest.objects.filter(entry=stored).delete()
    RelativesDigest.objects.bulk_create(
        (
            RelativesDigest(entry=stored, position=i, prefix=prefix, nbytes=nbytes, layer=layer)
            for i, (prefix, nbytes, layer) in enumerate(
                zip(packed.prefixes.tolist(), packed.nbytes.tolist(), packed.layer, strict=True)
            )
        ),
        batch_size=DIGEST_BATCH,
    )
    return stored


DIGEST_BATCH = 2000


@dataclass
class IndexBuilt:
    written: int = 0
    kept: int = 0
    problems: list[str] = field(default_factory=list)  # sentences: fingerprints that could not be read


def relatives_index_rebuild(*, everything: bool = False, load: Callable | None = None) -> IndexBuilt:
    """Write the entry of every kept fingerprint that has none, one of another signature version or
    one written before its parts were kept apart (no ``screen``; every one with ``everything``),
    reading the stored fingerprint files; one that cannot be read is named in ``problems`` and left
    out."""
    from claims.pipeline import fingerprint_store

    load = load or fingerprint_store.load
    built = IndexBuilt()
    current = set(
        RelativesEntry.objects.filter(signature_version=SIGNATURE_VERSION, screen__isnull=False).values_list(
            "fingerprint_id", flat=True
        )
    )
    for row in ModelFingerprint.objects.order_by("pk").iterator():
        if row.pk in current and not everything:
            built.kept += 1
            continue
        try:
            fingerprint = load(row)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            built.problems.append(
                f"checkpoint {row.checkpoint_id}: its fingerprint (engine {row.engine_version}) could not be "
                f"read ({exc}); fingerprint it again to index it"
            )
            continue
        relatives_index_put(row=row, fingerprint=fingerprint)
        built.written += 1
    return built
