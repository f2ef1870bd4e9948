"""Placing a query among the indexed checkpoints: exact shares, calibrated scores, a verdict per candidate.

Verdicts are the engine's (``headline.VERDICT_TIERS`` turns them into the tiers a reader sees):

* ``shared_weights``: at least one informative tensor (``exact.informative``) bit-identical;
* ``lineage_supported``: the sketch's z reaches ``evidence.Z_STRONG`` (its null is exact);
* ``suggestive``: the sketch's z or the profile's z reaches ``evidence.Z_WEAK`` - the profile can never
  do more, its null depending on the init recipe as ``attn_std``'s does;
* ``cannot_tell``: nothing seen, and the pair is one the signature cannot see through - the
  vocabularies differ and the sketch found nothing, so a re-tokenised copy with moved hidden units is
  possible (a full report's weight matching aligns those), or neither part of the signature applies;
* ``no_evidence``: both parts applied and found nothing (absence of evidence is not independence).

Candidates are ranked by the strongest calibrated sd of any part (an exact share first, by bytes).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..evidence import Z_STRONG, Z_WEAK
from ..headline import TIERS, VERDICT_TIERS
from ..methods import method_title
from .batch import Scores, Stacked
from .compare import SketchScore, profile_null
from .exact import Share
from .signature import SIGNATURE_VERSION, Signature

MIN_INDEX_NULL = 10
"""Below this many unrelated pairs in the index the profile is weighed by its synthetic null alone."""


@dataclass
class ProfileScore:
    r: float | None
    z: float | None = None  # the more conservative of the two nulls
    z_synthetic: float | None = None
    z_index: float | None = None
    p_index: float | None = None  # empirical p among the index's unrelated pairs
    index_pairs: int = 0
    why_not: str = ""


@dataclass
class Candidate:
    name: str
    verdict: str
    share: Share | None
    sketch: SketchScore
    profile: ProfileScore
    reason: str = ""  # for cannot_tell: what the signature cannot see and which method would

    @property
    def tier(self) -> str:
        return VERDICT_TIERS[self.verdict]

    @property
    def title(self) -> str:
        return TIERS[self.tier]

    @property
    def sd(self) -> float:
        """The ranking key: ∞ for an exact share, else the largest calibrated z."""
        if self.share is not None and self.share.tensors:
            return math.inf
        zs = [z for z in (self.sketch.z, self.profile.z) if z is not None and math.isfinite(z)]
        return max(zs) if zs else -math.inf

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: what an API or a stored suggestion keeps (tier and title included)."""
        share = None
        if self.share is not None and self.share.tensors:
            share = {
                "tensors": self.share.tensors,
                "bytes": self.share.nbytes,
                "query_layers": _layers(self.share.query_layers),
                "other_layers": _layers(self.share.other_layers),
            }
        return {
            "name": self.name,
            "verdict": self.verdict,
            "tier": self.tier,
            "title": self.title,
            "exact_share": share,
            "sketch": asdict(self.sketch),
            "profile": asdict(self.profile),
            "reason": self.reason,
        }


def _layers(layers: set) -> list[int | str]:
    """Layer indices in order, "model" for tensors outside the layers (embeddings, head)."""
    return sorted(x for x in layers if x is not None) + (["model"] if None in layers else [])


@dataclass
class SearchResult:
    candidates: list[Candidate]
    notes: list[str] = field(default_factory=list)  # what could not be compared, and what to do

    def to_dict(self) -> dict[str, Any]:
        return {
            "signature_version": SIGNATURE_VERSION,
            "candidates": [c.to_dict() for c in self.candidates],
            "notes": list(self.notes),
        }


