"""The bulk export: one versioned JSON document of every public record (a reader; its format and
its import into an empty database are ``claims.services.exchange``).

``export_document()`` is what ``manage.py export`` writes and ``/api/v1/export/`` serves;
``exchange_import()`` (``manage.py load_export``) writes one back, so that export → import → export
gives the same document (the round-trip test holds us to it).

Stable by construction: records sorted by slug (links and replies by their natural keys), keys
sorted when dumped, timestamps in UTC ISO 8601, no "generated at" field (the newest
``updated_at`` is the document's date). Public records only: drafts never appear, and a relation
to a record that is not public is written as null (or left out, for list members). Operator-only
fields (checkpoint paths, worker tracebacks, who requested or published what) are not exported.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from django.db import models

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
from claims.models.language import ORIGINAL_TEXT_FIELDS as ORIGINAL_TEXT
from claims.selectors.export import export_querysets
from claims.services.exchange import FORMAT, SCHEMA_VERSION, SECTIONS

LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Provenance (the newsroom's summaries, assessments, rationales, notes and analyses)",
    "notice": (
        "Our own text and data are licensed under CC BY 4.0: credit Provenance and link to the record. "
        "Quoted material (claims' statements, answers to requests for reply, titles and excerpts of "
        "third-party works) belongs to its authors and is quoted for reporting and criticism; it is not "
        "covered by our licence."
    ),
}

_EDITORIAL = ["status", "published_at", "retracted_at", "retraction_note", "created_at", "updated_at"]
FIELDS: dict[type[models.Model], list[str]] = {
    Party: ["slug", "name", "kind", "parent", "country", "website", "aliases", "identity_verified", "note"],
    AIModel: [
        "slug", "name", "developer", "family", "architecture", "parameters_total", "parameters_active",
        "layer_count", "release_date", "release_date_precision", "release_date_source", "licence", "homepage",
        "hub_id", "declared_base", "declared_relation", "description",
    ],
    EvidenceArtifact: [
        "slug", "title", "kind", "author", "url", "removed_at_source", "published_on", "date_precision",
        "description", "archived_file", "sha256", "retrieved_at", "report", *ORIGINAL_TEXT,
    ],
    Dispute: ["slug", "title", "summary", "started_on", "started_on_precision", "ended_on"],
    Claim: [
        "slug", "title", "dispute", "claimant", "kind", "statement", "made_on", "date_precision", "venue",
        "source", "subject_model", "alleged_source_model", "responds_to", "assessment", "assessment_rationale",
        *ORIGINAL_TEXT,
    ],
    Checkpoint: [
        "model", "revision", "format", "total_size", "file_hashes", "content_hash", "config",
        "tokenizer_digest", "layout_family", "layer_count", "note", "created_at", "updated_at",
    ],
    FingerprintReport: [
        "slug", "checkpoint_a", "checkpoint_b", "methods", "parameters", "status", "progress_bytes",
        "progress_total", "requested_at", "started_at", "finished_at", "engine_version", "library_versions",
        "input_hashes", "request_key", "result", "summary", "error_message", "timings", "charts",
        "created_at", "updated_at",
    ],
    EvidenceLink: ["claim", "evidence", "stance", "note"],
    RightOfReply: [
        "claim", "party", "asked_by", "asked_on", "reply_by", "date_precision", "outcome", "outcome_on",
        "answer", "source",
    ],
}  # fmt: skip
for _model in (Party, AIModel, EvidenceArtifact, Dispute, Claim):
    FIELDS[_model] = FIELDS[_model] + _EDITORIAL


def _checkpoint_key(checkpoint: Checkpoint) -> dict:
    return {"model": checkpoint.model.slug, "revision": checkpoint.revision}


# Stored text about the inputs of a report, exported as readers see it (FingerprintReport.relabel).
AS_READ = {(FingerprintReport, name): f"{name}_as_read" for name in ("result", "summary", "charts")}


def _value(record: models.Model, name: str, public_ids: dict) -> Any:
    if (type(record), name) in AS_READ:
        return getattr(record, AS_READ[type(record), name])
    field = record._meta.get_field(name)
    if field.is_relation:
        related = getattr(record, name)
        if related is None:
            return None
        if isinstance(related, Checkpoint):
            return _checkpoint_key(related)
        if related.pk not in public_ids[type(related)]:
            return None
        return related.slug
    value = getattr(record, name)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(field, models.FileField):
        return value.name or ""
    return value


def _row(record: models.Model, public_ids: dict) -> dict:
    return {name: _value(record, name, public_ids) for name in FIELDS[type(record)]}


def export_document() -> dict:
    """The export as a JSON-ready dict (see the module docstring)."""
    querysets = export_querysets()
    records = {model: list(qs) for model, qs in querysets.items()}
    public_ids = {model: {r.pk for r in rows} for model, rows in records.items()}
    document: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "licence": LICENCE,
    }
    for section, model in SECTIONS:
        rows = []
        for record in records[model]:
            row = _row(record, public_ids)
            if model is Dispute:
                row["models_at_stake"] = sorted(
                    m.slug for m in record.models_at_stake.all() if m.pk in public_ids[AIModel]
                )
                row["parties"] = sorted(
                    (
                        {"party": r.party.slug, "role": r.role, "note": r.note}
                        for r in record.roles.all()
                        if r.party_id in public_ids[Party]
                    ),
                    key=lambda r: (r["party"], r["role"]),
                )
            rows.append(row)
        document[section] = rows
    stamps = [r["updated_at"] for _, m in SECTIONS for r in document[_section_of(m)] if r.get("updated_at")]
    document["last_updated"] = max(stamps) if stamps else None
    document["counts"] = {section: len(document[section]) for section, _ in SECTIONS}
    return document


def _section_of(model) -> str:
    return next(section for section, m in SECTIONS if m is model)


def dumps(document: dict) -> str:
    """The canonical text of a document: sorted keys, UTF-8, one trailing newline."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
