"""The bulk export document's format, and its import into an empty database.

The export (what ``/api/v1/export/`` serves and ``manage.py export`` writes) is a reader:
``claims.api.export.export_document``. ``exchange_import`` (``manage.py load_export``) writes one
back, so that export → import → export gives the same document (the round-trip test holds us to it).
Each row is validated and saved by ``record_save`` (the same rules as the admin and the API), the
dispute's party roles by ``dispute_set_roles``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction

from claims.errors import ProvenanceError
from claims.models import (
    AIModel,
    Checkpoint,
    Claim,
    Dispute,
    EvidenceArtifact,
    EvidenceLink,
    FingerprintReport,
    Party,
    RightOfReply,
)
from claims.services.content import public_write
from claims.services.disputes import dispute_set_roles
from claims.services.records import record_save

FORMAT = "provenance-export"
SCHEMA_VERSION = 1
# The document's sections, in dependency order (a section refers only to those before it, except
# for the self- and forward references the import fills in last).
SECTIONS = [
    ("parties", Party),
    ("ai_models", AIModel),
    ("checkpoints", Checkpoint),
    ("reports", FingerprintReport),
    ("evidence", EvidenceArtifact),
    ("disputes", Dispute),
    ("claims", Claim),
    ("evidence_links", EvidenceLink),
    ("rights_of_reply", RightOfReply),
]
SELF_REFERENCES = {Party: "parent", AIModel: "declared_base", Claim: "responds_to"}


def _parse(field: models.Field, value):
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return datetime.fromisoformat(value)
    if isinstance(field, models.DateField):
        return date.fromisoformat(value)
    return value


def _self_references_first(model, rows: list[dict]) -> list[dict]:
    """Rows ordered so that a record comes after the record of the same table it points at (a
    declared base must exist before the model that names it: a constraint ties it to the relation)."""
    name = SELF_REFERENCES.get(model)
    if name is None:
        return rows
    done: set[str] = set()
    ordered: list[dict] = []
    pending = list(rows)
    while pending:
        ready = [r for r in pending if r.get(name) is None or r[name] in done]
        if not ready:  # a cycle, or a target not in the document: leave it to the deferred update
            ready = pending[:1]
        for row in ready:
            ordered.append(row)
            done.add(row["slug"])
        pending = [r for r in pending if r["slug"] not in done]
    return ordered


@public_write
@transaction.atomic
def exchange_import(*, document: dict, user: AbstractBaseUser | None = None) -> dict[str, int]:
    """Write an export ``document`` into an empty database; returns the number of rows per section.

    ``user`` is named on every history entry (``None`` from the command line). Raises
    ``ProvenanceError`` for a document of another format or version, or a database that is not
    empty, and Django's ``ValidationError`` for a row the models refuse; nothing is written then.
    """
    if document.get("format") != FORMAT or document.get("schema_version") != SCHEMA_VERSION:
        raise ProvenanceError(f"Not a {FORMAT} document of schema version {SCHEMA_VERSION}.")
    occupied = [section for section, model in SECTIONS if model.objects.exists()]
    if occupied:
        raise ProvenanceError(f"The database already has {', '.join(occupied)}: load into an empty database.")
    by_slug: dict[type, dict[str, models.Model]] = {m: {} for _, m in SECTIONS}
    checkpoints: dict[tuple[str, str], Checkpoint] = {}
    deferred: list[tuple[models.Model, str, type, str]] = []  # (record, field, model, slug) set later
    stamps: list[tuple[models.Model, dict]] = []

    def build(model, row):
        values, later = {}, []
        for name, value in row.items():
            if name in ("models_at_stake", "parties"):
                continue
            field = model._meta.get_field(name)
            if field.is_relation:
                if value is None:
                    values[name] = None
                elif field.related_model is Checkpoint:
                    values[name] = checkpoints[(value["model"], value["revision"])]
                elif value in by_slug[field.related_model]:
                    values[name] = by_slug[field.related_model][value]
                else:
                    later.append((name, field.related_model, value))
            else:
                values[name] = _parse(field, value)
        record = record_save(record=model(**values), user=user, reason="Imported from an export")
        for name, related_model, slug in later:
            deferred.append((record, name, related_model, slug))
        times = {
            k: _parse(model._meta.get_field(k), row[k]) for k in ("created_at", "updated_at") if k in row
        }
        if times:
            stamps.append((record, times))
        return record

    for section, model in SECTIONS:
        for row in _self_references_first(model, document.get(section, [])):
            record = build(model, row)
            if model is Checkpoint:
                checkpoints[(row["model"], row["revision"])] = record
            elif hasattr(record, "slug"):
                by_slug[model][record.slug] = record
            if model is Dispute:
                record.models_at_stake.set([by_slug[AIModel][s] for s in row.get("models_at_stake", [])])
                roles = [{**role, "party": by_slug[Party][role["party"]]} for role in row.get("parties", [])]
                dispute_set_roles(dispute=record, roles=roles, user=user)
    for record, name, related_model, slug in deferred:
        type(record).objects.filter(pk=record.pk).update(**{name: by_slug[related_model][slug]})
    # auto_now/auto_now_add stamped "now" on save: restore the exported times.
    for record, values in stamps:
        type(record).objects.filter(pk=record.pk).update(**values)
    return {section: len(document.get(section, [])) for section, _ in SECTIONS}
