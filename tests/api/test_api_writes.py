"""Editors write through the API as through the admin: drafts first, the same services publish,
history records who did it, published slugs stay fixed."""

from __future__ import annotations

import os
import uuid

import pytest

from claims.models import Checkpoint, Claim, Dispute, DisputeParty, EvidenceLink, Party
from claims.services import checkpoint_record_inspection

pytestmark = pytest.mark.django_db


def test_an_editor_creates_a_draft_and_publishes_it(editor, anon, world, editor_user):
    created = editor.post(
        "/api/v1/parties/",
        {"slug": "deepmind", "name": "DeepMind", "kind": "lab", "parent": "huawei", "aliases": ["DM", "GDM"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft" and created.json()["aliases"] == ["DM", "GDM"]
    assert anon.get("/api/v1/parties/deepmind/").status_code == 404
    published = editor.post("/api/v1/parties/deepmind/publish/")
    assert published.json()["status"] == "published" and published.json()["published_at"]
    assert anon.get("/api/v1/parties/deepmind/").json()["parent"]["slug"] == "huawei"
    party = Party.objects.get(slug="deepmind")
    assert party.published_by == editor_user
    assert party.history.first().history_user == editor_user
    assert party.history.first().history_change_reason == "Published"


def test_publishing_waits_for_what_a_record_refers_to(editor, world):
    editor.post("/api/v1/parties/", {"slug": "newco", "name": "NewCo", "kind": "lab"}, format="json")
    editor.post(
        "/api/v1/models/", {"slug": "newco-7b", "name": "NewCo 7B", "developer": "newco"}, format="json"
    )
    response = editor.post("/api/v1/models/newco-7b/publish/")
    assert response.status_code == 400
    assert "Publish “NewCo” (party) first" in response.json()["error"]["message"]


def test_retracting_keeps_the_record_public_with_its_note(editor, anon, world):
    response = editor.post(
        "/api/v1/claims/claim-0/retract/", {"note": "The paper was *withdrawn*."}, format="json"
    )
    assert response.status_code == 200
    public = anon.get("/api/v1/claims/claim-0/").json()
    assert public["status"] == "retracted"
    assert public["retraction_note_html"] == "<p>The paper was <em>withdrawn</em>.</p>"


def test_a_published_slug_cannot_change(editor, world):
    response = editor.patch("/api/v1/claims/claim-0/", {"slug": "renamed"}, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["slug"]
    draft = editor.post("/api/v1/disputes/", {"slug": "draft-case", "title": "Draft"}, format="json")
    assert draft.status_code == 201
    assert (
        editor.patch("/api/v1/disputes/draft-case/", {"slug": "better-case"}, format="json").status_code
        == 200
    )


def test_a_dispute_is_written_with_its_models_and_party_roles(editor, world):
    body = {
        "slug": "new-case",
        "title": "A new case",
        "summary": "Two **labs**.",
        "models_at_stake": ["pangu", "qwen"],
        "parties": [
            {"party": "alibaba", "role": "accuser"},
            {"party": "huawei", "role": "accused", "note": "Denies."},
        ],
    }
    response = editor.post("/api/v1/disputes/", body, format="json")
    assert response.status_code == 201, response.content
    dispute = Dispute.objects.get(slug="new-case")
    assert {m.slug for m in dispute.models_at_stake.all()} == {"pangu", "qwen"}
    assert sorted(dispute.roles.values_list("party__slug", "role")) == [
        ("alibaba", "accuser"),
        ("huawei", "accused"),
    ]
    assert response.json()["summary_html"] == "<p>Two <strong>labs</strong>.</p>"
    replaced = editor.patch(
        "/api/v1/disputes/new-case/", {"parties": [{"party": "honestagi", "role": "reporter"}]}, format="json"
    )
    assert replaced.status_code == 200
    assert list(dispute.roles.values_list("party__slug", flat=True)) == ["honestagi"]
    bad = editor.patch(
        "/api/v1/disputes/new-case/", {"parties": [{"party": "x", "role": "judge"}]}, format="json"
    )
    assert bad.status_code == 400 and "parties" in bad.json()["error"]["fields"]


def test_rewriting_a_disputes_roles_updates_them_in_place_and_keeps_their_history(editor, world, editor_user):
    """Roles go through ``dispute_set_roles``: a role that stays keeps its row (same id) and gains a
    history entry only when its note changes; a role that goes is deleted, each entry naming the editor."""
    body = {"parties": [
        {"party": "honestagi", "role": "accuser", "note": "Anonymous."},
        {"party": "noahs-ark-lab", "role": "accused"},
    ]}  # fmt: skip
    assert editor.patch("/api/v1/disputes/case-0/", body, format="json").status_code == 200
    dispute = Dispute.objects.get(slug="case-0")
    before = {(r.party.slug, r.role): r.pk for r in dispute.roles.select_related("party")}
    body = {"parties": [
        {"party": "honestagi", "role": "accuser", "note": "Identity unknown."},
        {"party": "alibaba", "role": "rights_holder"},
    ]}  # fmt: skip
    response = editor.patch("/api/v1/disputes/case-0/", body, format="json")
    assert response.status_code == 200, response.content
    assert [(p["party"]["slug"], p["role"], p["note"]) for p in response.json()["parties"]] == [
        ("honestagi", "accuser", "Identity unknown."),
        ("alibaba", "rights_holder", ""),
    ]
    after = {(r.party.slug, r.role): r.pk for r in dispute.roles.select_related("party")}
    kept = before[("honestagi", "accuser")]
    assert after[("honestagi", "accuser")] == kept
    assert ("noahs-ark-lab", "accused") not in after
    assert ("secret-party", "reporter") not in after  # a role readers do not see goes too
    entries = DisputeParty.history.filter(id=kept).order_by("history_date", "history_id")
    assert [(e.history_type, e.note) for e in entries][-2:] == [
        ("~", "Anonymous."),
        ("~", "Identity unknown."),
    ]
    assert {e.history_user for e in entries[1:]} == {editor_user}
    removed = DisputeParty.history.filter(id=before[("noahs-ark-lab", "accused")]).latest()
    assert (removed.history_type, removed.history_user) == ("-", editor_user)
    added = DisputeParty.history.get(id=after[("alibaba", "rights_holder")])
    assert (added.history_type, added.history_user) == ("+", editor_user)
    twice = {"parties": [{"party": "alibaba", "role": "accuser"}, {"party": "alibaba", "role": "accuser"}]}
    refused = editor.patch("/api/v1/disputes/case-0/", twice, format="json")
    assert refused.status_code == 400 and "listed twice" in refused.json()["error"]["message"]
    assert dispute.roles.count() == 2


def test_a_rebuttal_is_a_claim_that_responds_to_another(editor, anon, world):
    body = {"slug": "counter", "title": "Same statistic, unrelated models", "dispute": "case-0",
            "claimant": "noahs-ark-lab", "kind": "counter_analysis", "statement": "0.91 for unrelated models.",
            "responds_to": "claim-0"}  # fmt: skip
    assert editor.post("/api/v1/claims/", body, format="json").status_code == 201
    assert editor.post("/api/v1/claims/counter/publish/").status_code == 200
    rebuttals = anon.get("/api/v1/claims/", {"responds_to": "claim-0"}).json()["results"]
    assert {c["slug"] for c in rebuttals} == {"denial-0", "counter"}
    assert all(c["is_response"] for c in rebuttals)
    other = dict(body, slug="elsewhere", responds_to="claim-0", dispute="secret-dispute")
    refused = editor.post("/api/v1/claims/", other, format="json")
    assert refused.status_code == 400 and "responds_to" in refused.json()["error"]["fields"]


def test_an_assessment_needs_its_rationale(editor, world):
    response = editor.patch("/api/v1/claims/claim-0/", {"assessment": "refuted"}, format="json")
    assert response.status_code == 400
    assert "rationale" in response.json()["error"]["message"]
    ok = editor.patch(
        "/api/v1/claims/claim-0/",
        {"assessment": "contested", "assessment_rationale": "Unrelated models score 0.91."},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["claim_review_rating"]["ratingValue"] == 3
    assert Claim.objects.get(slug="claim-0").assessment == "contested"


def test_evidence_links_are_created_and_removed(editor, anon, world):
    response = editor.post(
        "/api/v1/evidence-links/",
        {"claim": "claim-0", "evidence": "analysis", "stance": "refutes"},
        format="json",
    )
    assert response.status_code == 201
    link_id = response.json()["id"]
    again = editor.post(
        "/api/v1/evidence-links/",
        {"claim": "claim-0", "evidence": "analysis", "stance": "context"},
        format="json",
    )
    assert again.status_code == 400 and "already linked" in again.json()["error"]["message"]
    assert anon.get(f"/api/v1/evidence-links/{link_id}/").json()["stance"] == "refutes"
    assert editor.delete(f"/api/v1/evidence-links/{link_id}/").status_code == 204
    assert not EvidenceLink.objects.filter(pk=link_id).exists()


def test_removing_an_evidence_link_names_the_editor_in_its_history(editor, world, editor_user):
    link = EvidenceLink.objects.get(claim__slug="claim-0", evidence__slug="paper")
    assert editor.delete(f"/api/v1/evidence-links/{link.pk}/").status_code == 204
    removal = EvidenceLink.history.filter(id=link.pk).latest()
    assert (removal.history_type, removal.history_user) == ("-", editor_user)


def test_a_checkpoint_is_registered_inside_the_model_store_only(editor, world, model_store):
    response = editor.post(
        "/api/v1/checkpoints/",
        {"model": "qwen", "revision": "main", "location": "lineage/finetune"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["layer_count"] and body["total_size"] > 0 and "location" not in body
    refused = editor.post(
        "/api/v1/checkpoints/",
        {"model": "qwen", "revision": "evil", "location": "/etc/passwd"},
        format="json",
    )
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["location"]


def test_a_gguf_checkpoint_is_registered_with_its_format_read_from_the_file(editor, world, model_store):
    from tests.pipeline.test_pipeline_checkpoints import gguf_copy

    path = gguf_copy(model_store, "Q8_0")
    response = editor.post(
        "/api/v1/checkpoints/",
        {"model": "qwen", "revision": "q8", "location": str(path)},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["format"] == "gguf" and body["layout_family"] == "llama" and body["layer_count"] == 12


def test_a_fifo_as_checkpoint_location_is_a_field_error_not_a_server_error(editor, world, model_store):
    fifo = model_store / f"pipe-{uuid.uuid4().hex[:8]}"
    os.mkfifo(fifo)
    response = editor.post(
        "/api/v1/checkpoints/", {"model": "qwen", "revision": "pipe", "location": str(fifo)}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["location"]


def test_patching_a_checkpoints_revision_before_hashing_changes_that_checkpoint(editor, world, model_store):
    created = editor.post(
        "/api/v1/checkpoints/",
        {"model": "qwen", "revision": "main", "location": "lineage/base"},
        format="json",
    ).json()
    count = Checkpoint.objects.count()
    response = editor.patch(f"/api/v1/checkpoints/{created['id']}/", {"revision": "v2"}, format="json")
    assert response.status_code == 200 and response.json()["id"] == created["id"]
    assert Checkpoint.objects.count() == count and Checkpoint.objects.get(pk=created["id"]).revision == "v2"


@pytest.mark.parametrize(
    ("field", "value"), [("revision", "v2"), ("location", "lineage/moe"), ("model", "pangu")]
)
def test_patching_a_hashed_checkpoints_identity_is_refused_naming_the_field(
    editor, world, register, field, value
):
    checkpoint = register("base")
    checkpoint_record_inspection(checkpoint=checkpoint, inspection={"content_hash": "cd" * 32}, reason="test")
    count = Checkpoint.objects.count()
    response = editor.patch(f"/api/v1/checkpoints/{checkpoint.pk}/", {field: value}, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == [field]
    assert Checkpoint.objects.count() == count and Checkpoint.objects.get(pk=checkpoint.pk).revision == "v1"


def test_a_claim_dated_in_the_future_is_refused(editor, world):
    response = editor.patch("/api/v1/claims/claim-0/", {"made_on": "2999-01-01"}, format="json")
    assert response.status_code == 400 and "in the future" in response.json()["error"]["fields"]["made_on"][0]
    assert (
        editor.patch("/api/v1/claims/claim-0/", {"made_on": "2025-07-05"}, format="json").status_code == 200
    )


@pytest.mark.parametrize("role", [{"role": "accuser", "note": ""}, {"party": "huawei"}, {}])
def test_a_patched_role_without_its_party_or_role_is_a_field_error_not_a_500(editor, world, role):
    """Found by schemathesis: PATCH made the nested role's fields optional, and the service failed."""
    response = editor.patch("/api/v1/disputes/case-0/", {"parties": [role]}, format="json")
    assert response.status_code == 400, response.content
    assert "parties" in response.json()["error"]["fields"]


def test_a_write_without_a_slug_gets_one_from_the_name_made_unique(editor, world):
    first = editor.post("/api/v1/parties/", {"name": "Example Lab Ltd.", "kind": "lab"}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["slug"] == "example-lab-ltd"
    second = editor.post("/api/v1/parties/", {"name": "Example Lab Ltd.", "kind": "lab"}, format="json")
    assert second.json()["slug"] == "example-lab-ltd-2"
    nameless = editor.post("/api/v1/parties/", {"name": "!!!", "kind": "lab"}, format="json")
    assert nameless.status_code == 400 and "slug" in nameless.json()["error"]["fields"]


def test_a_bad_choice_lists_the_valid_ones(editor, world):
    answer = editor.post("/api/v1/parties/", {"name": "Example", "kind": "galaxy"}, format="json")
    assert answer.status_code == 400
    (message,) = answer.json()["error"]["fields"]["kind"]
    assert message.startswith("“galaxy” is not a valid choice; the valid ones are: “")
    assert "“lab”" in message
