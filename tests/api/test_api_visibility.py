"""Drafts are invisible through every route: list, detail, nested, expand, search, filters,
timeline, export and the ClaimReview feed. Every draft's name contains "SECRET"."""

from __future__ import annotations

import json

import pytest

from tests import factories as f
from tests.api.conftest import World, token_client

pytestmark = pytest.mark.django_db

EXPANDS = {
    "parties": "parent",
    "models": "developer,declared_base,release_date_source",
    "checkpoints": "model",
    "disputes": "claims",
    "claims": "dispute,claimant,source,subject_model,alleged_source_model,responds_to",
    "evidence": "author",
    "evidence-links": "claim,evidence",
    "reports": "",
}


def public_routes(world: World) -> list[str]:
    routes = ["/api/v1/", "/api/v1/export/", "/api/v1/export/claimreview/"]
    for name, expand in EXPANDS.items():
        base = f"/api/v1/{name}/"
        routes += [base, f"{base}?search=SECRET", f"{base}?search=secret"]
        if name in ("parties", "models", "disputes", "claims", "evidence"):
            routes.append(f"{base}?status=draft")
        if expand:
            routes.append(f"{base}?expand={expand}")
    for slug in ("huawei", "noahs-ark-lab"):
        routes += [f"/api/v1/parties/{slug}/", f"/api/v1/parties/{slug}/?expand=parent"]
    routes += [f"/api/v1/models/{m.slug}/?expand=developer" for m in (world.pangu, world.qwen)]
    routes += [f"/api/v1/checkpoints/{world.ckpt_a.pk}/?expand=model"]
    for d in world.disputes:
        routes += [f"/api/v1/disputes/{d.slug}/", f"/api/v1/disputes/{d.slug}/?expand=claims",
                   f"/api/v1/disputes/{d.slug}/timeline/"]  # fmt: skip
    for c in [*world.claims, world.orphan]:
        routes += [f"/api/v1/claims/{c.slug}/", f"/api/v1/claims/{c.slug}/?expand={EXPANDS['claims']}"]
    routes += [f"/api/v1/evidence/{world.paper.slug}/", f"/api/v1/reports/{world.report.slug}/"]
    routes += [
        "/api/v1/claims/?dispute=case-0",
        "/api/v1/claims/?party=secret-party",
        "/api/v1/claims/?responds_to=claim-0",
        "/api/v1/evidence/?claim=claim-0",
        "/api/v1/evidence-links/?claim=claim-0",
        "/api/v1/disputes/?party=secret-party",
        "/api/v1/models/?dispute=case-0",
        "/api/v1/parties/?dispute=case-0",
        "/api/v1/parties/?parent=huawei",
        "/api/v1/reports/?model=pangu",
    ]
    return routes


def test_it_hides_every_draft_from_the_public_on_every_route(anon, world):
    for route in public_routes(world):
        response = anon.get(route)
        assert response.status_code == 200, (route, response.content[:300])
        body = response.content.decode()
        assert "SECRET" not in body and "secret-" not in body, route


def test_draft_detail_routes_are_not_found(anon, world):
    draft_link = world.draft_claim.evidence_links.get()
    draft_ckpt = world.draft_model.checkpoints.get()
    for route in [
        "/api/v1/parties/secret-party/",
        "/api/v1/models/secret-model/",
        f"/api/v1/checkpoints/{draft_ckpt.pk}/",
        "/api/v1/disputes/secret-dispute/",
        "/api/v1/disputes/secret-dispute/timeline/",
        "/api/v1/claims/secret-claim/",
        "/api/v1/evidence/secret-evidence/",
        f"/api/v1/evidence-links/{draft_link.pk}/",
        f"/api/v1/reports/{world.draft_report.slug}/",
        f"/api/v1/reports/{world.draft_report.slug}/charts/sigma_curves.svg",
    ]:
        response = anon.get(route)
        assert response.status_code == 404, route
        assert response.json()["error"]["code"] == "not_found"


def test_a_public_record_links_to_a_draft_as_null(anon, world):
    orphan = anon.get("/api/v1/claims/orphan-claim/?expand=source").json()
    assert orphan["source"] is None and orphan["subject_model"] is None
    claim = anon.get("/api/v1/claims/claim-0/").json()
    assert [r["slug"] for r in claim["responses"]] == ["denial-0"]
    assert [e["evidence"]["slug"] for e in claim["evidence"]] == ["paper"]
    dispute = anon.get("/api/v1/disputes/case-0/").json()
    assert {m["slug"] for m in dispute["models_at_stake"]} == {"pangu", "qwen"}
    assert {p["party"]["slug"] for p in dispute["parties"]} == {"honestagi", "noahs-ark-lab"}


def test_a_retracted_record_stays_visible_with_its_note(anon, world):
    body = anon.get("/api/v1/claims/retracted-claim/").json()
    assert body["status"] == "retracted"
    assert body["retraction_note_html"] == "<p>Corrected: wrong date.</p>"
    assert "retracted-claim" in json.dumps(anon.get("/api/v1/export/").json())


def test_an_editor_sees_drafts_at_their_own_routes_but_never_in_links(editor, world):
    assert editor.get("/api/v1/claims/secret-claim/").status_code == 200
    listed = [c["slug"] for c in editor.get("/api/v1/claims/?page_size=200").json()["results"]]
    assert "secret-claim" in listed
    claim = editor.get("/api/v1/claims/claim-0/").json()
    assert [r["slug"] for r in claim["responses"]] == ["denial-0"]
    assert "SECRET" not in json.dumps(editor.get("/api/v1/export/").json())
    assert "SECRET" not in editor.get("/api/v1/disputes/case-0/timeline/").content.decode()


def test_a_user_without_view_permission_sees_only_public_records(db, world):
    outsider = token_client(f.UserFactory(username="outsider", is_staff=False))
    assert outsider.get("/api/v1/claims/secret-claim/").status_code == 404
    assert "SECRET" not in outsider.get("/api/v1/parties/").content.decode()


def test_the_archived_copy_link_is_the_site_download_under_the_same_access_rule(anon, settings, tmp_path):
    """Defect 9: ``archived_copy`` pointed at /media/..., which nothing serves (a 404)."""
    from django.core.files.base import ContentFile

    from tests.factories import EvidenceArtifactFactory

    settings.MEDIA_ROOT = tmp_path
    evidence = EvidenceArtifactFactory(published=True, slug="memo")
    evidence.archived_file.save("memo.txt", ContentFile(b"the original text"))
    link = anon.get("/api/v1/evidence/memo/").json()["archived_copy"]
    assert link == "http://testserver/evidence/memo/archive"
    download = anon.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"the original text"
    evidence.status = "draft"
    evidence.published_at = None
    evidence.save()
    assert anon.get(link).status_code == 404
