"""Provenance project package: settings, URL wiring, the Celery app and the fingerprint engine."""

import os

# Load the Celery app whenever Django starts, so @shared_task binds to it (Celery's Django recipe).
# Django starts with DJANGO_SETTINGS_MODULE set (manage.py, wsgi/asgi, pytest-django and the worker
# started by them set it before importing this package); the engine's command line
# (``python -m provenance.fingerprint``) has no Django, and skips Celery's 0.2-0.6 s import.
# ``celery -A provenance`` without the variable still finds ``provenance.celery.app`` (Celery's
# find_app falls back to the package's ``celery`` module, which sets the variable).
if os.environ.get("DJANGO_SETTINGS_MODULE"):
    from provenance.celery import app as celery_app  # noqa: E402

    __all__ = ["celery_app"]
