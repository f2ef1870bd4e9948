"""The guided start in a real browser (Debian's chromium through Playwright), on a fictional world: an
editor goes from the disputes list through every step to the dispute's change page, which says what is
still a draft. Screenshot: ``$VAR_DIR/screenshots/guided-start.png`` (``docs/screenshots/``)."""

from __future__ import annotations

from claims.models import Claim, Dispute, EvidenceLink, Party
from tests.factories import AIModelFactory, PartyFactory, UserFactory
from tests.site.test_site_accessibility import AXE, WCAG_21_AA
from tests.site.test_site_browser import assert_clean, browser_page, screenshots

RUN_AXE_ON_CONTENT = """async (tags) => {
  const result = await axe.run('#content', {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => `${v.id}: ${v.help} at ` + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('; '));
}"""


def test_an_editor_records_a_new_dispute_step_by_step_in_the_browser(transactional_db, live_server):
    PartyFactory(published=True, name="Example Lab")
    AIModelFactory(name="Example Model A")
    AIModelFactory(name="Example Model B")
    # The Editors group comes from a data migration an earlier test's flush may have removed: a
    # superuser has the same permissions.
    user = UserFactory(username="guided-editor", is_superuser=True)

    with browser_page(viewport={"width": 1280, "height": 1000}) as (page, errors):
        page.goto(live_server.url + "/admin/login/?next=/admin/claims/dispute/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", "a-long-test-password")
        page.click("input[type=submit]")
        page.click("text=New dispute, step by step")

        page.fill("#id_title", "Example Model B was copied from Example Model A")
        page.fill("#id_summary", "A fictional dispute for the guided start's test.")
        page.select_option("#id_models_at_stake", label="Example Model A")
        page.click("input[name=_continue]")

        assert page.locator(".guided-steps li.current").inner_text() == "2. Parties and roles"
        page.fill("#id_new_party_name", "Example Whistleblower")
        page.select_option("#id_new_party_kind", "pseudonymous")
        page.select_option("#id_role", "accuser")
        page.click("input[name=_another]")
        page.select_option("#id_party", label="Example Lab")
        page.select_option("#id_role", "accused")
        page.screenshot(path=screenshots() / "guided-start.png", full_page=True)
        # The step's own content (Django's admin frame around it is Django's) passes axe, WCAG 2.1 AA.
        page.evaluate(AXE)
        assert page.evaluate(RUN_AXE_ON_CONTENT, WCAG_21_AA) == []
        assert "Example Whistleblower" in page.locator(".guided-saved").inner_text()
        page.click("input[name=_continue]")

        assert page.locator(".guided-steps li.current").inner_text() == "3. Claims"
        page.select_option("#id_claimant", label="Example Whistleblower")
        page.select_option("#id_kind", "misrepresented_training")
        page.fill("#id_title", "Example Lab did not train Example Model B from scratch")
        page.fill("#id_statement", "They say so in a post.")
        page.click("input[name=_continue]")

        assert page.locator(".guided-steps li.current").inner_text() == "4. Sources"
        page.fill("#id_title", "The whistleblower's post")
        page.select_option("#id_kind", "social_post")
        page.fill("#id_url", "https://example.org/post")
        page.select_option("#id_stance", "supports")
        page.click("input[name=_continue]")

        assert "5. Right of reply" in page.locator(".guided-steps li.current").inner_text()
        page.click("text=Finish without adding more")
        page.wait_for_url("**/change/")
        message = page.locator(".messagelist").inner_text()
        assert "The dispute is saved as a draft" in message and "Example Whistleblower" in message
        assert_clean(page, [e for e in errors if "Failed to load resource" not in e])

    dispute = Dispute.objects.get(title="Example Model B was copied from Example Model A")
    assert dispute.roles.count() == 2 and Party.objects.filter(name="Example Whistleblower").exists()
    claim = Claim.objects.get(dispute=dispute)
    assert EvidenceLink.objects.get(claim=claim).evidence.url == "https://example.org/post"
