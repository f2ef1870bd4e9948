"""The search result in plain text: one block per candidate, its tier, exact share and calibrated scores."""

from __future__ import annotations

from ..sizes import human_bytes
from .search import Candidate, SearchResult


def _sketch_line(c: Candidate) -> str:
    s = c.sketch
    if s.z is None:
        return f"sampled weights: cannot compare ({s.why_not})"
    return (
        f"sampled weights: z = {s.z:.1f} against independent trainings "
        f"(exact null of the centred cosine; mean cosine {s.mean_cos:.3f} over {s.parts} matrices)"
    )


def _profile_line(c: Candidate) -> str:
    p = c.profile
    if p.z is None:
        return f"σ and peak profile: cannot compare ({p.why_not})"
    line = f"σ and peak profile (permutation-proof, never decides alone): z = {p.z:.1f}"
    if p.z_index is not None:
        line += (
            f" (the smaller of z = {p.z_synthetic:.1f} against the synthetic null and z = {p.z_index:.1f}, "
            f"empirical p = {p.p_index:.2g}, among {p.index_pairs} unrelated pairs in the index)"
        )
    else:
        line += " against the synthetic null (too few unrelated pairs in the index to weigh it there)"
    return line


def format_candidate(rank: int, c: Candidate) -> list[str]:
    lines = [f"{rank}. {c.name}  [{c.title}]"]
    if c.share is not None and c.share.tensors:
        lines.append(
            f"   exact share: {c.share.tensors} tensor(s), {human_bytes(c.share.nbytes)} bit-identical; "
            f"{c.share.layers_text(c.share.query_layers)} of the query, "
            f"{c.share.layers_text(c.share.other_layers)} of this checkpoint"
        )
    lines.append("   " + _sketch_line(c))
    lines.append("   " + _profile_line(c))
    if c.reason:
        lines.append(f"   cannot tell: {c.reason}")
    return lines


def format_result(result: SearchResult, *, top: int = 10) -> str:
    lines = []
    for note in result.notes:
        lines.append(f"note: {note}")
    shown = result.candidates[:top]
    if not shown:
        lines.append("The index holds no other checkpoint.")
    for k, c in enumerate(shown, 1):
        lines += format_candidate(k, c)
    rest = len(result.candidates) - len(shown)
    if rest > 0:
        lines.append(f"... and {rest} more checkpoint(s) with weaker scores.")
    lines.append(
        "Scores are calibrated screening, not a report: confirm a candidate with "
        "`python -m provenance.fingerprint compare QUERY CANDIDATE`."
    )
    return "\n".join(lines)


__all__ = ["format_result"]
