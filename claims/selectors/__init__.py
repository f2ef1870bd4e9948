"""Reads that span rows: what readers see, each in a fixed number of queries. One module per subject:

* ``timeline``: a dispute's story (claims, rebuttals, evidence, rights of reply), one entry
  vocabulary for the site and the API; ``timeline_pages``: that timeline a page at a time, in SQL;
* ``disputes``: the dispute list and its filters, the dispute page, the home page's selections;
* ``claims``: the claim page, the right-of-reply sentence, the API's claim and link collections;
* ``records``: party, AI model, evidence and report pages, and their lists (site and API);
* ``changes``: the public change log of assessments;
* ``sources``: an evidence record's captures, and the sources needing an editor's attention;
* ``browse``: the index pages (filters, sorting, pages);
* ``lineage``: the lineage map's graph on model and dispute pages.

Every selector takes ``preview``: False for readers, True for an editor previewing drafts. Readers
get public rows only, through ``claims.models.visibility`` (the one rule), at every level: a
public dispute never lists a draft claim. Each returns plain objects or evaluated lists, so a
template cannot trigger a query per row.
"""

from claims.selectors.changes import AssessmentChange, claim_assessment_log, claims_assessment_log
from claims.selectors.claims import (
    ClaimPage,
    claim_collection,
    claim_detail_queryset,
    claim_page,
    claims_reviewed,
    evidence_link_queryset,
    reply_sentence,
)
from claims.selectors.disputes import (
    DisputePage,
    dispute_collection,
    dispute_filter_options,
    dispute_list,
    dispute_page,
    dispute_rows,
    disputes_recent,
)
from claims.selectors.lineage import dispute_lineage, lineage_graph, model_lineage
from claims.selectors.records import (
    aimodel_collection,
    aimodel_page,
    aimodel_queryset,
    checkpoint_queryset,
    evidence_collection,
    evidence_page,
    evidence_queryset,
    party_page,
    party_queryset,
    report_queryset,
)
from claims.selectors.sources import (
    SourceAttention,
    artefact_for_reader,
    captures_queryset,
    evidence_captures,
    sources_needing_attention,
)
from claims.selectors.timeline import ENTRY_TYPES, TimelineEntry, dispute_story
from claims.selectors.timeline_pages import dispute_timeline, timeline_page

__all__ = [
    "ENTRY_TYPES",
    "AssessmentChange",
    "ClaimPage",
    "DisputePage",
    "SourceAttention",
    "TimelineEntry",
    "aimodel_collection",
    "aimodel_page",
    "aimodel_queryset",
    "artefact_for_reader",
    "captures_queryset",
    "checkpoint_queryset",
    "claim_assessment_log",
    "claim_collection",
    "claim_detail_queryset",
    "claim_page",
    "claims_assessment_log",
    "claims_reviewed",
    "dispute_collection",
    "dispute_filter_options",
    "dispute_lineage",
    "dispute_list",
    "dispute_page",
    "dispute_rows",
    "dispute_story",
    "dispute_timeline",
    "timeline_page",
    "disputes_recent",
    "evidence_captures",
    "evidence_collection",
    "evidence_link_queryset",
    "evidence_page",
    "evidence_queryset",
    "lineage_graph",
    "model_lineage",
    "party_page",
    "party_queryset",
    "reply_sentence",
    "report_queryset",
    "sources_needing_attention",
]
