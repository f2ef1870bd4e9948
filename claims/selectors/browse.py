"""The index pages (/claims/, /parties/, /models/, /evidence/, /reports/): filters, sorting, pages.

One ``Index`` per record type says which rows a reader may list (through the visibility rule),
which filters apply, and how rows sort. Filtering is the API's: each index applies the same
django-filter ``FilterSet`` as ``/api/v1/<records>/`` (``claims.selectors.filters``), so ``?party=``
means the same thing on the page and in the API. A select filter offers only values that some
visible row has, and a value that is not on offer is ignored (so a draft's slug filters nothing);
a malformed date is ignored too. Each index renders in a fixed number of queries: the count, the
page of rows (related rows joined), one query per select filter's options.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.http import urlencode

from claims.models import AIModel, Claim, Dispute, DisputeParty, EvidenceArtifact, FingerprintReport, Party
from claims.models.public_state import named_choices
from claims.models.verdicts import VERDICT_CHOICES
from claims.models.visibility import visible
from claims.selectors import filters
from claims.selectors.claims import claim_detail_queryset
from claims.selectors.records import aimodel_queryset, evidence_queryset, party_queryset, report_queryset

PAGE_SIZE = 20

Options = Callable[[bool], list[tuple[str, str]]]


@dataclass(frozen=True)
class Filter:
    """One control of an index's filter form; ``options`` (None for a date) lists (value, label)."""

    name: str
    label: str
    options: Options | None = None

    @property
    def is_date(self) -> bool:
        return self.options is None


@dataclass
class FilterControl:
    name: str
    label: str
    is_date: bool
    choices: list[tuple[str, str]]
    value: str


@dataclass(frozen=True)
class Index:
    """What an index page lists: its rows for a reader, its filters and its sort orders."""

    model: type
    rows: Callable[[bool], QuerySet]
    filterset: type
    filters: tuple[Filter, ...]
    sorts: Mapping[str, tuple[str, tuple[str, ...]]]  # key → (label, order_by); the first is the default


@dataclass
class IndexPage:
    page: Page
    controls: list[FilterControl]
    sort: str
    sorts: list[tuple[str, str]]
    active: dict[str, str] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        return any(name != "sort" for name in self.active)

    @property
    def query(self) -> str:
        """The active filters and sort as a query string (for the pagination links)."""
        return urlencode(self.active)


def _static(choices) -> Options:
    return lambda preview: [(str(value), str(label)) for value, label in choices]


def _slugs(queryset: QuerySet) -> list[tuple[str, str]]:
    return named_choices(queryset)


def _claims(preview: bool) -> QuerySet:
    return claim_detail_queryset(preview=preview)


def _claimants(preview: bool):
    return _slugs(
        visible(Party.objects.filter(pk__in=_claims(preview).values("claimant_id")), preview=preview)
    )


def _claim_models(preview: bool):
    claims = _claims(preview)
    # One IN of a union: an OR of two INs made PostgreSQL scan every claim twice per model.
    named = (
        claims.order_by()
        .values("subject_model_id")
        .union(claims.order_by().values("alleged_source_model_id"))
    )
    models = AIModel.objects.filter(pk__in=named)
    return _slugs(visible(models, preview=preview))


def _claim_disputes(preview: bool):
    disputes = visible(Dispute.objects.filter(pk__in=_claims(preview).values("dispute_id")), preview=preview)
    return named_choices(disputes, "title")


def _party_disputes(preview: bool):
    roles = DisputeParty.objects.filter(party__in=_parties(preview)).values("dispute_id")
    disputes = visible(Dispute.objects.filter(pk__in=roles), preview=preview)
    return named_choices(disputes, "title")


def _parties(preview: bool) -> QuerySet:
    return party_queryset(preview=preview)


def _models(preview: bool) -> QuerySet:
    return aimodel_queryset(preview=preview)


def _developers(preview: bool):
    return _slugs(
        visible(Party.objects.filter(pk__in=_models(preview).values("developer_id")), preview=preview)
    )


def _families(preview: bool):
    families = _models(preview).exclude(family="").order_by("family").values_list("family", flat=True)
    return [(f, f) for f in families.distinct()]


def _model_disputes(preview: bool):
    at_stake = Dispute.models_at_stake.through.objects.filter(aimodel__in=_models(preview))
    disputes = visible(Dispute.objects.filter(pk__in=at_stake.values("dispute_id")), preview=preview)
    return named_choices(disputes, "title")


def _authors(preview: bool):
    evidence = evidence_queryset(preview=preview)
    return _slugs(visible(Party.objects.filter(pk__in=evidence.values("author_id")), preview=preview))


def _report_models(preview: bool):
    reports = report_queryset(preview=preview)
    models = AIModel.objects.filter(
        Q(checkpoints__reports_as_a__in=reports) | Q(checkpoints__reports_as_b__in=reports)
    )
    return _slugs(visible(models, preview=preview))


