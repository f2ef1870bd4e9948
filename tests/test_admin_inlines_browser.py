"""The admin's change pages with inlines fit a 1280 px screen (Debian's chromium through Playwright):
no sideways scroll, and every inline's delete column inside the window, with long values in the rows
(a 64-hex content hash, a deep store path, a long note)."""

from __future__ import annotations

from django.urls import reverse

from claims.models import DisputeParty, EvidenceLink
from tests.factories import (
    AIModelFactory,
    CheckpointFactory,
    ClaimFactory,
    DisputeFactory,
    EvidenceArtifactFactory,
    PartyFactory,
    UserFactory,
)
from tests.site.test_site_browser import assert_clean, browser_page

WIDTH = 1280
LONG_NOTE = "A note long enough to fill its column several times over, as editors write them. " * 4


def test_change_pages_with_inlines_fit_a_1280_px_screen(transactional_db, live_server):
    model = AIModelFactory(name="Example Model")
    for i in range(2):
        CheckpointFactory(
            model=model,
            revision=f"a-fairly-long-revision-name-{i}",
            location=f"example-org/a-very-long-folder-name-for-the-weights/revision-{i}/and-deeper",
            content_hash=f"{i}" * 64,
        )
    dispute = DisputeFactory(title="Example dispute")
    for role in ("accuser", "accused"):
        DisputeParty.objects.create(dispute=dispute, party=PartyFactory(), role=role, note=LONG_NOTE)
    claim = ClaimFactory(dispute=dispute)
    for stance in ("supports", "refutes"):
        EvidenceLink.objects.create(
            claim=claim, evidence=EvidenceArtifactFactory(), stance=stance, note=LONG_NOTE
        )
    user = UserFactory(username="inline-editor", is_superuser=True)
    pages = [
        reverse("admin:claims_aimodel_change", args=[model.pk]),
        reverse("admin:claims_dispute_change", args=[dispute.pk]),
        reverse("admin:claims_claim_change", args=[claim.pk]),
    ]
    with browser_page(viewport={"width": WIDTH, "height": 900}) as (page, errors):
        page.goto(live_server.url + "/admin/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "a-long-test-password")
        page.click("input[type=submit]")
        seen = 0
        for path in pages:
            page.goto(live_server.url + path)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= WIDTH, f"{path}: the page is {scroll} px wide"
            deletes = page.locator(".inline-group .tabular tr.form-row:not(.empty-form) td.delete")
            for i in range(deletes.count()):
                box = deletes.nth(i).bounding_box()
                assert box and box["x"] + box["width"] <= WIDTH, f"{path}: a delete cell ends at {box}"
                seen += 1
        assert seen >= 6  # the checkpoints', the roles' and the evidence links' rows were measured
        assert_clean(page, [e for e in errors if "Failed to load resource" not in e])
