"""Invariants in the database, and the model methods readers and the API rely on."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from claims import models as m
from claims.models import FingerprintShard
from tests import factories as f

pytestmark = pytest.mark.django_db


def changed(obj, **values):
    """``obj`` (saved, valid) with ``values`` set in memory only."""
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


def duplicate(obj, **values):
    """An unsaved copy of ``obj`` (same field values, new slug/pk)."""
    copy = type(obj)(**{fld.attname: getattr(obj, fld.attname) for fld in obj._meta.concrete_fields})
    copy.pk = None
    if hasattr(copy, "slug"):
        copy.slug = f"{obj.slug}-copy"
    return changed(copy, **values)


def write(obj) -> None:
    """Write ``obj`` straight to the database, bypassing save() and validation."""
    model = type(obj)
    if obj.pk is None:
        model.objects.bulk_create([obj])
        return
    fields = [fld for fld in obj._meta.concrete_fields if not fld.primary_key]
    model.objects.filter(pk=obj.pk).update(**{fld.attname: getattr(obj, fld.attname) for fld in fields})


def _report(**values):
    return changed(f.FingerprintReportFactory(), **values)


PUBLIC_FACTORIES = {
    "party": f.PartyFactory,
    "aimodel": f.AIModelFactory,
    "dispute": f.DisputeFactory,
    "claim": f.ClaimFactory,
    "evidenceartifact": f.EvidenceArtifactFactory,
}

CASES = {
    **{
        f"{name}_retracted_has_note": (
            lambda factory=factory: changed(factory(published=True), status="retracted", retracted_at=timezone.now())
        )
        for name, factory in PUBLIC_FACTORIES.items()
    },
    **{
        f"{name}_published_has_date": (lambda factory=factory: changed(factory(), status="published"))
        for name, factory in PUBLIC_FACTORIES.items()
    },
    **{
        f"{name}_original_has_language": (lambda factory=factory: changed(factory(), original_text="原文"))
        for name, factory in (("claim", f.ClaimFactory), ("evidenceartifact", f.EvidenceArtifactFactory))
    },
    **{
        f"{name}_translation_has_original": (lambda factory=factory: changed(factory(), translation="x", translator="y"))
        for name, factory in (("claim", f.ClaimFactory), ("evidenceartifact", f.EvidenceArtifactFactory))
    },
    **{
        f"{name}_translation_has_translator": (
            lambda factory=factory: changed(factory(), original_language="zh", original_text="原文", translation="x")
        )
        for name, factory in (("claim", f.ClaimFactory), ("evidenceartifact", f.EvidenceArtifactFactory))
    },
    **{
        f"{name}_machine_translation_has_text": (lambda factory=factory: changed(factory(), machine_translation=True))
        for name, factory in (("claim", f.ClaimFactory), ("evidenceartifact", f.EvidenceArtifactFactory))
    },
    "rightofreply_deadline_after_request": lambda: changed(
        f.RightOfReplyFactory(), asked_on=date(2025, 7, 5), reply_by=date(2025, 7, 1)
    ),
    "sourcecapture_failed_has_error": lambda: changed(f.SourceCaptureFactory(), status="failed", error=""),
    "captureartefact_one_per_kind": lambda: duplicate(
        m.CaptureArtefact.objects.create(
            capture=f.SourceCaptureFactory(), kind="text", file="a/b.txt", content_type="text/plain", sha256="0" * 64, size=1
        )
    ),
    "sourcesuggestion_one_open_per_kind": lambda: duplicate(f.SourceSuggestionFactory()),
    "party_not_own_parent": lambda: (p := f.PartyFactory()) and changed(p, parent_id=p.pk),
    "aimodel_unique_name_per_developer": lambda: duplicate(f.AIModelFactory()),
    "aimodel_declared_base_has_relation": lambda: changed(f.AIModelFactory(), declared_base=f.AIModelFactory()),
    "aimodel_not_own_base": lambda: (a := f.AIModelFactory()) and changed(a, declared_base_id=a.pk, declared_relation="merge"),
    "aimodel_active_within_total": lambda: changed(f.AIModelFactory(), parameters_total=10, parameters_active=11),
    "checkpoint_unique_revision_per_model": lambda: duplicate(f.CheckpointFactory()),
    "checkpoint_one_location": lambda: changed(f.CheckpointFactory(), location="/models/x", uploaded_file="c/x.bin"),
    "checkpoint_source_complete": lambda: changed(f.CheckpointFactory(), source_kind="hub", source_repo="Org/x"),
    "dispute_ends_after_start": lambda: changed(f.DisputeFactory(), started_on=date(2025, 7, 5), ended_on=date(2025, 7, 1)),
    "disputeparty_unique_role": lambda: duplicate(f.DisputePartyFactory()),
    "claim_not_response_to_itself": lambda: (c := f.ClaimFactory()) and changed(c, responds_to_id=c.pk),
    "claim_response_kind_needs_target": lambda: changed(f.ClaimFactory(), kind="denial"),
    "claim_lineage_names_models": lambda: changed(f.ClaimFactory(), kind="derived_from", subject_model=f.AIModelFactory()),
    "claim_models_differ": lambda: (a := f.AIModelFactory()) and changed(f.ClaimFactory(), subject_model=a, alleged_source_model=a),
    "claim_assessment_has_rationale": lambda: changed(f.ClaimFactory(), assessment="refuted", assessment_rationale=""),
    "rightofreply_answer_recorded": lambda: changed(f.RightOfReplyFactory(), outcome="answered"),
    "rightofreply_answer_only_when_answered": lambda: changed(f.RightOfReplyFactory(), answer="We deny it."),
    "rightofreply_no_response_as_of": lambda: changed(f.RightOfReplyFactory(), outcome="no_response"),
    "rightofreply_outcome_after_request": lambda: changed(
        f.RightOfReplyFactory(), asked_on=date(2025, 7, 5), outcome="declined", outcome_on=date(2025, 7, 1)
    ),
    "evidenceartifact_report_only_for_analysis": lambda: changed(
        f.EvidenceArtifactFactory(kind="paper"), report=f.FingerprintReportFactory()
    ),
    "evidenceartifact_file_has_hash": lambda: changed(f.EvidenceArtifactFactory(), sha256="ab" * 32),
    "evidencelink_unique_pair": lambda: duplicate(f.EvidenceLinkFactory()),
    "modelfingerprint_unique_per_engine_version": lambda: duplicate(f.ModelFingerprintFactory()),
    "fingerprintshard_unique_file": lambda: duplicate(
        FingerprintShard.objects.create(checkpoint=f.CheckpointFactory(), signature="s" * 64, index=0, file_name="a")
    ),
    "fingerprintreport_two_checkpoints": lambda: (r := f.FingerprintReportFactory()) and changed(r, checkpoint_b_id=r.checkpoint_a_id),
    "fingerprintreport_progress_within_total": lambda: _report(progress_bytes=11, progress_total=10),
    "fingerprintreport_finished_has_time": lambda: _report(status="succeeded"),
    "fingerprintreport_failure_explained": lambda: _report(status="failed", finished_at=timezone.now()),
    "fingerprintreport_finishes_after_start": lambda: _report(
        started_at=timezone.now(), finished_at=timezone.now() - timezone.timedelta(hours=1)
    ),
}  # fmt: skip


def test_every_named_constraint_has_a_case():
    names = {c.name for model in m.__dict__.values() if isinstance(model, type) and issubclass(model, models.Model)
             and not model._meta.abstract for c in model._meta.constraints}  # fmt: skip
    assert names == set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_the_database_rejects_what_the_constraint_forbids(name):
    obj = CASES[name]()
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write(obj)
    if isinstance(_constraint(obj, name), models.CheckConstraint):
        assert name in str(error.value)


@pytest.mark.parametrize("name", CASES)
def test_validation_rejects_it_before_the_database_does(name):
    obj = CASES[name]()
    constraint = _constraint(obj, name)
    with pytest.raises(ValidationError) as error:
        obj.validate_constraints()
    assert constraint.get_violation_error_message() in str(error.value) or "already exists" in str(
        error.value
    )


def _constraint(obj, name):
    return next(c for c in obj._meta.constraints if c.name == name)


def test_valid_records_pass_every_constraint():
    claim = f.ClaimFactory(
        kind="derived_from", subject_model=f.AIModelFactory(), alleged_source_model=f.AIModelFactory()
    )
    rebuttal = f.ClaimFactory(kind="denial", responds_to=claim, dispute=claim.dispute)
    for obj in (
        claim,
        rebuttal,
        f.RightOfReplyFactory(outcome="answered", answer="No."),
        f.FingerprintReportFactory(),
    ):
        obj.full_clean()


def test_a_rebuttal_answers_a_claim_of_the_same_dispute():
    claim = f.ClaimFactory()
    rebuttal = f.ClaimFactory.build(
        kind="denial", responds_to=claim, dispute=f.DisputeFactory(), claimant=claim.claimant
    )
    with pytest.raises(ValidationError) as error:
        rebuttal.full_clean()
    assert "responds_to" in error.value.message_dict


@pytest.mark.parametrize(
    ("referrer", "target"),
    [
        (lambda: f.ClaimFactory(), lambda claim: claim.claimant),
        (lambda: f.ClaimFactory(), lambda claim: claim.dispute),
        (lambda: f.EvidenceLinkFactory(), lambda link: link.evidence),
        (lambda: f.AIModelFactory(), lambda model: model.developer),
        (lambda: f.CheckpointFactory(), lambda checkpoint: checkpoint.model),
        (lambda: f.FingerprintReportFactory(), lambda report: report.checkpoint_a),
    ],
)
def test_deleting_what_a_record_refers_to_is_refused(referrer, target):
    with pytest.raises(ProtectedError):
        target(referrer()).delete()


def test_an_archived_file_is_hashed_on_save(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = b"%PDF-1.7 the paper" * 100_000  # larger than one read chunk
    artifact = f.EvidenceArtifactFactory()
    artifact.archived_file.save("paper.pdf", ContentFile(content))
    artifact.refresh_from_db()
    assert artifact.sha256 == hashlib.sha256(content).hexdigest()
    assert artifact.retrieved_at is not None
    assert artifact.archived_file.read() == content  # hashing left the stored bytes intact

    artifact.archived_file.delete(save=True)
    artifact.refresh_from_db()
    assert artifact.sha256 == ""


def test_a_checkpoint_location_must_be_inside_the_model_store(settings, tmp_path):
    settings.MODEL_STORE = [tmp_path]
    checkpoint = f.CheckpointFactory()
    for outside in ("/etc/passwd", f"{tmp_path}/../../etc", "../../etc"):
        checkpoint.location = outside
        with pytest.raises(ValidationError, match="outside the model store"):
            checkpoint.full_clean()
    (tmp_path / "qwen").mkdir()
    checkpoint.location = "qwen"  # relative: inside the first store folder, stored resolved
    checkpoint.full_clean()
    assert checkpoint.location == str(tmp_path.resolve() / "qwen")


@pytest.mark.parametrize(
    ("assessment", "rating"),
    [
        ("supported", {"ratingValue": 5, "alternateName": "Supported by evidence"}),
        ("contested", {"ratingValue": 3, "alternateName": "Contested"}),
        ("refuted", {"ratingValue": 1, "alternateName": "Refuted"}),
        ("unverified", {"alternateName": "Unverified"}),
        ("withdrawn", {"alternateName": "Withdrawn by the claimant"}),
    ],
)
def test_an_assessment_maps_to_a_claim_review_rating(assessment, rating):
    result = m.Claim(assessment=assessment).claim_review_rating()
    assert result["@type"] == "Rating"
    assert {k: result[k] for k in rating} == rating
    assert ("ratingValue" in result) == ("ratingValue" in rating)
    if "ratingValue" in result:
        assert (result["worstRating"], result["bestRating"]) == (1, 5)


@pytest.mark.parametrize(
    ("precision", "text"), [("day", "5 July 2025"), ("month", "July 2025"), ("year", "2025")]
)
def test_an_imprecise_date_is_shown_only_as_precisely_as_it_is_known(precision, text):
    assert m.Claim(made_on=date(2025, 7, 5), date_precision=precision).made_on_display == text


def test_public_means_published_or_retracted():
    draft, published = f.PartyFactory(), f.PartyFactory(published=True)
    retracted = f.PartyFactory(
        published=True, status="retracted", retracted_at=timezone.now(), retraction_note="x"
    )
    assert set(m.Party.objects.public()) == {published, retracted}
    assert not draft.is_public


def test_a_report_is_public_when_the_evidence_citing_it_and_both_models_are():
    report = f.FingerprintReportFactory()
    assert not report.is_public and not m.FingerprintReport.objects.public().exists()
    evidence = f.EvidenceArtifactFactory(kind="analysis", report=report)
    report.refresh_from_db()
    assert not report.is_public  # cited only by a draft
    m.EvidenceArtifact.objects.filter(pk=evidence.pk).update(status="published", published_at=timezone.now())
    report.refresh_from_db()
    assert not report.is_public  # both compared models are drafts
    for checkpoint in (report.checkpoint_a, report.checkpoint_b):
        m.AIModel.objects.filter(pk=checkpoint.model_id).update(
            status="published", published_at=timezone.now()
        )
    report.refresh_from_db()
    assert report.is_public and list(m.FingerprintReport.objects.public()) == [report]


def test_a_report_gets_a_stable_request_key_and_slug():
    report = f.FingerprintReportFactory(methods=["tensor_identity", "attn_std"])
    assert len(report.request_key) == 64 and report.slug == f"report-{report.request_key[:12]}"
    same = m.FingerprintReport(
        checkpoint_a=report.checkpoint_a,
        checkpoint_b=report.checkpoint_b,
        methods=["attn_std", "tensor_identity"],
    )
    assert same.compute_request_key() == report.request_key
    other = m.FingerprintReport(
        checkpoint_a=report.checkpoint_a, checkpoint_b=report.checkpoint_b, methods=["attn_std"]
    )
    assert other.compute_request_key() != report.request_key


@pytest.mark.parametrize("factory", list(f.FACTORIES.values()), ids=[x._meta.model_name for x in f.FACTORIES])
def test_every_record_reads_as_text(factory):
    assert str(factory()).strip()


@pytest.mark.parametrize("factory", PUBLIC_FACTORIES.values(), ids=PUBLIC_FACTORIES.keys())
def test_public_records_have_a_public_url(factory):
    record = factory(published=True)
    assert record.get_absolute_url().endswith(f"/{record.slug}/")
