"""The editors' tool: one admin module per aggregate, registered on import."""

from claims.admin import ai_models, claims, disputes, evidence, parties, reports  # noqa: F401
