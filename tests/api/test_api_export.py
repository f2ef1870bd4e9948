"""The bulk export: one versioned, stably ordered document of public records with its licence;
export → import into an empty database (``claims.services.exchange``) → export gives the same document."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.api.export import dumps, export_document
from claims.errors import ProvenanceError
from claims.models import (
    AIModel,
    Checkpoint,
    Claim,
    Dispute,
    DisputeParty,
    EvidenceArtifact,
    EvidenceLink,
    FingerprintReport,
    Party,
    RightOfReply,
)
from claims.services.exchange import exchange_import
from tests.api.conftest import World

pytestmark = pytest.mark.django_db

EVERYTHING = [
    RightOfReply, EvidenceLink, DisputeParty, Claim, Dispute, EvidenceArtifact, FingerprintReport,
    Checkpoint, AIModel, Party,
]  # fmt: skip


SELF_LINKS = {Claim: "responses", AIModel: "declared_derivatives", Party: "subsidiaries"}


def empty_the_database() -> None:
    AIModel.objects.update(release_date_source=None)
    for model in EVERYTHING:
        link = SELF_LINKS.get(model)
        while model.objects.exists():  # leaves first: rows that others point at are protected
            rows = model.objects.filter(**{f"{link}__isnull": True}) if link else model.objects.all()
            rows.delete()
        model.history.all().delete()


def rich_world() -> World:
    world = World(n=2)
    world.qwen.declared_base = world.pangu  # a self-reference the loader must order
    world.qwen.declared_relation = "fine_tune"
    world.qwen.release_date_source = world.paper  # a forward reference across sections
    world.qwen.save()
    world.report.status = "succeeded"
    world.report.result = {"schema_version": 1, "verdict": "no_evidence", "scores": [0.5, None]}
    world.report.charts = {"sigma_curves": "<svg/>"}
    from django.utils import timezone

    world.report.finished_at = timezone.now()
    world.report.save()
    return world


def test_export_load_export_gives_the_same_document(tmp_path):
    rich_world()
    first = tmp_path / "first.json"
    call_command("export", str(first), stderr=io.StringIO())
    document = json.loads(first.read_text())
    assert document["counts"]["claims"] == 6 and document["counts"]["reports"] == 1
    empty_the_database()
    out = io.StringIO()
    call_command("load_export", str(first), stdout=out)
    assert "Loaded" in out.getvalue()
    second = tmp_path / "second.json"
    call_command("export", str(second), stderr=io.StringIO())
    assert second.read_text() == first.read_text()


def test_the_import_validates_every_row_and_names_the_importer_in_history(editor_user):
    rich_world()
    document = json.loads(dumps(export_document()))
    empty_the_database()
    counts = exchange_import(document=document, user=editor_user)
    assert counts["claims"] == 6
    assert json.loads(dumps(export_document())) == document
    claim = Claim.objects.get(slug="claim-0")
    entry = claim.history.earliest()
    assert (entry.history_user, entry.history_change_reason) == (editor_user, "Imported from an export")
    assert {r.history.get().history_user for r in DisputeParty.objects.all()} == {editor_user}
    with pytest.raises(ProvenanceError, match="empty database"):
        exchange_import(document=document, user=editor_user)


def test_an_invalid_row_imports_nothing(editor_user):
    rich_world()
    document = json.loads(dumps(export_document()))
    empty_the_database()
    document["ai_models"][0]["homepage"] = "not a url"
    with pytest.raises(ValidationError):
        exchange_import(document=document, user=editor_user)
    assert not Party.objects.exists() and not AIModel.objects.exists()


def test_the_document_is_versioned_licensed_sorted_and_public_only(anon):
    rich_world()
    document = export_document()
    assert document["format"] == "provenance-export" and document["schema_version"] == 1
    assert document["licence"]["name"] == "CC BY 4.0"
    assert "belongs to its authors" in document["licence"]["notice"]
    for section in ("parties", "ai_models", "evidence", "disputes", "claims", "reports"):
        slugs = [row["slug"] for row in document[section]]
        assert slugs == sorted(slugs), section
    text = dumps(document)
    assert "SECRET" not in text and "secret-" not in text
    assert "location" not in text and "error_detail" not in text and "requested_by" not in text
    orphan = next(c for c in document["claims"] if c["slug"] == "orphan-claim")
    assert orphan["source"] is None and orphan["subject_model"] is None
    assert anon.get("/api/v1/export/").json() == json.loads(text)


def test_the_command_writes_to_stdout_and_load_refuses_a_full_database(tmp_path):
    World(n=1)
    out = io.StringIO()
    call_command("export", stdout=out)
    path = tmp_path / "export.json"
    path.write_text(out.getvalue())
    with pytest.raises(CommandError, match="empty database"):
        call_command("load_export", str(path))
    path.write_text('{"format": "something-else"}')
    with pytest.raises(CommandError, match="schema version"):
        call_command("load_export", str(path))


def test_the_claimreview_feed_rates_published_claims(anon, world, editor):
    editor.patch(
        "/api/v1/claims/claim-0/",
        {"assessment": "refuted", "assessment_rationale": "Unrelated models score as high."},
        format="json",
    )
    response = anon.get("/api/v1/export/claimreview/")
    assert response["Content-Type"] == "application/ld+json"
    feed = response.json()
    assert feed["@context"] == "https://schema.org"
    reviews = {r["url"].rsplit("/", 2)[-2]: r for r in feed["@graph"]}
    assert "secret-claim" not in reviews and "retracted-claim" not in reviews
    review = reviews["claim-0"]
    assert review["@type"] == "ClaimReview" and review["reviewRating"]["ratingValue"] == 1
    assert review["itemReviewed"]["author"]["name"] == "HonestAGI"
    assert review["itemReviewed"]["appearance"][0]["url"] == "https://example.org/paper"
    assert "ratingValue" not in reviews["denial-0"]["reviewRating"]
