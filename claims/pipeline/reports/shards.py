"""A big model fingerprinted by many workers: one Celery task per file of the checkpoint.

When a checkpoint has at least ``SHARD_TASKS_MIN_SHARDS`` files (0: never) and lives where every
worker can read it (the model store or the hub cache on shared storage), the report's worker does
not pass the files alone. It writes one ``FingerprintShard`` row per file and sends one
``claims.tasks.fingerprint_shard`` task per file to the ``analysis`` queue - the fan-out of a
chord - and then takes files itself, like any other worker, until none is left unclaimed; it waits
for the files other workers hold, and merges - the chord's callback. So N idle workers pass one
model about N times faster, and the report's own worker is never idle while others work.

Why rows in the database and not Celery's ``chord`` primitive: a chord needs a result backend
(the results live on database rows here, and the filesystem broker of ``make run`` has none) and
its callback cannot see a shard whose worker died. Here each file is claimed through the lease
every job shares (``claims.jobs.SHARDS``: ``queued → running``, like a report) and carries a heartbeat; a file whose heartbeat stops
(its worker was killed) is taken again by its redelivered message (``acks_late``) or by the
report's worker, which is waiting for it; a report whose own worker died is requeued by the
sweep and finds the finished files' results stored. Each file's result is computed by the
engine's ``fingerprint_file`` and merged by ``merge_shards`` in file order, the same functions as
the one-process pass, so the fingerprint is bit-identical however the files were shared out.

Results go to the default file storage (``MEDIA_ROOT/fingerprints/shards/``), which every worker
must share with the others (a network file system, or an object store behind Django's storage).
Two reports needing the same checkpoint at once share one set of rows and each merges the same
results; the sweep deletes a set once nobody can still be merging it (``shards_cleanup``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import socket
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet
from django.utils import timezone

from claims.jobs import SHARDS
from claims.lease import interrupted_message, overdue_after
from claims.models import Checkpoint, FingerprintShard
from claims.pipeline.checkpoints import file_signature, open_engine_checkpoint
from provenance.fingerprint.errors import FingerprintError
from provenance.fingerprint.fingerprint import ModelFingerprint
from provenance.fingerprint.gguf_format import GgufCheckpoint
from provenance.fingerprint.stats import Progress, ShardResult, fingerprint_file, merge_shards

logger = logging.getLogger(__name__)
Status = FingerprintShard.Status
POLL_SECONDS = 0.5


def use_shard_tasks(engine_checkpoint) -> bool:
    """A safetensors checkpoint with at least ``SHARD_TASKS_MIN_SHARDS`` files (GGUF: one process)."""
    least = settings.SHARD_TASKS_MIN_SHARDS
    return (
        bool(least)
        and not isinstance(engine_checkpoint, GgufCheckpoint)
        and len(engine_checkpoint.files) >= least
    )


def signature_key(signature: dict) -> str:
    return hashlib.sha256(json.dumps(signature, sort_keys=True).encode()).hexdigest()


def _result_name(row: FingerprintShard) -> str:
    return f"fingerprints/shards/{row.checkpoint_id}-{row.signature[:16]}/{row.index:05d}.json.gz"


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(candidates: QuerySet) -> FingerprintShard | None:
    """Take the first file of ``candidates`` that is queued, or running with a stopped heartbeat."""
    pk = SHARDS.claim_first(candidates, order_by="index", worker=_worker_name(), progress_bytes=0)
    return None if pk is None else FingerprintShard.objects.select_related("checkpoint").get(pk=pk)


def _compute(row: FingerprintShard, engine_checkpoint, on_bytes: Progress | None = None) -> str:
    """Pass one claimed file and store its result; the row ends ``done`` or ``failed``."""
    mine = FingerprintShard.objects.filter(pk=row.pk, status=Status.RUNNING, worker=row.worker)
    if SHARDS.exhausted(row):
        SHARDS.fail(
            mine,
            message=interrupted_message(
                f"The pass over {row.file_name}", worker="its worker", ran_out_of="memory"
            ),
        )
        return Status.FAILED
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if on_bytes is not None:
            on_bytes(done, total)
        now = time.monotonic()
        if now - last >= settings.REPORT_PROGRESS_SECONDS:
            last = now
            SHARDS.beat(mine, progress_bytes=done)

    try:
        result = fingerprint_file(engine_checkpoint, row.index, progress=progress)
    except FingerprintError as exc:
        SHARDS.fail(mine, message=str(exc))
        return Status.FAILED
    name = _result_name(row)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(
        name, ContentFile(gzip.compress(json.dumps(result.to_dict()).encode(), compresslevel=1))
    )
    mine.update(status=Status.DONE, progress_bytes=row.size, heartbeat_at=timezone.now())
    return Status.DONE


def shard_run(*, shard_id: int) -> str:
    """The body of the ``fingerprint_shard`` task: claim the file (or find it taken: ``skipped``),
    check the files are still those the pass began with, pass it and store the result."""
    row = _claim(FingerprintShard.objects.filter(pk=shard_id))
    if row is None:
        return "skipped"
    try:
        engine_checkpoint = open_engine_checkpoint(row.checkpoint)
        if signature_key(file_signature(engine_checkpoint)) != row.signature:
            raise FingerprintError(
                f"the files of {row.checkpoint} changed while they were being fingerprinted"
            )
    except (FingerprintError, OSError) as exc:
        SHARDS.fail(FingerprintShard.objects.filter(pk=row.pk, worker=row.worker), message=str(exc))
        return Status.FAILED
    return _compute(row, engine_checkpoint)


def fingerprint_by_shard_tasks(
    checkpoint: Checkpoint, engine_checkpoint, signature: dict, progress: Progress | None
) -> ModelFingerprint:
    """The checkpoint's fingerprint, its files shared out between every worker (see the module).
    Raises FingerprintError with the first failed file's message."""
    key = signature_key(signature)
    rows = FingerprintShard.objects.filter(checkpoint=checkpoint, signature=key)
    for index, sf in enumerate(engine_checkpoint.files):
        FingerprintShard.objects.get_or_create(
            checkpoint=checkpoint,
            signature=key,
            index=index,
            defaults={"file_name": sf.name, "size": sf.size},
        )
    # A file that failed in an earlier attempt of this report (a retry after the operator fixed it).
    rows.filter(status=Status.FAILED).update(status=Status.QUEUED, attempts=0, error_message="")
    for row in rows.exclude(status=Status.DONE):
        SHARDS.enqueue(row.pk)  # the broker down: the report's own worker passes the file
    total = engine_checkpoint.total_bytes

    def others_done() -> int:
        return sum(
            r.size if r.status == Status.DONE else r.progress_bytes
            for r in rows.only("status", "size", "progress_bytes")
        )

    while True:
        mine = _claim(rows)
        if mine is not None:
            before = others_done()
            outcome = _compute(
                mine,
                engine_checkpoint,
                None
                if progress is None
                else lambda d, _t, before=before: progress(min(before + d, total), total),
            )
            logger.info("Shard %s (%s): %s by the report's worker", mine.pk, mine.file_name, outcome)
            continue
        failed = rows.filter(status=Status.FAILED).order_by("index").first()
        if failed is not None:
            raise FingerprintError(failed.error_message, path=failed.file_name)
        if not rows.exclude(status=Status.DONE).exists():
            break
        if progress is not None:
            progress(min(others_done(), total), total)
        time.sleep(POLL_SECONDS)
    results = []
    for row in rows.order_by("index"):
        with default_storage.open(_result_name(row), "rb") as f:
            results.append(ShardResult.from_dict(json.loads(gzip.decompress(f.read()))))
    return merge_shards(engine_checkpoint, results)


def shards_cleanup() -> int:
    """Delete the rows and stored results of passes nobody can still be merging: every row of the
    set untouched for longer than the hard time limit (a second report of the same checkpoint may
    merge the same results a moment after the first; the sweep calls this). Returns rows deleted."""
    old = timezone.now() - overdue_after()
    deleted = 0
    sets = FingerprintShard.objects.values_list("checkpoint_id", "signature").distinct()
    for checkpoint_id, signature in list(sets):
        rows = FingerprintShard.objects.filter(checkpoint_id=checkpoint_id, signature=signature)
        if rows.filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__gte=old)).exists():
            continue
        for row in rows:
            default_storage.delete(_result_name(row))
        deleted += rows.delete()[0]
    return deleted
