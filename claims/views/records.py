"""Pages of single records: party, AI model, claim (with its ClaimReview), evidence and its archive."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from claims.models import AIModel, CaptureArtefact, Claim, EvidenceArtifact, Party
from claims.presentation.jsonld import claim_review
from claims.presentation.lineage import draw
from claims.selectors import (
    aimodel_page,
    artefact_for_reader,
    claim_detail_queryset,
    claim_page,
    evidence_page,
    evidence_queryset,
    model_lineage,
    party_page,
)
from claims.selectors.relatives import model_relatives
from claims.views.base import PublicRecordView, can_preview


class PartyDetail(PublicRecordView):
    model = Party
    template_name = "site/party_detail.html"

    def base_queryset(self):
        return Party.objects.select_related("parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(party_page(party=self.object, preview=self.preview))
        return context


class AIModelDetail(PublicRecordView):
    model = AIModel
    template_name = "site/aimodel_detail.html"

    def base_queryset(self):
        return AIModel.objects.select_related("developer", "declared_base", "release_date_source")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = aimodel_page(model=self.object, preview=self.preview)
        context.update(page)
        lineage = model_lineage(model=self.object, page=page, preview=self.preview)
        context.update(lineage=lineage, lineage_svg=draw(lineage))
        context.update(
            relatives=model_relatives(model=self.object, preview=self.preview), relatives_preview=self.preview
        )
        return context


class ClaimDetail(PublicRecordView):
    model = Claim
    shareable = True
    template_name = "site/claim_detail.html"

    def get_queryset(self):
        return claim_detail_queryset(preview=self.preview)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = claim_page(claim=self.object, preview=self.preview)
        if self.object.is_reviewable:
            context["jsonld"] = claim_review(self.object, request=self.request)
        return context


class EvidenceDetail(PublicRecordView):
    model = EvidenceArtifact
    template_name = "site/evidence_detail.html"

    def base_queryset(self):
        return evidence_queryset(preview=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(evidence_page(evidence=self.object, preview=self.preview))
        return context


def evidence_archive(request, slug: str):
    """Our archived copy of an evidence record, as a download.

    Always an attachment with a neutral content type: an archived HTML page or SVG must never be
    rendered as part of this site (it could carry script).
    """
    queryset = evidence_queryset(preview=can_preview(request, EvidenceArtifact))
    evidence = get_object_or_404(queryset, slug=slug)
    if not evidence.archived_file:
        raise Http404("No archived copy of this evidence.")
    response = FileResponse(
        evidence.archived_file.open("rb"),
        as_attachment=True,
        filename=evidence.archived_file.name.rsplit("/", 1)[-1],
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Captured material is somebody else's content: it never runs on our origin. An image is shown as an
# image; everything else is a download; every answer forbids sniffing and sandboxes the document.
_INLINE_ARTEFACTS = {CaptureArtefact.Kind.SCREENSHOT: "image/png"}
_DOWNLOAD_TYPES = {
    CaptureArtefact.Kind.PDF: "application/pdf",
    CaptureArtefact.Kind.TEXT: "text/plain; charset=utf-8",
    CaptureArtefact.Kind.WARC: "application/warc",
    CaptureArtefact.Kind.ORIGINAL: "application/octet-stream",
}
ARTEFACT_POLICY = "sandbox; default-src 'none'"


def capture_artefact(request, slug: str, capture_id: int, kind: str):
    """One artefact of a capture: the screenshot inline (as an image), the others as attachments."""
    if kind not in CaptureArtefact.Kind.values:
        raise Http404("No such artefact.")
    artefact = artefact_for_reader(
        capture_id=capture_id, kind=kind, preview=can_preview(request, EvidenceArtifact)
    )
    if artefact is None or artefact.capture.evidence.slug != slug:
        raise Http404("No such capture.")
    inline = kind in _INLINE_ARTEFACTS
    response = FileResponse(
        artefact.file.open("rb"),
        as_attachment=not inline,
        filename=f"{slug}-capture-{capture_id}-{artefact.file.name.rsplit('/', 1)[-1]}",
        content_type=_INLINE_ARTEFACTS.get(kind) or _DOWNLOAD_TYPES[kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ARTEFACT_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
