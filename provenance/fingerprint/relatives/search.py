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
from dataclasses import dataclass, field

import numpy as np

from ..evidence import Z_STRONG, Z_WEAK
from ..headline import TIERS, VERDICT_TIERS
from ..methods import method_title
from .compare import SketchScore, profile_null, profile_r, sketch_score
from .exact import Share

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


@dataclass
class SearchResult:
    candidates: list[Candidate]
    notes: list[str] = field(default_factory=list)  # what could not be compared, and what to do


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
    names: list[str],
    signatures: list,
    shares: dict[int, Share],
    query_sig,
    *,
    exclude: int | None = None,
) -> list[Candidate]:
    """Score the query against every indexed signature (``None`` entries: no signature)."""
    sketches: dict[int, SketchScore] = {}
    rs: dict[int, float | None] = {}
    for i, sig in enumerate(signatures):
        if i == exclude or names[i] is None:
            continue
        if sig is None or query_sig is None:
            sketches[i] = SketchScore(None, None, 0, "no signature")
            rs[i] = None
            continue
        sketches[i] = sketch_score(query_sig, sig)
        rs[i] = profile_r(query_sig, sig)
    # The index's own null for the profile: pairs no other part relates.
    in_null = {
        i
        for i, r in rs.items()
        if r is not None and i not in shares and (sketches[i].z is None or sketches[i].z < Z_WEAK)
    }
    null = np.array([rs[i] for i in sorted(in_null)])
    if len(null) >= MIN_INDEX_NULL:
        med = float(np.median(null))
        mad = float(np.median(np.abs(null - med))) * 1.4826
        spread = max(mad, float(null.std()) * 0.5, 1e-6)
    out = []
    for i, sketch in sketches.items():
        r = rs[i]
        if r is None:
            profile = ProfileScore(None, why_not="no common role with 4 or more layers in both profiles")
        else:
            sig = signatures[i]
            roles = len([x for x in query_sig.profile if x in sig.profile])
            mean, sd = profile_null(query_sig.num_layers, sig.num_layers, roles)
            profile = ProfileScore(r, z_synthetic=(r - mean) / sd)
            profile.z = profile.z_synthetic
            if len(null) >= MIN_INDEX_NULL:
                # Leave-one-out: the candidate itself is not part of the null it is weighed against.
                own = int(i in in_null)
                profile.z_index = (r - med) / spread
                profile.p_index = (1 + int((null >= r).sum()) - own) / (1 + len(null) - own)
                profile.index_pairs = len(null) - own
                profile.z = min(profile.z_synthetic, profile.z_index)
        sig = signatures[i]
        same_vocab = None
        if query_sig is not None and sig is not None and query_sig.tokenizer and sig.tokenizer:
            same_vocab = query_sig.tokenizer == sig.tokenizer
        verdict, reason = _verdict(shares.get(i), sketch, profile, same_vocab)
        out.append(Candidate(names[i], verdict, shares.get(i), sketch, profile, reason))
    out.sort(key=lambda c: (-c.sd, -(c.share.nbytes if c.share else 0), c.name))
    return out
