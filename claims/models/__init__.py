"""The knowledge base's models, one module per aggregate; import them from ``claims.models``."""

from claims.models.accounts import EditorProfile
from claims.models.ai_models import AIModel, Checkpoint
from claims.models.base import DatePrecision, PublicQuerySet, PublicRecord
from claims.models.claims import Claim, RightOfReply
from claims.models.content import ContentVersion
from claims.models.desk import DeskNotice
from claims.models.disputes import Dispute, DisputeParty
from claims.models.evidence import EvidenceArtifact, EvidenceLink
from claims.models.nulls import KeptNull
from claims.models.parties import Party
from claims.models.relatives import RelativesDigest, RelativesEntry
from claims.models.reports import FingerprintReport, FingerprintShard, ModelFingerprint
from claims.models.sources import CaptureArtefact, SourceCapture, SourceCheck, SourceSuggestion

__all__ = [
    "AIModel",
    "CaptureArtefact",
    "Checkpoint",
    "Claim",
    "ContentVersion",
    "DatePrecision",
    "DeskNotice",
    "Dispute",
    "DisputeParty",
    "EditorProfile",
    "EvidenceArtifact",
    "EvidenceLink",
    "FingerprintReport",
    "FingerprintShard",
    "KeptNull",
    "ModelFingerprint",
    "Party",
    "PublicQuerySet",
    "PublicRecord",
    "RelativesDigest",
    "RelativesEntry",
    "RightOfReply",
    "SourceCapture",
    "SourceCheck",
    "SourceSuggestion",
]
