"""Query filters (django-filter) per collection. Relations are filtered by slug; dates by ranges
(``*_after`` / ``*_before``, inclusive); ``updated_since`` (ISO 8601) gives what changed since a
client's last sync."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q
from rest_framework.filters import SearchFilter

from claims import search
from claims.models import (
    AIModel,
    Checkpoint,
    Claim,
    Dispute,
    DisputeParty,
    EvidenceArtifact,
    EvidenceLink,
    FingerprintReport,
    Party,
)
from claims.models.base import PublicRecord
from claims.verdicts import VERDICT_CHOICES

MAX_ID = 2**63 - 1  # the largest id a BIGINT column holds; larger numbers are a 400, not a 500


class RecordSearchFilter(SearchFilter):
    """``?search=`` on the searchable records goes through the site's search (``claims.search``):
    the same fields, syntax and matches as /search/, within the rows the viewset lets this reader
    see, in the list's own order. Other collections keep DRF's ``search_fields``."""

    search_description = (
        'Full-text search: every word must match; "a phrase" in quotes; OR between alternatives; '
        "-word leaves a word out. English stemming (model matches models)."
    )

    def filter_queryset(self, request, queryset, view):
        if queryset.model not in search.FIELDS:
            return super().filter_queryset(request, queryset, view)
        text = request.query_params.get(self.search_param, "")
        if not text.strip():
            return queryset
        return search.matching(queryset, text)


class _Base(df.FilterSet):
    updated_since = df.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Only records changed at or after this time (ISO 8601).",
    )


class _Public(_Base):
    status = df.ChoiceFilter(
        choices=PublicRecord.Status.choices,
        help_text="published or retracted (drafts are visible to editors only).",
    )


def _slug(field_name: str, help_text: str) -> df.CharFilter:
    return df.CharFilter(field_name=field_name, help_text=help_text)


class _ManySlugFilter(df.CharFilter):
    """A to-many relation's slug, as a subquery: a record matches once, however many rows join."""

    def filter(self, qs, value):
        if value in df.constants.EMPTY_VALUES:
            return qs
        model = qs.model
        return qs.filter(pk__in=model._default_manager.filter(**{self.field_name: value}).values("pk"))


class PartyFilter(_Public):
    kind = df.ChoiceFilter(choices=Party.Kind.choices, help_text="Kind of party.")
    parent = _slug("parent__slug", "Slug of the parent organisation.")
    country = df.CharFilter(lookup_expr="iexact", help_text="Country (case-insensitive).")
    identity_verified = df.BooleanFilter(help_text="Whether the newsroom knows who is behind the name.")
    dispute = _ManySlugFilter(
        field_name="disputes__slug", help_text="Slug of a dispute the party has a role in."
    )

    class Meta:
        model = Party
        fields = ["status", "kind", "parent", "country", "identity_verified", "dispute", "updated_since"]


class AIModelFilter(_Public):
    developer = _slug("developer__slug", "Slug of the developer (party).")
    party = _slug("developer__slug", "Slug of the developer (party); same as `developer`.")
    family = df.CharFilter(lookup_expr="iexact", help_text="Model family, e.g. Qwen2.5.")
    declared_base = _slug("declared_base__slug", "Slug of the declared base model.")
    released_after = df.DateFilter(
        field_name="release_date", lookup_expr="gte", help_text="Released on or after."
    )
    released_before = df.DateFilter(
        field_name="release_date", lookup_expr="lte", help_text="Released on or before."
    )
    dispute = _ManySlugFilter(
        field_name="disputes__slug", help_text="Slug of a dispute the model is at stake in."
    )

    class Meta:
        model = AIModel
        fields = ["status", "developer", "party", "family", "declared_base", "dispute", "updated_since"]


class CheckpointFilter(_Base):
    model = _slug("model__slug", "Slug of the AI model.")
    format = df.ChoiceFilter(choices=Checkpoint.Format.choices, help_text="File format.")
    content_hash = df.CharFilter(help_text="SHA-256 content hash of the weights.")

    class Meta:
        model = Checkpoint
        fields = ["model", "format", "content_hash", "updated_since"]


class DisputeFilter(_Public):
    party = df.CharFilter(method="filter_party", help_text="Slug of a party with any role in the dispute.")
    role = df.ChoiceFilter(
        choices=DisputeParty.Role.choices,
        method="filter_role",
        help_text="With `party`: only disputes where that party has this role.",
    )
    model = _ManySlugFilter(field_name="models_at_stake__slug", help_text="Slug of an AI model at stake.")
    started_after = df.DateFilter(
        field_name="started_on", lookup_expr="gte", help_text="Started on or after."
    )
    started_before = df.DateFilter(
        field_name="started_on", lookup_expr="lte", help_text="Started on or before."
    )
    open = df.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", help_text="true: still open; false: ended."
    )

    class Meta:
        model = Dispute
        fields = ["status", "party", "model", "started_after", "started_before", "open", "updated_since"]

    def filter_party(self, queryset, name, value):
        role = self.form.cleaned_data.get("role")
        rows = Q(roles__party__slug=value) & (Q(roles__role=role) if role else Q())
        return queryset.filter(pk__in=Dispute.objects.filter(rows).values("pk"))

    def filter_role(self, queryset, name, value):
        return queryset  # applied by filter_party


