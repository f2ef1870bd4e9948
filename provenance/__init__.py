"""Provenance project package: settings, URL wiring, the Celery app and the fingerprint engine."""

# Load the Celery app whenever Django starts, so @shared_task binds to it (Celery's Django recipe).
from provenance.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
