"""A random knowledge base for the leak fuzzer: every model, random statuses, random relations.

``build_world(draw)`` takes hypothesis' ``data.draw`` and writes rows straight to the database (not
through the services: an import or an old row can hold any combination, and readers must still be
safe). Each row that is *not public* under ``claims.models.visibility`` gets a unique marker
``DRAFT-<token>`` in its name or title, its slug (``draft-<token>``) and its texts, before it is
saved, so every text later built from it (a checkpoint's name, an analysis title, a chart) carries
it too; a public row gets none. A reader must never see a marker.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from django.db import models
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from claims.models import (
    AIModel,
    Checkpoint,
    Claim,
    Dispute,
    DisputeParty,
    EvidenceArtifact,
    EvidenceLink,
    FingerprintReport,
    ModelFingerprint,
    Party,
    RightOfReply,
)
from claims.models.visibility import is_public
from claims.services import relatives_entry_write

STATUSES = st.sampled_from(["draft", "published", "retracted"])

# Per model: the field that names a row, and the Markdown/text fields that may quote it.
NAMES = {Party: "name", AIModel: "name", Dispute: "title", Claim: "title", EvidenceArtifact: "title"}
TEXTS = {
    Party: ["note", "aliases"],
    AIModel: ["description"],
    Dispute: ["summary"],
    Claim: ["statement", "assessment_rationale", "venue"],
    EvidenceArtifact: ["description"],
    Checkpoint: ["note"],
    DisputeParty: ["note"],
    EvidenceLink: ["note"],
    RightOfReply: ["answer"],
    FingerprintReport: ["summary"],
}


@dataclass
class World:
    rows: list[models.Model] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)  # lower-case "draft-<token>" of each hidden row

    def public(self, model: type[models.Model]) -> list[models.Model]:
        return [r for r in self.rows if type(r) is model and is_public(r)]


class _Builder:
    def __init__(self, draw, *, all_published: bool = False):
        self.draw = draw
        self.world = World()
        self.n = 0
        self.all_published = all_published

    def status_fields(self) -> dict:
        status = "published" if self.all_published else self.draw(STATUSES)
        now = timezone.now()
        fields = {"status": status}
        if status != "draft":
            fields["published_at"] = now
        if status == "retracted":
            fields.update(retracted_at=now, retraction_note="Corrected.")
        return fields

    def pick(self, rows: list, *, optional: bool = False):
        choices = ([None] if optional else []) + rows
        return self.draw(st.sampled_from(choices)) if choices else None

    def slug(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.n}"

    def add(self, row: models.Model, *, mark: bool = True) -> models.Model:
        """Save ``row``; first, if readers may not see it, write its marker into it, so that every
        text built from it later (a checkpoint's name, an analysis title) carries the marker too."""
        if mark and not is_public(row):
            _mark(row, self.world)
        row.save()
        self.world.rows.append(row)
        return row


def build_world(draw, *, all_published: bool = False) -> World:
    """A random world; ``all_published`` makes every record published and gives it two reports (one
    succeeded, one failed), so that every route answers 200 in it whatever the random draws."""
    b = _Builder(draw, all_published=all_published)
    parties: list[Party] = []
    for _ in range(draw(st.integers(2, 4))):
        parties.append(
            b.add(
                Party(
                    name="party",
                    slug=b.slug("party"),
                    kind="organisation",
                    parent=b.pick(parties, optional=True),
                    **b.status_fields(),
                )
            )
        )
    ai_models: list[AIModel] = []
    for _ in range(draw(st.integers(2, 3))):
        base = b.pick(ai_models, optional=True)
        ai_models.append(
            b.add(
                AIModel(
                    name=f"model {b.n}",
                    slug=b.slug("model"),
                    hub_id=f"Org/model-{b.n}",  # the relatives route by hub ID is asked for every model's
                    developer=b.pick(parties),
                    declared_base=base,
                    declared_relation="fine_tune" if base else "",
                    **b.status_fields(),
                )
            )
        )
    checkpoints = [b.add(Checkpoint(model=m, revision=f"rev-{b.n}-{i}")) for i, m in enumerate(ai_models)]
    for checkpoint in checkpoints:  # every one fingerprinted and indexed: each other's closest relatives
        _indexed(checkpoint)
    reports = []
    first_succeeded = draw(st.booleans())
    for i in range(2 if all_published else draw(st.integers(0, 2))):
        a, c = draw(st.permutations(checkpoints))[:2]
        # A succeeded report also has its embed and cite block; a world with two has one of each.
        succeeded = first_succeeded if i == 0 else not first_succeeded
        report = FingerprintReport(
            checkpoint_a=a,
            checkpoint_b=c,
            methods=["attn_std"],
            status="succeeded" if succeeded else "failed",
            finished_at=timezone.now(),
            result={"verdict": "no_evidence", "summary": f"{a} vs {c}: nothing unusual."}
            if succeeded
            else None,
            error_message="" if succeeded else f"Could not read {a} or {c}.",
            request_key=uuid.uuid4().hex * 2,
        )
        report.charts = {"overview": f"<svg xmlns='http://www.w3.org/2000/svg'><text>{a} {c}</text></svg>"}
        report = b.add(report, mark=False)  # its visibility needs its evidence (below)
        report.charts_labels = list(report.labels)  # drawn with the inputs' names as they are now
        report.save(update_fields=["charts_labels"])
        reports.append(report)
    evidence: list[EvidenceArtifact] = []
    for _ in range(draw(st.integers(1, 3))):
        evidence.append(
            b.add(
                EvidenceArtifact(
                    title="evidence",
                    slug=b.slug("evidence"),
                    kind="paper",
                    author=b.pick(parties, optional=True),
                    published_on=date(2025, 7, draw(st.integers(1, 28))),
                    **b.status_fields(),
                )
            )
        )
    for report in reports:
        evidence.append(
            b.add(
                EvidenceArtifact(
                    title=f"Fingerprint analysis: {report.checkpoint_a} vs {report.checkpoint_b}",
                    slug=b.slug("analysis"),
                    kind="analysis",
                    report=report,
                    **b.status_fields(),
                )
            )
        )
    disputes: list[Dispute] = []
    for _ in range(draw(st.integers(1, 2))):
        dispute = b.add(Dispute(title="dispute", slug=b.slug("dispute"), **b.status_fields()))
        dispute.models_at_stake.set(draw(st.lists(st.sampled_from(ai_models), max_size=2, unique=True)))
        disputes.append(dispute)
        for party in draw(st.lists(st.sampled_from(parties), min_size=1, max_size=3, unique=True)):
            b.add(
                DisputeParty(dispute=dispute, party=party, role=draw(st.sampled_from(["accuser", "accused"])))
            )
    claims: list[Claim] = []
    for _ in range(draw(st.integers(1, 4))):
        subject, alleged = draw(st.permutations([None, *ai_models]))[:2]
        claims.append(
            b.add(
                Claim(
                    dispute=b.pick(disputes),
                    claimant=b.pick(parties),
                    kind="other",
                    title="claim",
                    slug=b.slug("claim"),
                    statement="said",
                    made_on=date(2025, 7, draw(st.integers(1, 28))),
                    responds_to=b.pick(claims, optional=True),
                    subject_model=subject,
                    alleged_source_model=alleged,
                    source=b.pick(evidence, optional=True),
                    **b.status_fields(),
                )
            )
        )
    linked = draw(
        st.lists(st.tuples(st.sampled_from(claims), st.sampled_from(evidence)), max_size=4, unique=True)
    )
    for claim, artifact in linked:
        b.add(EvidenceLink(claim=claim, evidence=artifact, stance="supports"))
    for _ in range(draw(st.integers(0, 2))):
        b.add(
            RightOfReply(
                claim=b.pick(claims),
                party=b.pick(parties),
                asked_by=b.pick(parties, optional=True),
                asked_on=date(2025, 7, 1),
                outcome="answered",
                answer="answer",
            )
        )
    for report in reports:  # now that its evidence exists
        report = FingerprintReport.objects.select_related(
            "evidence", "checkpoint_a__model", "checkpoint_b__model"
        ).get(pk=report.pk)
        if not is_public(report):
            _mark(report, b.world)
            report.save()
    return b.world


@cache
def _relatives_entry():
    """One lineage-search entry (of a tiny synthetic model), computed once per process: checkpoints
    with the same entry share every tensor, so each is a strong candidate of every other."""
    from provenance.fingerprint.relatives.index import entry_of
    from provenance.fingerprint.stats import fingerprint_checkpoint
    from provenance.fingerprint.synthetic.models import SIZES, BaseModel
    from provenance.fingerprint.synthetic.writer import write_model

    with tempfile.TemporaryDirectory() as folder:
        path = write_model(BaseModel(SIZES["tiny"], seed=1, recipe="a"), Path(folder) / "model")
        return entry_of("", fingerprint_checkpoint(path))


def _indexed(checkpoint: Checkpoint) -> None:
    row = ModelFingerprint.objects.create(
        checkpoint=checkpoint, content_hash=uuid.uuid4().hex * 2, engine_version="test"
    )
    relatives_entry_write(row=row, entry=_relatives_entry())


def _mark(row: models.Model, world: World) -> None:
    """Write a unique marker into ``row``'s name, slug and texts (not saved)."""
    token = uuid.uuid4().hex[:12]
    marker = f"DRAFT-{token}"
    world.markers.append(marker.lower())
    model = type(row)
    for name in TEXTS.get(model, []):
        setattr(row, name, f"{marker} text")
    if model in NAMES:
        setattr(row, NAMES[model], f"{marker} name")
        row.slug = marker.lower()
    if model is Checkpoint:
        row.revision = marker


def fuzz_settings(worlds: int):
    """The fuzzers' hypothesis settings: ``worlds`` examples, no deadline, no shrinking (a failure
    names the URL and the marker; shrinking a world would only cost minutes)."""
    return hypothesis_settings(
        max_examples=worlds,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def unthrottled(settings) -> None:
    """Thousands of anonymous requests: rates no world reaches (the throttle has its own tests)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000000/minute", "editor": "1000000/minute"},
    }