def _verdict(share, sketch: SketchScore, profile: ProfileScore, same_vocab: bool | None) -> tuple[str, str]:
    if share is not None and share.tensors:
        return "shared_weights", ""
    if sketch.z is not None and sketch.z >= Z_STRONG:
        return "lineage_supported", ""
    if (sketch.z or 0) >= Z_WEAK or (profile.z or 0) >= Z_WEAK:
        return "suggestive", ""
    if sketch.z is None and profile.z is None:
        return "cannot_tell", (
            f"neither part of the signature applies ({sketch.why_not or 'sketch'}; "
            f"{profile.why_not or 'profile'}): a full report is needed"
        )
    if same_vocab is False:
        return "cannot_tell", (
            "the vocabularies differ and the sampled weights match nothing: a re-tokenised copy with "
            f"permuted hidden units would look like this; a full report's {method_title('weight_matching')} "
            f"(or {method_title('embedding_anchor')} if they share token strings) would look"
        )
    return "no_evidence", ""


def rank(
    stacked: Stacked,
    scores: Scores,
    shares: dict[int, Share],
    query_sig: Signature,
    *,
    exclude: int | None = None,
    limit: int | None = None,
    only: np.ndarray | None = None,
) -> list[Candidate]:
    """The candidates (all, or the first ``limit``), ranked, from the scores of every indexed entry;
    ``only``: a mask of the entries to return (the rest still calibrate the profile)."""
    n, names, layers = stacked.size, stacked.names, stacked.layers
    alive = stacked.alive.copy()
    if exclude is not None:
        alive[exclude] = False
    shared = np.zeros(n, dtype=bool)
    shared[list(shares)] = True
    z, r = scores.z, scores.r
    in_null = alive & ~shared & ~(z >= Z_WEAK) & np.isfinite(r)
    null = np.sort(r[in_null])
    use_index = len(null) >= MIN_INDEX_NULL
    if use_index:
        med = float(np.median(null))
        spread = max(float(np.median(np.abs(null - med))) * 1.4826, float(null.std()) * 0.5, 1e-6)
    z_synth = np.full(n, np.nan)
    scored = alive & np.isfinite(r)
    for depth, roles in {
        tuple(x) for x in np.unique(np.stack([layers[scored], scores.roles[scored]], axis=1), axis=0).tolist()
    }:
        mean, sd = profile_null(query_sig.num_layers, depth, roles)
        pick = scored & (layers == depth) & (scores.roles == roles)
        z_synth[pick] = (r[pick] - mean) / sd
    z_profile = z_synth.copy()
    if use_index:
        z_index = (r - med) / spread
        z_profile = np.fmin(z_synth, z_index)
        # Leave-one-out: a candidate is not part of the null it is weighed against.
        above = len(null) - np.searchsorted(null, r, side="left")
        own = in_null.astype(int)
        p_index = (1 + above - own) / (1 + len(null) - own)
    key = np.where(
        shared, np.inf, np.fmax(np.nan_to_num(z, nan=-np.inf), np.nan_to_num(z_profile, nan=-np.inf))
    )
    nbytes = np.zeros(n)
    for i, s in shares.items():
        nbytes[i] = s.nbytes
    shown = alive if only is None else alive & only
    order = [i for i in np.lexsort((nbytes * -1, -key)) if shown[i]]
    if limit is not None:
        order = order[:limit]
    out = []
    for i in order:
        sketch = (
            SketchScore(float(z[i]), float(scores.mean_cos[i]), int(scores.parts[i]))
            if np.isfinite(z[i])
            else SketchScore(None, None, 0, scores.why.get(i, "no signature"))
        )
        if not np.isfinite(r[i]):
            profile = ProfileScore(None, why_not="no common role with 4 or more layers in both profiles")
        else:
            profile = ProfileScore(float(r[i]), z=float(z_profile[i]), z_synthetic=float(z_synth[i]))
            if use_index:
                profile.z_index = float(z_index[i])
                profile.p_index = float(p_index[i])
                profile.index_pairs = len(null) - int(own[i])
        same_vocab = None
        if query_sig.tokenizer and stacked.tokenizers[i]:
            same_vocab = query_sig.tokenizer == stacked.tokenizers[i]
        verdict, reason = _verdict(shares.get(i), sketch, profile, same_vocab)
        out.append(Candidate(names[i], verdict, shares.get(i), sketch, profile, reason))
    return out
