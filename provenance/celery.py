"""The Celery app. Configuration comes from Django settings (``CELERY_*``); policy that is not a
deployment choice (serialisation, acknowledgement, routing) is fixed here."""

from __future__ import annotations

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "provenance.settings")

app = Celery("provenance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # JSON only: a task message can never carry a pickle that runs code in the worker.
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    # Results live on the report rows, not in a result backend.
    task_ignore_result=True,
    # A task is acknowledged after it ran, and a worker killed mid-task (SIGKILL, OOM) gives the
    # message back to the broker, so another worker redoes the report instead of losing it.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # One analysis at a time per worker process: they are long and memory-bound.
    worker_prefetch_multiplier=1,
    task_default_queue="celery",
    # Downloads get their own queue (and worker), so a 100 GB download never holds up analyses;
    # an exact name wins over the pattern.
    task_routes={
        "claims.tasks.checkpoint_acquire": {"queue": "acquire"},
        # Captures and the watch fetch untrusted URLs and run a browser: their own queue and worker.
        "claims.tasks.source_capture": {"queue": "archive"},
        "claims.tasks.sources_watch": {"queue": "archive"},
        "claims.tasks.*": {"queue": "analysis"},
    },
    broker_connection_retry_on_startup=True,
)
app.autodiscover_tasks()


_pool = {"concurrency": 1}


@signals.worker_init.connect
def _remember_concurrency(sender=None, **_kwargs) -> None:
    """The worker's --concurrency, read in the main process before it forks its pool ("auto", which
    Celery resolves later, counts as one process per core)."""
    from .worker_threads import cores

    concurrency = getattr(sender, "concurrency", None)
    _pool["concurrency"] = concurrency if isinstance(concurrency, int) and concurrency > 0 else cores()


@signals.worker_process_init.connect
def _share_the_cores(**_kwargs) -> None:
    """Each pool process gets its share of the cores for BLAS (``provenance.worker_threads``)."""
    import logging

    from django.conf import settings

    from .worker_threads import blas_threads, limit_blas_threads

    threads = limit_blas_threads(blas_threads(settings.BLAS_THREADS, _pool["concurrency"]))
    logging.getLogger(__name__).info("Pool process: %d BLAS thread(s)", threads)
