"""Query filters (django-filter) per collection, for the API's lists and the site's index pages
alike. Relations are filtered by slug; dates by ranges (``*_after`` / ``*_before``, inclusive);
``updated_since`` (ISO 8601) gives what changed since a client's last sync.

One rule for every relation filter (``?dispute=``, ``?parent=``, ``?claimant=``, ...): it matches
through related records this reader may see - public ones (``claims.models.visibility``), or any
for a reader who sees that model's drafts (an editor previewing, or an API user with its ``view``
permission). So a draft's slug answers exactly as an unknown slug does: it never confirms that the
draft exists or what it is related to. The API's viewsets (``filterset_class``) and the site's index
pages (``claims.selectors.browse``) apply these same FilterSets to the selectors' rows.
"""

from __future__ import annotations

import django_filters as df
from django.db import models
from django.db.models import Q

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
from claims.models.verdicts import VERDICT_CHOICES
from claims.models.visibility import can_view_drafts, public_q


def related_model(model: type[models.Model], path: str) -> type[models.Model]:
    """The model a relation path (``"checkpoint_a__model"``) of ``model`` ends at."""
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model


class _Readers(df.FilterSet):
    """``preview``: whether the reader sees drafts (the site's index pages say); None (the API): from
    the request's user and each related model's ``view`` permission."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, preview: bool | None = None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.preview = preview

    def sees_drafts(self, model: type[models.Model]) -> bool:
        if self.preview is not None:
            return self.preview
        return can_view_drafts(getattr(self.request, "user", None), model)

    def related(self, queryset, value: str, *paths: str, extra: Q | None = None):
        """The rows of ``queryset`` related through any of ``paths`` to the record with slug ``value``
        that this reader may see (module docstring), each row once however many rows join.
        ``extra``: a further condition on the same joined rows (a dispute role's ``role``)."""
        matches = Q()
        for path in paths:
            target = related_model(queryset.model, path)
            condition = Q(**{f"{path}__slug": value}) & (extra or Q())
            if not self.sees_drafts(target):
                condition &= public_q(target, f"{path}__")
            matches |= condition
        return queryset.filter(pk__in=queryset.model._default_manager.filter(matches).values("pk"))


class _Base(_Readers):
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


class RelatedFilter(df.CharFilter):
    """A related record's slug through ``paths`` (any of them), under the module's one rule."""

    def __init__(self, *paths: str, help_text: str):
        super().__init__(field_name=paths[0], help_text=help_text)
        self.paths = paths

    def filter(self, qs, value):
        if value in df.constants.EMPTY_VALUES:
            return qs
        return self.parent.related(qs, value, *self.paths, extra=self.condition())

    def condition(self) -> Q | None:
        """A further condition on the related rows (overridden)."""
        return None


class _RoleParty(RelatedFilter):
    """A party with a role in the dispute; with ``?role=``, a role of that kind."""

    def condition(self) -> Q | None:
        role = self.parent.form.cleaned_data.get("role")
        return Q(roles__role=role) if role else None


class PartyFilter(_Public):
    kind = df.ChoiceFilter(choices=Party.Kind.choices, help_text="Kind of party.")
    parent = RelatedFilter("parent", help_text="Slug of the parent organisation.")
    country = df.CharFilter(lookup_expr="iexact", help_text="Country (case-insensitive).")
    identity_verified = df.BooleanFilter(help_text="Whether the newsroom knows who is behind the name.")
    dispute = RelatedFilter("disputes", help_text="Slug of a dispute the party has a role in.")

    class Meta:
        model = Party
        fields = ["status", "kind", "parent", "country", "identity_verified", "dispute", "updated_since"]


class AIModelFilter(_Public):
    developer = RelatedFilter("developer", help_text="Slug of the developer (party).")
    party = RelatedFilter("developer", help_text="Slug of the developer (party); same as `developer`.")
    family = df.CharFilter(lookup_expr="iexact", help_text="Model family, e.g. Qwen2.5.")
    declared_base = RelatedFilter("declared_base", help_text="Slug of the declared base model.")
    released_after = df.DateFilter(
        field_name="release_date", lookup_expr="gte", help_text="Released on or after."
    )
    released_before = df.DateFilter(
        field_name="release_date", lookup_expr="lte", help_text="Released on or before."
    )
    dispute = RelatedFilter("disputes", help_text="Slug of a dispute the model is at stake in.")

    class Meta:
        model = AIModel
        fields = ["status", "developer", "party", "family", "declared_base", "dispute", "updated_since"]


class CheckpointFilter(_Base):
    model = RelatedFilter("model", help_text="Slug of the AI model.")
    format = df.ChoiceFilter(choices=Checkpoint.Format.choices, help_text="File format.")
    content_hash = df.CharFilter(help_text="SHA-256 content hash of the weights.")

    class Meta:
        model = Checkpoint
        fields = ["model", "format", "content_hash", "updated_since"]


class DisputeFilter(_Public):
    party = _RoleParty("roles__party", help_text="Slug of a party with any role in the dispute.")
    role = df.ChoiceFilter(
        choices=DisputeParty.Role.choices,
        method="filter_role",
        help_text="With `party`: only disputes where that party has this role.",
    )
    model = RelatedFilter("models_at_stake", help_text="Slug of an AI model at stake.")
    started_after = df.DateFilter(
        field_name="started_on", lookup_expr="gte", help_text="Started on or after."
    )
    started_before = df.DateFilter(
        field_name="started_on", lookup_expr="lte", help_text="Started on or before."
    )
    open = df.BooleanFilter(method="filter_open", help_text="true: still open; false: ended.")

    class Meta:
        model = Dispute
        fields = ["status", "party", "model", "started_after", "started_before", "open", "updated_since"]

    def filter_role(self, queryset, name, value):
        return queryset  # applied by filter_party

    def filter_open(self, queryset, name, value: bool):
        return queryset.filter(Dispute.open_q()) if value else queryset.exclude(Dispute.open_q())


class ClaimFilter(_Public):
    dispute = RelatedFilter("dispute", help_text="Slug of the dispute.")
    claimant = RelatedFilter("claimant", help_text="Slug of the party that made the claim.")
    party = RelatedFilter("claimant", help_text="Slug of the party that made the claim; same as `claimant`.")
    model = RelatedFilter(
        "subject_model",
        "alleged_source_model",
        help_text="Slug of an AI model, as subject or alleged source.",
    )
    kind = df.ChoiceFilter(choices=Claim.Kind.choices, help_text="Kind of claim.")
    assessment = df.ChoiceFilter(choices=Claim.Assessment.choices, help_text="The newsroom's assessment.")
    responds_to = RelatedFilter("responds_to", help_text="Slug of the claim answered (its rebuttals).")
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


class EvidenceFilter(_Public):
    kind = df.ChoiceFilter(choices=EvidenceArtifact.Kind.choices, help_text="Kind of artifact.")
    author = RelatedFilter("author", help_text="Slug of the party that published it.")
    party = RelatedFilter("author", help_text="Slug of the party that published it; same as `author`.")
    claim = RelatedFilter("links__claim", help_text="Slug of a claim it is linked to.")
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


class EvidenceLinkFilter(_Readers):
    claim = RelatedFilter("claim", help_text="Slug of the claim.")
    evidence = RelatedFilter("evidence", help_text="Slug of the evidence artifact.")
    stance = df.ChoiceFilter(choices=EvidenceLink.Stance.choices, help_text="supports, refutes or context.")
    dispute = RelatedFilter("claim__dispute", help_text="Slug of the claim's dispute.")

    class Meta:
        model = EvidenceLink
        fields = ["claim", "evidence", "stance", "dispute"]


class ReportFilter(_Base):
    status = df.ChoiceFilter(choices=FingerprintReport.Status.choices, help_text="Computation status.")
    model = RelatedFilter(
        "checkpoint_a__model", "checkpoint_b__model", help_text="Slug of an AI model compared on either side."
    )
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

    def filter_checkpoint(self, queryset, name, value):
        return queryset.filter(Q(checkpoint_a_id=value) | Q(checkpoint_b_id=value))
