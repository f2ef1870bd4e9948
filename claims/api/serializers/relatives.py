"""A checkpoint's closest known relatives (``claims.selectors.relatives``) as JSON."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from claims.api.serializers.fields import RETRACTION_HELP, RetractionSerializer, absolute, api_url
from claims.models.public_state import retraction_json

SCORES_HELP = (
    "The engine's calibrated screening scores (provenance.fingerprint.relatives): a z against "
    "independent trainings or an empirical p among the index's unrelated pairs, never a bare similarity."
)


class CheckpointRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The checkpoint's id.")
    name = serializers.CharField(help_text="Its model and revision, as named now.")
    url = serializers.URLField(help_text="Its API address.")
    retraction = RetractionSerializer(allow_null=True, help_text=f"Its AI model's: {RETRACTION_HELP}")


class ReportRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="The report's identifier.")
    status = serializers.CharField(help_text="queued, running, succeeded or failed.")
    url = serializers.URLField(help_text="Its API address.")
    page = serializers.URLField(help_text="Its page on the site.")


class RelativeSerializer(serializers.Serializer):
    checkpoint = CheckpointRefSerializer(help_text="The relative.")
    verdict = serializers.CharField(
        help_text="shared_weights, lineage_supported, suggestive, cannot_tell or no_evidence."
    )
    tier = serializers.CharField(help_text="The verdict's tier, as on report pages.")
    title = serializers.CharField(help_text="The tier in words.")
    exact_share = serializers.JSONField(
        allow_null=True, help_text="Bit-identical tensors: how many, bytes, and which layers; null if none."
    )
    sketch = serializers.JSONField(help_text=f"Sampled-weight sketch. {SCORES_HELP}")
    profile = serializers.JSONField(help_text=f"Permutation-proof σ and peak profile. {SCORES_HELP}")
    reason = serializers.CharField(
        help_text="For cannot_tell: what the screening cannot see, and which method would."
    )
    report = ReportRefSerializer(
        allow_null=True,
        help_text="The report comparing the two checkpoints (for readers: the published one that backs "
        "this relative); null for an editor's candidate that has none yet.",
    )


class RelativesSerializer(serializers.Serializer):
    checkpoint = CheckpointRefSerializer(help_text="The checkpoint asked about.")
    signature_version = serializers.IntegerField(help_text="The engine's signature version compared.")
    relatives = RelativeSerializer(many=True, help_text="Best first.")
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="Sentences: what could not be compared, and what to do."
    )

    def to_representation(self, found):
        from provenance.fingerprint.relatives.signature import SIGNATURE_VERSION

        request = self.context.get("request")
        return {
            "checkpoint": _checkpoint(request, found.checkpoint),
            "signature_version": SIGNATURE_VERSION,
            "relatives": [_relative(request, r) for r in found.relatives],
            "notes": list(found.notes),
        }


def _checkpoint(request, checkpoint) -> dict:
    path = reverse("api:checkpoint-detail", kwargs={"pk": checkpoint.pk})
    return {
        "id": checkpoint.pk,
        "name": str(checkpoint),
        "url": absolute(request, path),
        "retraction": retraction_json(checkpoint.model),
    }


def _relative(request, relative) -> dict:
    data = relative.candidate.to_dict()
    # How many unrelated pairs the index held counts every indexed checkpoint, drafts too: not said.
    data["profile"] = {k: v for k, v in (data.get("profile") or {}).items() if k != "index_pairs"}
    report = relative.report
    return {
        "checkpoint": _checkpoint(request, relative.checkpoint),
        **{k: data[k] for k in ("verdict", "tier", "title", "exact_share", "sketch", "profile", "reason")},
        "report": None
        if report is None
        else {
            "slug": report.slug,
            "status": report.status,
            "url": api_url(request, report),
            "page": absolute(request, report.get_absolute_url()),
        },
    }