class ClaimFilter(_Public):
    dispute = _slug("dispute__slug", "Slug of the dispute.")
    claimant = _slug("claimant__slug", "Slug of the party that made the claim.")
    party = _slug("claimant__slug", "Slug of the party that made the claim; same as `claimant`.")
    model = df.CharFilter(
        method="filter_model", help_text="Slug of an AI model, as subject or alleged source."
    )
    kind = df.ChoiceFilter(choices=Claim.Kind.choices, help_text="Kind of claim.")
    assessment = df.ChoiceFilter(choices=Claim.Assessment.choices, help_text="The newsroom's assessment.")
    responds_to = _slug("responds_to__slug", "Slug of the claim answered (its rebuttals).")
    is_response = df.BooleanFilter(
        field_name="responds_to",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: rebuttals only; false: no rebuttals.",
    )
    made_after = df.DateFilter(field_name="made_on", lookup_expr="gte", help_text="Made on or after.")
    made_before = df.DateFilter(field_name="made_on", lookup_expr="lte", help_text="Made on or before.")

    class Meta:
        model = Claim
        fields = [
            "status", "dispute", "claimant", "party", "model", "kind", "assessment", "responds_to",
            "is_response", "made_after", "made_before", "updated_since",
        ]  # fmt: skip

    def filter_model(self, queryset, name, value):
        return queryset.filter(Q(subject_model__slug=value) | Q(alleged_source_model__slug=value))


class EvidenceFilter(_Public):
    kind = df.ChoiceFilter(choices=EvidenceArtifact.Kind.choices, help_text="Kind of artifact.")
    author = _slug("author__slug", "Slug of the party that published it.")
    party = _slug("author__slug", "Slug of the party that published it; same as `author`.")
    claim = df.CharFilter(method="filter_claim", help_text="Slug of a claim it is linked to.")
    published_after = df.DateFilter(
        field_name="published_on", lookup_expr="gte", help_text="Published on or after."
    )
    published_before = df.DateFilter(
        field_name="published_on", lookup_expr="lte", help_text="Published on or before."
    )

    class Meta:
        model = EvidenceArtifact
        fields = [
            "status",
            "kind",
            "author",
            "party",
            "claim",
            "published_after",
            "published_before",
            "updated_since",
        ]

    def filter_claim(self, queryset, name, value):
        return queryset.filter(pk__in=EvidenceLink.objects.filter(claim__slug=value).values("evidence_id"))


class EvidenceLinkFilter(df.FilterSet):
    claim = _slug("claim__slug", "Slug of the claim.")
    evidence = _slug("evidence__slug", "Slug of the evidence artifact.")
    stance = df.ChoiceFilter(choices=EvidenceLink.Stance.choices, help_text="supports, refutes or context.")
    dispute = _slug("claim__dispute__slug", "Slug of the claim's dispute.")

    class Meta:
        model = EvidenceLink
        fields = ["claim", "evidence", "stance", "dispute"]


class ReportFilter(_Base):
    status = df.ChoiceFilter(choices=FingerprintReport.Status.choices, help_text="Computation status.")
    model = df.CharFilter(method="filter_model", help_text="Slug of an AI model compared on either side.")
    checkpoint = df.NumberFilter(
        method="filter_checkpoint", help_text="Id of a checkpoint compared on either side."
    )
    verdict = df.ChoiceFilter(
        field_name="result__verdict", choices=VERDICT_CHOICES, help_text="The engine's verdict."
    )
    finished_after = df.DateFilter(
        field_name="finished_at__date", lookup_expr="gte", help_text="Finished on or after."
    )
    finished_before = df.DateFilter(
        field_name="finished_at__date", lookup_expr="lte", help_text="Finished on or before."
    )

    class Meta:
        model = FingerprintReport
        fields = [
            "status",
            "model",
            "checkpoint",
            "verdict",
            "finished_after",
            "finished_before",
            "updated_since",
        ]

    def filter_model(self, queryset, name, value):
        return queryset.filter(Q(checkpoint_a__model__slug=value) | Q(checkpoint_b__model__slug=value))

    def filter_checkpoint(self, queryset, name, value):
        return queryset.filter(Q(checkpoint_a_id=value) | Q(checkpoint_b_id=value))
