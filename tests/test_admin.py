"""The editors' admin, for the three personas: editor, staff without permissions, anonymous."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.models.fields.files import FieldFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import models as m
from tests.factories import FACTORIES, ClaimFactory, PartyFactory, UserFactory, editor

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label == "claims"]
# The engine writes fingerprints; the archive worker writes captures and the watch its suggestions.
ADDABLE = [
    model for model in MODELS if model not in (m.ModelFingerprint, m.SourceCapture, m.SourceSuggestion)
]
IDS = [model._meta.model_name for model in MODELS]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """The POST body a browser would send back for an admin change page, unchanged."""
    data: dict = {}

    def add(form) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or isinstance(value, FieldFile) or value is False:
                continue
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif isinstance(value, list | tuple) and name != "methods":
                data[form.add_prefix(name)] = [str(field.prepare_value(v)) for v in value]
            else:
                data[form.add_prefix(name)] = str(field.prepare_value(value))

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in inline.formset.forms:
            add(form)
    return data


@pytest.fixture
def editor_client(client):
    user = editor(username="ada")
    client.force_login(user)
    client.user = user
    return client


def test_every_model_of_the_knowledge_base_is_registered():
    assert set(MODELS) == set(FACTORIES)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_an_editor_sees_the_changelist_and_the_change_page(editor_client, model):
    obj = FACTORIES[model]()
    assert editor_client.get(url(model, "changelist")).status_code == 200
    assert editor_client.get(url(model, "change", obj.pk)).status_code == 200
    assert editor_client.get(url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", ADDABLE, ids=[x._meta.model_name for x in ADDABLE])
def test_an_editor_sees_the_add_page(editor_client, model):
    assert editor_client.get(url(model, "add")).status_code == 200


def test_nobody_adds_a_model_fingerprint_by_hand(editor_client):
    assert editor_client.get(url(m.ModelFingerprint, "add")).status_code == 403


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, model):
    response = client.get(url(model, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_staff_without_editor_permissions_is_forbidden(client, model):
    client.force_login(UserFactory(username="intern"))
    assert client.get(url(model, "changelist")).status_code == 403


@pytest.mark.parametrize("model", ADDABLE, ids=[x._meta.model_name for x in ADDABLE])
def test_a_reviewer_may_look_but_not_add(client, model):
    client.force_login(UserFactory(username="rev", groups=["Reviewers"]))
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "add")).status_code == 403


@pytest.mark.parametrize("model", ADDABLE, ids=[x._meta.model_name for x in ADDABLE])
def test_saving_a_change_page_records_history_with_the_editors_name(editor_client, model):
    obj = FACTORIES[model]()
    data = form_data(editor_client.get(url(model, "change", obj.pk)))
    data["change_reason"] = "checked against the source"
    response = editor_client.post(url(model, "change", obj.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = obj.history.latest()
    assert latest.history_user == editor_client.user
    assert latest.history_change_reason == "checked against the source"
    history_page = editor_client.get(url(model, "history", obj.pk))
    assert "ada" in history_page.content.decode()


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_changelists_make_the_same_number_of_queries_for_one_row_and_for_many(editor_client, model):
    from django.db import connection

    FACTORIES[model]()
    editor_client.get(url(model, "changelist"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        editor_client.get(url(model, "changelist"))
    FACTORIES[model].create_batch(4)
    with CaptureQueriesContext(connection) as many:
        editor_client.get(url(model, "changelist"))
    assert len(many) == len(one), [q["sql"] for q in many]


def test_an_edit_shows_up_as_a_diff_in_the_history(editor_client):
    party = PartyFactory(name="Huawei")
    data = form_data(editor_client.get(url(m.Party, "change", party.pk)))
    data["name"] = "Huawei Technologies"
    editor_client.post(url(m.Party, "change", party.pk), data)
    page = editor_client.get(url(m.Party, "history", party.pk)).content.decode()
    assert "Huawei Technologies" in page and "ada" in page


def test_changing_an_assessment_requires_a_reason_and_records_it(editor_client):
    claim = ClaimFactory()
    data = form_data(editor_client.get(url(m.Claim, "change", claim.pk)))
    data.update(assessment="contested", assessment_rationale="Denied by the developer.")
    response = editor_client.post(url(m.Claim, "change", claim.pk), data)
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors

    data["change_reason"] = "the developer's statement of 5 July"
    assert editor_client.post(url(m.Claim, "change", claim.pk), data).status_code == 302
    latest = claim.history.latest()
    assert (latest.assessment, latest.history_change_reason) == (
        "contested",
        "the developer's statement of 5 July",
    )
    assert latest.history_user == editor_client.user


def test_invalid_input_is_a_field_error_not_a_server_error(editor_client):
    response = editor_client.post(
        url(m.Party, "add"), {"name": "X", "slug": "not a slug!", "kind": "organisation", "website": "nope"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"slug", "website"} <= set(errors)


def test_a_constraint_violation_in_a_form_is_a_field_error(editor_client):
    checkpoint = FACTORIES[m.Checkpoint]()
    response = editor_client.post(
        url(m.Checkpoint, "add"),
        {
            "model": checkpoint.model_id,
            "revision": checkpoint.revision,
            "format": "safetensors",
            "change_reason": "",
        },
    )
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors)
    assert m.Checkpoint.objects.count() == 1


def test_a_race_lost_at_the_database_becomes_a_form_error(editor_client, monkeypatch):
    """Two editors add the same checkpoint at once: validation passed before the other row existed."""
    checkpoint = FACTORIES[m.Checkpoint]()
    real = m.Checkpoint.validate_constraints
    calls = []

    def validate_as_if_the_other_row_was_not_there_yet(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            real(self, *args, **kwargs)

    monkeypatch.setattr(m.Checkpoint, "validate_constraints", validate_as_if_the_other_row_was_not_there_yet)
    data = {"model": checkpoint.model_id, "revision": checkpoint.revision, "format": "safetensors"}
    response = editor_client.post(url(m.Checkpoint, "add"), data)
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors)
    assert m.Checkpoint.objects.count() == 1


def test_deleting_a_party_that_claims_refer_to_is_refused_with_a_clear_message(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    claim = ClaimFactory()
    page = client.get(url(m.Party, "delete", claim.claimant.pk)).content.decode()
    assert "would require deleting the following protected related objects" in page
    client.post(url(m.Party, "delete", claim.claimant.pk), {"post": "yes"})
    assert m.Party.objects.filter(pk=claim.claimant.pk).exists()


def test_editors_cannot_delete_records_they_should_retract(editor_client):
    party = PartyFactory()
    assert editor_client.get(url(m.Party, "delete", party.pk)).status_code == 403
    assert not editor_client.user.has_perm("claims.delete_claim")
    assert editor_client.user.has_perm("claims.delete_evidencelink")


def test_the_editors_group_has_the_publish_permissions():
    codenames = set(
        Permission.objects.filter(group__name="Editors", codename__startswith="publish_").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {
        "publish_party",
        "publish_aimodel",
        "publish_dispute",
        "publish_claim",
        "publish_evidenceartifact",
    }


def changelist_action(client, model, action: str, objs, **extra):
    data = {"action": action, "_selected_action": [o.pk for o in objs], **extra}
    return client.post(url(model, "changelist"), data, follow=False)


def test_the_publish_action_publishes_and_records_who(editor_client):
    party = PartyFactory()
    response = changelist_action(editor_client, m.Party, "publish", [party])
    assert response.status_code == 302
    party.refresh_from_db()
    assert (party.status, party.published_by) == ("published", editor_client.user)
    assert party.published_at is not None
    assert party.history.latest().history_user == editor_client.user


def test_the_retract_action_asks_for_a_note_then_retracts(editor_client):
    claim = ClaimFactory(published=True)
    page = changelist_action(editor_client, m.Claim, "retract", [claim])
    assert page.status_code == 200 and "Retraction note" in page.content.decode()

    empty = changelist_action(editor_client, m.Claim, "retract", [claim], apply="1", note="  ")
    assert empty.status_code == 200 and empty.context["form"].errors
    claim.refresh_from_db()
    assert claim.status == "published"

    done = changelist_action(
        editor_client, m.Claim, "retract", [claim], apply="1", note="The source was forged."
    )
    assert done.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.retracted_by, claim.retraction_note) == (
        "retracted",
        editor_client.user,
        "The source was forged.",
    )


def test_the_unpublish_action_returns_a_record_to_draft(editor_client):
    party = PartyFactory(published=True)
    changelist_action(editor_client, m.Party, "unpublish", [party])
    party.refresh_from_db()
    assert (party.status, party.published_at) == ("draft", None)


def test_a_refused_transition_is_a_message_not_an_error(editor_client):
    claim = ClaimFactory()  # its dispute and claimant are drafts
    response = changelist_action(editor_client, m.Claim, "publish", [claim])
    assert response.status_code == 302
    messages = [str(x) for x in editor_client.get(url(m.Claim, "changelist")).context["messages"]]
    assert any("first" in text for text in messages), messages
    claim.refresh_from_db()
    assert claim.status == "draft"


def test_staff_without_the_publish_permission_has_no_publishing_actions(client):
    user = UserFactory(username="writer")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_party", "change_party"]))
    client.force_login(user)
    party = PartyFactory()
    action_form = client.get(url(m.Party, "changelist")).context["action_form"]
    assert action_form is None  # publish, unpublish and retract all need the permission
    changelist_action(client, m.Party, "publish", [party])
    party.refresh_from_db()
    assert party.status == "draft"


def test_status_is_shown_with_colour_and_text(editor_client):
    PartyFactory(published=True, name="Reuters")
    page = editor_client.get(url(m.Party, "changelist")).content.decode()
    assert "background:#1e7e34" in page and ">published</span>" in page


def test_view_on_site_is_offered_for_public_records_only(editor_client):
    draft, public = PartyFactory(), PartyFactory(published=True)
    assert "viewsitelink" not in editor_client.get(url(m.Party, "change", draft.pk)).content.decode()
    page = editor_client.get(url(m.Party, "change", public.pk)).content.decode()
    assert "viewsitelink" in page
    redirect = editor_client.get(reverse("admin:view_on_site", args=[_ct(m.Party), public.pk]))
    assert redirect["Location"].endswith(public.get_absolute_url())


def _ct(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


@pytest.mark.parametrize(
    ("model", "slug"), [(m.Dispute, "pangu-pro-moe-qwen"), (m.Claim, "honestagi-pangu-derived-from-qwen")]
)
def test_an_editor_saves_the_demo_case_with_all_its_inlines(editor_client, model, slug):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    obj = model.objects.get(slug=slug)
    page = editor_client.get(url(model, "change", obj.pk))
    assert sum(len(inline.formset.forms) for inline in page.context["inline_admin_formsets"]) >= 3
    response = editor_client.post(url(model, "change", obj.pk), form_data(page))
    assert response.status_code == 302, [i.formset.errors for i in page.context["inline_admin_formsets"]]


def test_a_claim_with_a_response_kind_but_nothing_to_respond_to_is_a_field_error_inline(editor_client):
    dispute = FACTORIES[m.Dispute]()
    party = PartyFactory()
    data = form_data(editor_client.get(url(m.Dispute, "change", dispute.pk)))
    data.update(
        {
            "claims-TOTAL_FORMS": "1",
            "claims-0-title": "We deny it",
            "claims-0-slug": "we-deny-it",
            "claims-0-kind": "denial",
            "claims-0-claimant": str(party.pk),
            "claims-0-date_precision": "day",
            "claims-0-statement": "No.",
            "claims-0-dispute": str(dispute.pk),
        }
    )
    response = editor_client.post(url(m.Dispute, "change", dispute.pk), data)
    assert response.status_code == 200
    assert "must respond to a claim" in response.content.decode()
    assert not m.Claim.objects.exists()


def test_the_slug_of_a_published_record_is_fixed(editor_client):
    party = PartyFactory(published=True)
    data = form_data(editor_client.get(url(m.Party, "change", party.pk)))
    assert "slug" not in data
    editor_client.post(url(m.Party, "change", party.pk), {**data, "slug": "new-slug"})
    party.refresh_from_db()
    assert party.slug != "new-slug"


def test_an_uploaded_archive_copy_gets_its_sha256(editor_client, settings, tmp_path):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    content = b"statement text " * 1000
    data = {
        "title": "Statement",
        "slug": "statement",
        "kind": "statement",
        "date_precision": "day",
        "archived_file": SimpleUploadedFile("statement.html", content),
    }
    assert editor_client.post(url(m.EvidenceArtifact, "add"), data).status_code == 302
    artifact = m.EvidenceArtifact.objects.get(slug="statement")
    assert artifact.sha256 == hashlib.sha256(content).hexdigest()
    assert artifact.history.latest().history_user == editor_client.user


def test_the_models_at_stake_of_a_dispute_have_history(editor_client):
    dispute = FACTORIES[m.Dispute]()
    model = FACTORIES[m.AIModel]()
    data = form_data(editor_client.get(url(m.Dispute, "change", dispute.pk)))
    data["models_at_stake"] = [str(model.pk)]
    assert editor_client.post(url(m.Dispute, "change", dispute.pk), data).status_code == 302
    latest = dispute.history.latest()
    assert [row.aimodel_id for row in latest.models_at_stake.all()] == [model.pk]


def test_a_published_claims_slug_cannot_change_in_the_disputes_claim_inline(editor_client):
    """The inline shows the slug as a field: the model's one rule (``PublicRecord.clean``) refuses
    the change there too, as it does in the API (test_api_writes: a published slug cannot change)."""
    claim = ClaimFactory(published=True)
    data = form_data(editor_client.get(url(m.Dispute, "change", claim.dispute.pk)))
    assert data["claims-0-slug"] == claim.slug
    data["claims-0-slug"] = "renamed"
    response = editor_client.post(url(m.Dispute, "change", claim.dispute.pk), data)
    assert response.status_code == 200
    assert "cannot change" in str(response.context["inline_admin_formsets"][1].formset.errors)
    claim.refresh_from_db()
    assert claim.slug != "renamed"


def test_inline_rows_are_saved_with_the_editor_and_the_pages_change_reason(editor_client):
    dispute = FACTORIES[m.Dispute]()
    role = FACTORIES[m.DisputeParty](dispute=dispute, role="accuser")
    data = form_data(editor_client.get(url(m.Dispute, "change", dispute.pk)))
    data.update({"roles-0-note": "Says so on its blog.", "change_reason": "the accuser's blog post"})
    assert editor_client.post(url(m.Dispute, "change", dispute.pk), data).status_code == 302
    latest = role.history.latest()
    assert (latest.note, latest.history_user, latest.history_change_reason) == (
        "Says so on its blog.",
        editor_client.user,
        "the accuser's blog post",
    )


def test_an_admin_save_and_an_api_save_of_the_same_record_both_name_the_editor(editor_client):
    """Both doors write through ``claims.services.record_save``."""
    from tests.api.conftest import token_client

    party = PartyFactory(name="Huawei")
    data = form_data(editor_client.get(url(m.Party, "change", party.pk)))
    data.update(name="Huawei Technologies", change_reason="its full name")
    assert editor_client.post(url(m.Party, "change", party.pk), data).status_code == 302
    by_admin = party.history.latest()
    api = token_client(editor_client.user)
    response = api.patch(f"/api/v1/parties/{party.slug}/", {"name": "Huawei Ltd"}, format="json")
    assert response.status_code == 200, response.content
    by_api = party.history.latest()
    assert (by_admin.name, by_admin.history_user, by_admin.history_change_reason) == (
        "Huawei Technologies",
        editor_client.user,
        "its full name",
    )
    assert (by_api.name, by_api.history_user) == ("Huawei Ltd", editor_client.user)
    assert by_api.history_id != by_admin.history_id


def test_a_claim_dated_in_the_future_is_a_field_error(editor_client):
    claim = ClaimFactory()
    data = form_data(editor_client.get(url(m.Claim, "change", claim.pk)))
    data["made_on"] = "2999-01-01"
    response = editor_client.post(url(m.Claim, "change", claim.pk), data)
    assert response.status_code == 200
    assert "in the future" in str(response.context["adminform"].form.errors["made_on"])
