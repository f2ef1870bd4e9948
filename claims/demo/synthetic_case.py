"""The synthetic demonstration: "Synthetic example: detecting an upcycled model".

Everything in this case is made up and says so: a fictional lab, fictional models whose weights the
engine's own generator writes into the model store, and reports that the real worker computes from
those weights. It shows what a recomputed fingerprint report looks like when the answer is known by
construction. It never touches the founding (real) dispute.

``load_synthetic_case()`` writes the case idempotently (the loader's rules), the checkpoints if they
are not in the store yet, and requests one report per analysis record (an identical request returns
the existing report, so running it again computes nothing new).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from claims.demo.loader import LoadStats, load_case
from claims.models import AIModel, EvidenceArtifact, FingerprintReport
from claims.services import checkpoint_register, report_request
from provenance.fingerprint.synthetic import build_lineage_set

REASON = "load_demo: the synthetic example"
STORE_FOLDER = "synthetic-demo"
DAY = "day"  # no dates: nothing in this case happened on a real day
FICTION = "**Synthetic example.** "

PARTIES = [
    {
        "slug": "synthetic-lab",
        "name": "Synthetic Lab (fictional)",
        "kind": "lab",
        "identity_verified": False,
        "note": FICTION + "A fictional developer invented for Provenance's demonstration. It does not exist.",
    },
    {
        "slug": "synthetic-watchdog",
        "name": "Synthetic Watchdog (fictional)",
        "kind": "pseudonymous",
        "identity_verified": False,
        "note": FICTION + "A fictional accuser invented for Provenance's demonstration.",
    },
]

# Which generated checkpoint each fictional model is, and what the generator did to make it.
MODELS = {
    "synthetic-base": ("base", "Synthetic Base", "dense", None, None),
    "synthetic-finetune": ("finetune", "Synthetic Chat", "dense", "synthetic-base", "fine_tune"),
    "synthetic-moe": ("moe", "Synthetic MoE", "mixture of experts", None, None),
    "synthetic-independent": ("independent_same_recipe", "Synthetic Independent", "dense", None, None),
}
_ORIGIN = {
    "base": "a 12-layer Qwen2-style model generated from random seed 1.",
    "finetune": "the base with a small perturbation, as a light fine-tune leaves it; its developer declares it.",
    "moe": "its experts are copies of the base's MLP plus noise and its attention is the base's plus noise: "
    "upcycled, although its developer says it was trained from scratch.",
    "independent_same_recipe": "generated from another seed with the same initialisation recipe as the base: "
    "unrelated, but its per-layer σ curves look alike (the trap of the founding dispute).",
}
AI_MODELS = [
    {
        "slug": slug,
        "name": name,
        "developer": "synthetic-lab",
        "family": "Synthetic",
        "architecture": architecture,
        "layer_count": 12,
        "release_date": None,
        "release_date_precision": DAY,
        "release_date_source": None,
        "description": FICTION + "Its weights were written by Provenance's generator: " + _ORIGIN[checkpoint],
        "declared_base": base,
        "declared_relation": relation or "",
        # The repository the demo's local hub serves it as (``manage.py serve_demo_hub``): the lineage
        # search finds it by this ID (``manage.py relatives Demo/finetune``).
        "hub_id": f"Demo/{checkpoint}",
    }
    for slug, (checkpoint, name, architecture, base, relation) in MODELS.items()
]

ANALYSES = {
    # analysis evidence slug: (model A, model B, title)
    "synthetic-analysis-moe": ("synthetic-base", "synthetic-moe", "Synthetic Base vs Synthetic MoE"),
    "synthetic-analysis-finetune": (
        "synthetic-base",
        "synthetic-finetune",
        "Synthetic Base vs Synthetic Chat",
    ),
    "synthetic-analysis-independent": (
        "synthetic-base",
        "synthetic-independent",
        "Synthetic Base vs Synthetic Independent",
    ),
}
EVIDENCE = [
    {
        "slug": slug,
        "title": f"Fingerprint analysis: {title} (synthetic)",
        "kind": "analysis",
        "author": None,
        "url": "",
        "published_on": None,
        "date_precision": DAY,
        "description": FICTION + "Recomputed on this server by the worker from the generated weights. "
        "The report states each score beside the scores of unrelated models.",
    }
    for slug, (_a, _b, title) in ANALYSES.items()
]

DISPUTE = {
    "slug": "synthetic-example-upcycled-model",
    "title": "Synthetic example: detecting an upcycled model",
    "started_on": None,
    "started_on_precision": DAY,
    "summary": FICTION
    + (
        "A fictional watchdog claims that the fictional Synthetic MoE was upcycled from Synthetic Base; its "
        "fictional developer denies it. Unlike a real dispute, the answer is known by construction: the "
        "generator copied the base's MLP into the MoE's experts. The reports below were recomputed from the "
        "weights by Provenance's worker; they show what the evidence looks like for an upcycled model, a "
        "declared fine-tune, and an unrelated model built with the same recipe."
    ),
    "models_at_stake": ["synthetic-base", "synthetic-moe"],
}
DISPUTE_ROLES = [
    ("synthetic-watchdog", "accuser", ""),
    ("synthetic-lab", "accused", "Fictional developer of both models."),
]
CLAIMS = [
    {
        "slug": "synthetic-moe-upcycled",
        "title": "Synthetic MoE was upcycled from Synthetic Base (synthetic example)",
        "claimant": "synthetic-watchdog",
        "kind": "derived_from",
        "made_on": None,
        "date_precision": DAY,
        "venue": "Synthetic example",
        "source": None,
        "subject_model": "synthetic-moe",
        "alleged_source_model": "synthetic-base",
        "responds_to": None,
        "statement": FICTION + "Synthetic MoE's experts were initialised from Synthetic Base's dense MLP.",
        "assessment": "supported",
        "assessment_rationale": FICTION
        + "True by construction; the recomputed report on the two checkpoints is "
        "the evidence a reader can check.",
    },
    {
        "slug": "synthetic-lab-denial",
        "title": "Synthetic Lab: Synthetic MoE was trained from scratch (synthetic example)",
        "claimant": "synthetic-lab",
        "kind": "denial",
        "made_on": None,
        "date_precision": DAY,
        "venue": "Synthetic example",
        "source": None,
        "subject_model": "synthetic-moe",
        "alleged_source_model": None,
        "responds_to": "synthetic-moe-upcycled",
        "statement": FICTION + "The fictional developer says the MoE was trained from scratch.",
        "assessment": "refuted",
        "assessment_rationale": FICTION + "False by construction; see the recomputed report.",
    },
]
EVIDENCE_LINKS = [
    ("synthetic-moe-upcycled", "synthetic-analysis-moe", "supports",
     "The recomputed comparison of the two checkpoints."),
    ("synthetic-moe-upcycled", "synthetic-analysis-independent", "context",
     "What an unrelated model of the same recipe scores: the null the MoE is measured against."),
    ("synthetic-moe-upcycled", "synthetic-analysis-finetune", "context",
     "What a declared fine-tune of the base scores."),
    ("synthetic-lab-denial", "synthetic-analysis-moe", "refutes", "The recomputed comparison."),
]  # fmt: skip
RIGHTS_OF_REPLY: list[dict] = []


@dataclass
class SyntheticCaseStats:
    records: LoadStats
    checkpoints_written: bool
    reports: list[FingerprintReport]


def load_synthetic_case(*, store: Path | None = None) -> SyntheticCaseStats:
    """Write the synthetic case, its checkpoints (into the first MODEL_STORE folder) and report requests."""
    records = load_case(sys.modules[__name__], reason=REASON)
    folder = (store or settings.MODEL_STORE[0]) / STORE_FOLDER
    written = not (folder / "lineage.json").exists()
    if written:
        build_lineage_set(folder, size="tiny", seed=0)
    with transaction.atomic():
        checkpoints = {
            slug: checkpoint_register(
                model=AIModel.objects.get(slug=slug),
                revision="synthetic-v1",
                location=str(folder / checkpoint),
                user=None,
                reason=REASON,
            )[0]
            for slug, (checkpoint, *_rest) in MODELS.items()
        }
        reports = [
            report_request(
                checkpoint_a=checkpoints[a],
                checkpoint_b=checkpoints[b],
                methods=None,
                parameters=None,
                user=None,
                evidence=EvidenceArtifact.objects.get(slug=slug),
            )[0]
            for slug, (a, b, _title) in ANALYSES.items()
        ]
    return SyntheticCaseStats(records=records, checkpoints_written=written, reports=reports)
