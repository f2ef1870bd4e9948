"""Provenance project package: settings, URL wiring, the Celery app and the fingerprint engine."""
