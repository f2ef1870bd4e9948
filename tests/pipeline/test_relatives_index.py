"""Lineage search in the knowledge base (issue 24): the index rows kept with the fingerprints, the
selector's public/draft rule, the commands and the API route, on real fingerprints of the synthetic
lineage set."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims.models import FingerprintReport, ModelFingerprint, RelativesDigest, RelativesEntry
from claims.pipeline import fingerprint_store
from claims.selectors.relatives import checkpoint_relatives
from claims.services import (
    fingerprints_forget,
    record_publish,
    relatives_entry_write,
    relatives_index_put,
    relatives_index_rebuild,
)
from provenance.fingerprint.relatives.index import RelativesIndex, entry_of
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(prints):
    """A checkpoint per lineage model (public models), each with its fingerprint recorded."""
    out = {}
    for name, fp in prints.items():
        model = f.AIModelFactory(name=f"Synthetic {name}", published=True, developer__published=True)
        checkpoint = f.CheckpointFactory(model=model)
        fingerprint_store.record(checkpoint, fp, signature={}, reason="test")
        out[name] = checkpoint
    return out


def _succeeded_report(a, b, *, publish: bool, editor):
    """A succeeded report between ``a`` and ``b`` with its analysis evidence (a draft unless ``publish``)."""
    from django.utils import timezone

    report = f.FingerprintReportFactory(
        checkpoint_a=a, checkpoint_b=b, status=FingerprintReport.Status.SUCCEEDED, finished_at=timezone.now()
    )
    evidence = f.EvidenceArtifactFactory(
        kind="analysis", report=report, status="draft", title="Analysis DRAFTNAME"
    )
    if publish:
        record_publish(record=evidence, user=editor)
    return report


def _names(found) -> list[str]:
    return [r.candidate.name for r in found.relatives]


def test_an_index_row_is_written_with_each_fingerprint_and_removed_with_it(kept):
    base = kept["base"]
    row = ModelFingerprint.objects.get(checkpoint=base)
    entry = RelativesEntry.objects.get(fingerprint=row)
    assert entry.checkpoint_id == base.pk and entry.entry["signature"]["version"] == entry.signature_version
    assert RelativesEntry.objects.count() == 3
    fingerprints_forget(fingerprints=[row])
    assert not RelativesEntry.objects.filter(checkpoint=base).exists()
    assert RelativesEntry.objects.count() == 2
    found = checkpoint_relatives(checkpoint=kept["finetune"], preview=True)
    assert str(base) not in _names(found)


def test_editors_see_the_derived_model_first_and_readers_only_report_backed_relatives(kept):
    editor = f.editor()
    base, finetune, independent = kept["base"], kept["finetune"], kept["independent"]
    found = checkpoint_relatives(checkpoint=base, preview=True)
    assert _names(found)[0] == str(finetune)
    assert found.relatives[0].candidate.tier != found.relatives[-1].candidate.tier
    assert str(base) not in _names(found)  # never itself
    # Readers: nothing without a report, nothing with a draft one, the relative once it is published.
    assert checkpoint_relatives(checkpoint=base).relatives == []
    draft = _succeeded_report(base, finetune, publish=False, editor=editor)
    reader = checkpoint_relatives(checkpoint=base)
    assert reader.relatives == [] and reader.notes
    assert checkpoint_relatives(checkpoint=base, preview=True).relatives[0].report == draft
    record_publish(record=draft.evidence, user=editor)
    reader = checkpoint_relatives(checkpoint=base)
    assert [r.checkpoint for r in reader.relatives] == [finetune]
    assert reader.relatives[0].report == draft
    assert [r.checkpoint for r in checkpoint_relatives(checkpoint=finetune).relatives] == [base]
    assert checkpoint_relatives(checkpoint=independent).relatives == []


def test_a_checkpoint_without_a_fingerprint_answers_an_empty_list_with_a_sentence(kept):
    lone = f.CheckpointFactory()
    found = checkpoint_relatives(checkpoint=lone, preview=True)
    assert found.relatives == [] and "no fingerprint" in found.notes[0]
    f.ModelFingerprintFactory(checkpoint=lone)  # kept before the index existed
    found = checkpoint_relatives(checkpoint=lone, preview=True)
    assert found.relatives == [] and "relatives_index" in found.notes[0]


def test_an_entry_of_another_signature_version_is_skipped_with_a_sentence_and_rebuilt(kept):
    base, finetune = kept["base"], kept["finetune"]
    RelativesEntry.objects.filter(checkpoint=finetune).update(signature_version=0)
    found = checkpoint_relatives(checkpoint=base, preview=True)
    assert str(finetune) not in _names(found)
    assert any("another version" in n for n in found.notes)
    own = checkpoint_relatives(checkpoint=finetune, preview=True)
    assert own.relatives == [] and "older signature version" in own.notes[0]
    built = relatives_index_rebuild()
    assert (built.written, built.kept, built.problems) == (1, 2, [])
    assert _names(checkpoint_relatives(checkpoint=base, preview=True))[0] == str(finetune)


def test_the_rebuild_indexes_kept_fingerprints_and_names_the_unreadable(kept):
    RelativesEntry.objects.all().delete()
    orphan = f.ModelFingerprintFactory(checkpoint=f.CheckpointFactory())  # no file in storage
    out, err = StringIO(), StringIO()
    call_command("relatives_index", stdout=out, stderr=err)
    assert "indexed 3 fingerprint(s)" in out.getvalue() and "1 could not be read" in out.getvalue()
    assert f"checkpoint {orphan.checkpoint_id}" in err.getvalue()
    assert RelativesEntry.objects.count() == 3


def test_the_command_prints_the_ranked_candidates(kept):
    out = StringIO()
    call_command("relatives", str(kept["base"].pk), stdout=out)
    text = out.getvalue()
    assert f"1. {kept['finetune']}" in text and "z =" in text
    with pytest.raises(CommandError, match="No checkpoint"):
        call_command("relatives", "999999")


def test_the_api_route_follows_the_public_draft_rule(kept, client):
    from rest_framework.authtoken.models import Token

    editor = f.editor()
    base, finetune = kept["base"], kept["finetune"]
    url = reverse("api:checkpoint-relatives", kwargs={"pk": base.pk})
    _succeeded_report(base, finetune, publish=False, editor=editor)
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert anonymous.json()["relatives"] == [] and anonymous.json()["notes"]
    assert "DRAFTNAME" not in anonymous.content.decode()
    token = Token.objects.create(user=editor)
    seen = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}").json()
    assert seen["relatives"][0]["checkpoint"]["id"] == finetune.pk
    assert seen["relatives"][0]["report"]["status"] == "succeeded"
    assert {"z", "mean_cos"} <= set(seen["relatives"][0]["sketch"])
    assert client.get(reverse("api:checkpoint-relatives", kwargs={"pk": 999999})).status_code == 404
    draft = f.CheckpointFactory()  # of a draft model: not public at all
    assert client.get(reverse("api:checkpoint-relatives", kwargs={"pk": draft.pk})).status_code == 404
    lone = f.CheckpointFactory(model=f.AIModelFactory(published=True, developer__published=True))
    empty = client.get(reverse("api:checkpoint-relatives", kwargs={"pk": lone.pk}))
    assert empty.status_code == 200 and empty.json()["relatives"] == [] and empty.json()["notes"]


def test_the_model_page_shows_relatives_only_once_their_report_is_published(kept, client):
    editor = f.editor()
    base, finetune = kept["base"], kept["finetune"]
    page = base.model.get_absolute_url()
    report = _succeeded_report(base, finetune, publish=False, editor=editor)
    text = client.get(page).content.decode()
    assert "Closest known relatives" not in text and "Synthetic finetune" not in text
    record_publish(record=report.evidence, user=editor)
    text = client.get(page).content.decode()
    section = text.split('id="relatives-title"', 1)[1].split("</section>", 1)[0]
    assert "Synthetic finetune" in section and report.get_absolute_url() in section
    assert "Synthetic independent" not in text  # no report: never named to a reader


def test_the_admin_model_page_lists_candidates_with_scores_and_a_compare_link(kept, client):
    editor = f.editor()
    base, finetune = kept["base"], kept["finetune"]
    client.force_login(editor)
    response = client.get(reverse("admin:claims_aimodel_change", args=[base.model.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    section = text.split("Closest known relatives", 1)[1]
    assert str(finetune) in section and "sampled weights z =" in section
    assert f"checkpoint_a={base.pk}&amp;checkpoint_b={finetune.pk}" in section  # Compare: the request form
    report = _succeeded_report(base, finetune, publish=False, editor=editor)
    text = client.get(reverse("admin:claims_aimodel_change", args=[base.model.pk])).content.decode()
    assert report.get_absolute_url() in text.split("Closest known relatives", 1)[1]


def test_the_loaded_index_is_kept_while_the_table_is_unchanged_and_read_again_after_a_write(kept, prints):
    from claims.selectors.relatives import load_index

    first = load_index()
    assert load_index() is first
    row = ModelFingerprint.objects.get(checkpoint=kept["base"])
    relatives_index_put(row=row, fingerprint=prints["base"])
    assert load_index() is not first
    again = load_index()
    fingerprints_forget(fingerprints=[row])
    assert load_index() is not again and str(kept["base"].pk) not in load_index().index.ids


def test_each_informative_tensor_is_a_digest_row_replaced_with_its_entry_and_removed_with_it(kept, prints):
    from provenance.fingerprint.relatives.exact import informative

    row = ModelFingerprint.objects.get(checkpoint=kept["base"])
    tensors = informative(prints["base"])
    digests = RelativesDigest.objects.filter(entry__fingerprint=row).order_by("position")
    assert [d.prefix & (2**64 - 1) for d in digests] == [int(t.digest[:16], 16) for t in tensors]
    assert [d.layer for d in digests] == [t.layer for t in tensors]
    relatives_index_put(row=row, fingerprint=prints["base"])  # written again: replaced, not doubled
    assert digests.count() == len(tensors)
    fingerprints_forget(fingerprints=[row])
    assert not RelativesDigest.objects.filter(entry__checkpoint=kept["base"]).exists()
    assert RelativesDigest.objects.count() == sum(
        len(informative(prints[n])) for n in ("finetune", "independent")
    )


def _memory_index(prints: dict, kept: dict) -> RelativesIndex:
    index = RelativesIndex()
    for name, checkpoint in kept.items():
        index.add(str(checkpoint.pk), prints[name])
    return index


def test_exact_shares_found_through_the_digest_rows_are_the_engines(kept, prints):
    copy = f.CheckpointFactory(model=kept["base"].model, revision="renamed-copy")
    relatives_entry_write(
        row=f.ModelFingerprintFactory(checkpoint=copy), entry=entry_of(str(copy.pk), prints["base"])
    )
    found = checkpoint_relatives(checkpoint=copy, preview=True)
    first = found.relatives[0]
    assert first.checkpoint == kept["base"] and first.candidate.verdict == "shared_weights"
    index = _memory_index(prints, kept)
    index.add(str(copy.pk), prints["base"])
    whole = index.search(prints["base"], exclude=str(copy.pk))
    assert vars(first.candidate.share) == vars(whole.candidates[0].share)
    assert first.candidate.share.tensors == len(RelativesDigest.objects.filter(entry__checkpoint=copy))


def test_the_selector_ranks_like_the_in_memory_index(kept, prints):
    index = _memory_index(prints, kept)
    for name, checkpoint in kept.items():
        whole = index.search(prints[name], exclude=str(checkpoint.pk)).candidates
        found = checkpoint_relatives(checkpoint=checkpoint, preview=True).relatives
        assert [(str(r.checkpoint.pk), r.candidate.verdict) for r in found] == [
            (c.name, c.verdict) for c in whole
        ]
        for r, c in zip(found, whole, strict=True):
            assert r.candidate.sketch.z == pytest.approx(c.sketch.z, rel=1e-5)
            assert r.candidate.profile.r == pytest.approx(c.profile.r, rel=1e-9)


def test_an_entry_written_before_its_parts_were_kept_apart_is_left_out_until_rebuilt(kept):
    base, finetune = kept["base"], kept["finetune"]
    RelativesEntry.objects.filter(checkpoint=finetune).update(screen=None)
    RelativesDigest.objects.filter(entry__checkpoint=finetune).delete()
    found = checkpoint_relatives(checkpoint=base, preview=True)
    assert str(finetune) not in _names(found) and any("another version" in n for n in found.notes)
    built = relatives_index_rebuild()
    assert (built.written, built.kept) == (1, 2)
    assert RelativesDigest.objects.filter(entry__checkpoint=finetune).exists()
    assert _names(checkpoint_relatives(checkpoint=base, preview=True))[0] == str(finetune)