CLAIMS = Index(
    model=Claim,
    rows=_claims,
    filterset=filters.ClaimFilter,
    filters=(
        Filter("kind", "Kind", _static(Claim.Kind.choices)),
        Filter("assessment", "Assessment", _static(Claim.Assessment.choices)),
        Filter("party", "Claimant", _claimants),
        Filter("model", "AI model", _claim_models),
        Filter("dispute", "Dispute", _claim_disputes),
        Filter("made_after", "Made on or after"),
        Filter("made_before", "Made on or before"),
    ),
    sorts={
        "newest": ("newest first", ("-made_on", "-pk")),
        "oldest": ("oldest first", ("made_on", "pk")),
        "updated": ("recently updated", ("-updated_at", "-pk")),
        "title": ("title A–Z", ("title", "pk")),
    },
)

PARTIES = Index(
    model=Party,
    rows=_parties,
    filterset=filters.PartyFilter,
    filters=(
        Filter("kind", "Kind", _static(Party.Kind.choices)),
        Filter("dispute", "Dispute", _party_disputes),
    ),
    sorts={
        "name": ("name A–Z", ("name", "pk")),
        "newest": ("newest first", ("-published_at", "-pk")),
        "updated": ("recently updated", ("-updated_at", "-pk")),
    },
)

MODELS = Index(
    model=AIModel,
    rows=_models,
    filterset=filters.AIModelFilter,
    filters=(
        Filter("party", "Developer", _developers),
        Filter("family", "Family", _families),
        Filter("dispute", "Dispute", _model_disputes),
        Filter("released_after", "Released on or after"),
        Filter("released_before", "Released on or before"),
    ),
    sorts={
        "name": ("name A–Z", ("name", "pk")),
        "newest": ("newest release first", ("-release_date", "name", "pk")),
        "oldest": ("oldest release first", ("release_date", "name", "pk")),
        "updated": ("recently updated", ("-updated_at", "-pk")),
    },
)

EVIDENCE = Index(
    model=EvidenceArtifact,
    rows=lambda preview: evidence_queryset(preview=preview),
    filterset=filters.EvidenceFilter,
    filters=(
        Filter("kind", "Kind", _static(EvidenceArtifact.Kind.choices)),
        Filter("party", "Published by", _authors),
        Filter("published_after", "Published on or after"),
        Filter("published_before", "Published on or before"),
    ),
    sorts={
        "newest": ("newest first", ("-published_on", "-pk")),
        "oldest": ("oldest first", ("published_on", "pk")),
        "title": ("title A–Z", ("title", "pk")),
        "updated": ("recently updated", ("-updated_at", "-pk")),
    },
)

REPORTS = Index(
    model=FingerprintReport,
    rows=lambda preview: report_queryset(preview=preview),
    filterset=filters.ReportFilter,
    filters=(
        Filter("verdict", "Verdict", _static(VERDICT_CHOICES)),
        Filter("model", "AI model", _report_models),
        Filter("finished_after", "Finished on or after"),
        Filter("finished_before", "Finished on or before"),
    ),
    sorts={
        "newest": ("newest first", ("-finished_at", "-requested_at", "-pk")),
        "oldest": ("oldest first", ("finished_at", "requested_at", "pk")),
    },
)


def parameters(index: Index) -> frozenset[str]:
    """The query parameters ``index_page`` reads for ``index``: its filters, ``sort`` and ``page``."""
    return frozenset({f.name for f in index.filters} | {"sort", "page"})


def index_page(index: Index, params: Mapping[str, str], *, preview: bool = False) -> IndexPage:
    """One page of ``index`` for the query parameters ``params`` (filters, ``sort``, ``page``)."""
    choices = {f.name: f.options(preview) if f.options else [] for f in index.filters}
    offered = {}
    for f in index.filters:
        value = (params.get(f.name) or "").strip()
        if value and (f.is_date or value in dict(choices[f.name])):
            offered[f.name] = value
    filterset = index.filterset(data=offered, queryset=index.rows(preview), preview=preview)
    rows = filterset.qs  # validates: a malformed date is left out of cleaned_data, so ignored
    # Only what the filter understood stays active (a malformed date is dropped, not echoed).
    active = {name: value for name, value in offered.items() if filterset.form.cleaned_data.get(name)}
    default = next(iter(index.sorts))
    sort = params.get("sort") if params.get("sort") in index.sorts else default
    rows = rows.order_by(*(_ordering(term) for term in index.sorts[sort][1]))
    if sort != default:
        active["sort"] = sort
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    controls = [
        FilterControl(f.name, f.label, f.is_date, choices[f.name], active.get(f.name, ""))
        for f in index.filters
    ]
    return IndexPage(
        page=page,
        controls=controls,
        sort=sort,
        sorts=[(key, label) for key, (label, _order) in index.sorts.items()],
        active=active,
    )


def _ordering(term: str) -> OrderBy:
    """``"-made_on"`` → descending, rows without a date last (on PostgreSQL and SQLite alike)."""
    if term.startswith("-"):
        return F(term[1:]).desc(nulls_last=True)
    return F(term).asc(nulls_last=True)
