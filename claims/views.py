"""Public pages. For now one detail page per public record, so that every record has a stable URL
(the admin's "view on site" and the API link to it); the public site issue builds the real pages."""

from __future__ import annotations

from django.views.generic import DetailView

from claims.models import AIModel, Claim, Dispute, EvidenceArtifact, FingerprintReport, Party


class PublicDetailView(DetailView):
    """A published or retracted record by slug; drafts are a 404 to readers."""

    template_name = "claims/public_record.html"
    context_object_name = "record"

    def get_queryset(self):
        return self.model.objects.public()


class PartyDetail(PublicDetailView):
    model = Party


class AIModelDetail(PublicDetailView):
    model = AIModel


class DisputeDetail(PublicDetailView):
    model = Dispute


class ClaimDetail(PublicDetailView):
    model = Claim


class EvidenceDetail(PublicDetailView):
    model = EvidenceArtifact


class ReportDetail(PublicDetailView):
    model = FingerprintReport
