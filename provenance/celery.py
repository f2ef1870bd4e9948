"""The Celery app. Configuration comes from Django settings (``CELERY_*``); policy that is not a
deployment choice (serialisation, acknowledgement, routing) is fixed here."""

from __future__ import annotations

import os

from celery import Celery

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
