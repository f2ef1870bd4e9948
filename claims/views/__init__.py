"""The public, read-only website: one module per kind of page.

Views parse the request, decide who may see what (``base.PublicRecordView``), call one selector
and render. Nothing here writes.
"""

from claims.views.browse import AIModelList, ClaimList, EvidenceList, PartyList, ReportList
from claims.views.disputes import DisputeDetail, DisputeList
from claims.views.pages import about, home, robots_txt
from claims.views.records import (
    AIModelDetail,
    ClaimDetail,
    EvidenceDetail,
    PartyDetail,
    capture_artefact,
    evidence_archive,
)
from claims.views.reports import ReportDetail, report_chart, report_json, report_layers_csv
from claims.views.search import search

__all__ = [
    "AIModelDetail",
    "AIModelList",
    "ClaimList",
    "EvidenceList",
    "PartyList",
    "ReportList",
    "ClaimDetail",
    "DisputeDetail",
    "DisputeList",
    "EvidenceDetail",
    "PartyDetail",
    "ReportDetail",
    "about",
    "capture_artefact",
    "evidence_archive",
    "home",
    "report_chart",
    "report_json",
    "report_layers_csv",
    "robots_txt",
    "search",
]
