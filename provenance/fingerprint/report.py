"""Compare two fingerprints with every method, calibrate each score, and say what it supports.

``compare_fingerprints(fp_a, fp_b)`` → ``ComparisonReport``, a dataclass whose ``to_dict()`` is
the JSON document the pipeline stores (``schema_version`` 1)::

    {
      "schema_version": 1, "engine_version": "0.1.0",
      "methods": ["attn_std", "tensor_identity", "aligned_cosine"],   # asked for, in order
      "params": {"null_size": 32, "seed": 0, "reference_panel_size": 0, "sampling": {...},
                 "weights_read": false},
      "inputs": {"a": {"label", "content_hash", "family", "num_layers", "total_bytes",
                       "tokenizer_sha256", "files", "storage_types",
                       "weight_files": [{"name", "size", "sha256"}],   # as read and hashed here
                       "source": null | {"source", "revision", "commit", "pinned",
                                         "files": [{"name", "size", "sha256"}]}},  # as downloaded and
                 "b": {...}},                                         # verified (sources.source_record)
      "results": {name: MethodResult.to_dict()},   # method, score, per_layer, reading, calibration, extra
      "skipped": {name: "why the method does not apply"},
      "verdict": "shared_weights" | "lineage_supported" | "suggestive" | "no_evidence" | "cannot_tell",
      "summary": "plain-language paragraph",
      "coverage": {kind: {"description", "plausible", "why_plausible", "seen_by": [method, ...],
                          "blind": {method: why}, "would_look": {method: why it did not}}},
      "notes": ["context no method scores: differing layouts/depths, identical tokenizer files"]
    }

Chart keys: σ curves = ``results.attn_std.per_layer.sigma_a`` / ``sigma_b`` (role → per layer);
layer heat map = ``results.aligned_cosine.extra.layer_similarity.matrix`` (rows: layers of A,
None where shapes differ) with ``.alignment`` ([[layer_a, layer_b], ...]); null distribution =
``results.<m>.calibration.samples`` with ``score``, ``calibration.z`` and ``calibration.p``.

Weight-reading methods (``embedding_anchor``, ``neuron_matching``, ``expert_upcycling``,
``tokenizer_overlap``) run only when ``weights`` (the two open checkpoints) are passed; otherwise
they are listed in ``skipped`` when asked for, and left out of the default method list.
``tokenizer_overlap`` has no null and never counts towards the verdict.

Honesty about blindness: each method declares what it needs, what it is blind to and which kinds
of derivation (``methods.base.DERIVATIONS``) it can detect (``Method.detects``, shown on the synthetic
sets) and could see for this pair (``Method.sees``); ``plausible`` says which kinds could relate
this pair (copies, fine-tunes and moved hidden units always; quantisation, upcycling, a new tokenizer
when the pair shows them) and ``coverage`` lists, per kind, who saw it and who would look.
"no_evidence" means that for every plausible kind a method able to see it ran and found nothing
unusual. Otherwise (methods left out, skipped, or blind here: say ``--methods tensor_identity,attn_std``,
or no shared tokens and different hidden widths) the verdict is "cannot_tell", naming what was not
looked for and which method would look, never "no_evidence".

The summary is conservative by construction: a method counts as evidence only by the one standard
of ``evidence.strength`` (a tail probability of at most the Gaussian 5 sd tail, 2.87 × 10⁻⁷, for
every method: an exact Fisher p directly, a null treated as Gaussian by z ≥ 5 with the score above
every null sample); it never turns a high raw correlation into a claim, and it always states the limits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import ENGINE_VERSION
from .calibration import DEFAULT_NULL_SIZE, calibrate, json_safe
from .checkpoint import Checkpoint
from .errors import FingerprintError, IncompatibleModelsError, TamperedWeightsError
from .evidence import P_STRONG, P_WEAK, STRONG, WEAK, Z_STRONG, Z_WEAK, strength
from .fingerprint import ModelFingerprint
from .methods import METHODS, MethodResult, method_title
from .methods.base import (
    DERIVATION_NAMES,
    DERIVATIONS,
    EXACT_COPY,
    MOVED_UNITS,
    NEEDS_WEIGHTS,
    QUANTISED,
    RETOKENISED,
    SAME_ORDER,
    UPCYCLED,
)
from .null_cache import NullStore
from .parameters import validate as validate_parameters
from .weights import PairWeights

REPORT_SCHEMA_VERSION = 1


@dataclass
class ComparisonReport:
    """The result of comparing two checkpoints (see the module docstring for the JSON shape)."""

    methods: list[str]
    params: dict[str, Any]
    inputs: dict[str, dict[str, Any]]
    results: dict[str, MethodResult]
    skipped: dict[str, str]
    verdict: str
    summary: str
    schema_version: int = REPORT_SCHEMA_VERSION
    engine_version: str = ENGINE_VERSION
    notes: list[str] = field(default_factory=list)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return json_safe(
            {
                "schema_version": self.schema_version,
                "engine_version": self.engine_version,
                "methods": self.methods,
                "params": self.params,
                "inputs": self.inputs,
                "results": {k: v.to_dict() for k, v in self.results.items()},
                "skipped": self.skipped,
                "verdict": self.verdict,
                "summary": self.summary,
                "coverage": self.coverage,
                "notes": self.notes,
            }
        )

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)


def resolve_methods(methods: Sequence[str] | str | None, *, weights: bool = False) -> list[str]:
    """Method names from a list, a comma-separated string, "all" or None, validated.

    "all" is every registered method; None is every method that can run - without ``weights``, the
    fingerprint-only ones (so a report built from cached fingerprints does not list the weight
    methods as skipped unless they were asked for).
    """
    if methods is None:
        return [n for n, m in METHODS.items() if weights or not m.needs_weights]
    if methods == "all" or methods == ["all"]:
        return list(METHODS)
    names = [m.strip() for m in (methods.split(",") if isinstance(methods, str) else methods) if m.strip()]
    unknown = [m for m in names if m not in METHODS]
    if unknown or not names:
        raise FingerprintError(
            f"unknown method(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(METHODS)} or 'all'"
        )
    return names


def _describe(fp: ModelFingerprint, label: str, source: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One side of ``inputs``: what was compared, exactly. ``weight_files`` are the files the
    fingerprint read, with the SHA-256 it computed; ``source``, for a side downloaded from a hub or
    a git repository, the source, its resolved commit and every file's SHA-256 as verified."""
    return {
        "label": label,
        "content_hash": fp.content_hash,
        "family": fp.family,
        "num_layers": fp.num_layers,
        "total_bytes": fp.total_bytes,
        "tokenizer_sha256": fp.tokenizer_sha256,
        "files": len(fp.files),
        "storage_types": sorted({t.dtype for t in fp.tensors}),  # "BF16", or GGUF's "Q4_K", "Q6_K", ...
        "weight_files": [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in fp.files],
        "source": dict(source) if source else None,
    }


def _quantised(fp: ModelFingerprint) -> list[str]:
    """The block-quantisation types (GGUF's Q8_0, Q4_K, IQ4_XS...) a checkpoint stores tensors in."""
    return sorted({t.dtype for t in fp.tensors if t.dtype[:1] in "QIT" and t.dtype[:2] != "I8"})


def _finish_reading(result: MethodResult) -> None:
    c = result.calibration or {}
    if c.get("source") == "none":  # uncalibrated context (tokenizer_overlap): its reading says why
        return
    grade_of = strength(c)
    n = c.get("size") or 0
    where = {"reference_panel": "reference panel", "literature": "published"}.get(
        c.get("source"), "synthetic"
    )
    if c.get("p_source") == "fisher" and c.get("log10_p") is not None:
        result.reading += (
            f" The Fisher-combined p = 10^{c['log10_p']:.1f} is exact under independence (not floored by a "
            "null size; shown as a p-value, not a z, since −log10 p is not Gaussian)"
        )
        if n:
            result.reading += (
                f"; {n} {where} unrelated pairs drawn as a check, empirical p = {c.get('p_empirical'):.3f}"
            )
    elif grade_of == "unweighed":
        result.reading += " No null distribution could be drawn, so this score cannot be weighed."
        return
    else:
        result.reading += f" Against {n} {where} unrelated pairs (null treated as Gaussian): z = {c['z']:.1f}, p = {c['p']:.3f}"
    if grade_of == STRONG:
        result.reading += " - far outside what unrelated models show."
    elif grade_of == WEAK:
        result.reading += " - unusual for unrelated models, but not conclusive."
    elif c.get("p") is not None and c["p"] <= 0.05:
        # Above (nearly) every null sample, yet not rare enough by the one standard: say both.
        result.reading += (
            " - lower than almost every unrelated pair would give, but not rare enough to be evidence "
            "(strong evidence needs p ≤ 2.9 × 10^-7, the Gaussian 5 sd tail); not evidence of lineage on its own."
            if c.get("p_source") == "fisher"
            else " - higher than almost every unrelated pair drawn, but within the spread of "
            "unrelated models (small z); not evidence of lineage on its own."
        )
    else:
        result.reading += " - within what unrelated models show; on its own this is not evidence of lineage."


def is_strong(calibration: Mapping[str, Any] | None) -> bool:
    """A score counts as strong evidence (``evidence.strength``, the one standard for every method)."""
    return strength(calibration) == STRONG


def grade(results: Mapping[str, Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """(strong, weak): the methods whose score counts as evidence, and those merely unusual.

    ``results`` maps a method name to its stored result (at least ``calibration`` and ``extra``).
    Each method is graded by ``evidence.strength``. HonestAGI's attn_std alone never counts as strong
    (σ curves are shaped by shared init recipes); upcycling with retrained attention shows as
    "aligned_cosine (experts vs the dense MLP)". The verdict (``_summary``), the headline and the
    evidence picture (``headline.headline``, ``headline.evidence_rows``) all grade with this.
    """
    strong = [n for n, r in results.items() if is_strong(r.get("calibration"))]
    if strong == ["attn_std"]:
        # σ curves are shaped by shared init recipes: HonestAGI's statistic alone never makes a
        # verdict of lineage, however far it lies from its null (it reads as suggestive at most).
        strong = []
    cosine = results.get("aligned_cosine")
    evd = experts_vs_dense(cosine) if cosine is not None else None
    if evd and is_strong(evd) and "aligned_cosine" not in strong:
        # Upcycling with retrained attention: only the experts remember the dense MLP.
        strong.append(EXPERTS_VS_DENSE)
    weak = [
        n for n, r in results.items() if n not in strong and strength(r.get("calibration")) in (STRONG, WEAK)
    ]
    return strong, weak


EXPERTS_VS_DENSE = "aligned_cosine (experts vs the dense MLP)"
"""The pseudo-method ``grade`` counts when only aligned_cosine's experts, weighed against the dense
MLP, reach the standard (``headline`` titles it)."""


def experts_vs_dense(result: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """aligned_cosine's calibration of its experts against the dense MLP (``EXPERTS_VS_DENSE``), if any."""
    return (result.get("extra") or {}).get("expert_vs_dense")


def speaking_calibration(name: str, result: Mapping[str, Any], strong: list[str]) -> Mapping[str, Any]:
    """The calibration that speaks for method ``name`` (its stored ``result``) once graded
    (``strong``: ``grade``'s first list): aligned_cosine's experts-vs-dense block when only the
    experts count (upcycling with retrained attention), else its own."""
    c = result.get("calibration") or {}
    if name == EXPERTS_VS_DENSE or (
        name == "aligned_cosine" and name not in strong and any(s.startswith(name) for s in strong)
    ):
        return experts_vs_dense(result) or c
    return c


ATTENTION_HIGH_R = 0.8
"""Above this r, HonestAGI's attention-σ correlation looks high to a reader, though unrelated models
built with a shared init recipe reach it too: the summary and the headline both say so."""


def attention_high(score: object) -> bool:
    """Whether an attn_std score (r) is one a reader would take for evidence (``ATTENTION_HIGH_R``)."""
    return isinstance(score, int | float) and score > ATTENTION_HIGH_R


ALWAYS_PLAUSIBLE = {
    EXACT_COPY: "any copy may keep tensors exactly as they were",
    SAME_ORDER: "fine-tuning and continued training are the commonest derivations",
    MOVED_UNITS: "permuting or rotating hidden units costs nothing and changes no output",
}


def _is_moe(fp: ModelFingerprint) -> bool:
    return any(p.expert is not None for p in fp.parts)


def plausible(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> dict[str, str]:
    """The kinds of derivation that could relate this pair, each with why: the verdict "no_evidence"
    needs every one of them looked for by a method able to see it (see the module docstring)."""
    why = dict(ALWAYS_PLAUSIBLE)
    quantised = [
        f"{side} is quantised ({', '.join(k)})"
        for side, fp in (("A", fp_a), ("B", fp_b))
        if (k := _quantised(fp))
    ]
    if quantised:
        why[QUANTISED] = "; ".join(quantised)
    if _is_moe(fp_a) != _is_moe(fp_b):
        why[UPCYCLED] = f"{'A' if _is_moe(fp_a) else 'B'} is a mixture of experts and the other is dense"
    if not (fp_a.tokenizer_sha256 and fp_a.tokenizer_sha256 == fp_b.tokenizer_sha256):
        why[RETOKENISED] = (
            "the tokenizer files differ"
            if fp_a.tokenizer_sha256 and fp_b.tokenizer_sha256
            else "a tokenizer is missing"
        )
    return {kind: why[kind] for kind in DERIVATIONS if kind in why}


def coverage(
    results: dict[str, MethodResult],
    skipped: dict[str, str],
    kinds: Mapping[str, str] | None = None,
    *,
    weights_read: bool = True,
) -> dict[str, dict[str, Any]]:
    """Per kind of derivation: whether it is plausible here (``kinds``, from ``plausible``; None: the
    ones always plausible), the methods that could see it for this pair, why the others could not
    (``blind``), and every method able to detect it that did not see it here, with why (``would_look``:
    skipped and its reason, blind here, not run because the weights were not read, or not asked for).
    """
    kinds = ALWAYS_PLAUSIBLE if kinds is None else kinds
    out: dict[str, dict[str, Any]] = {}
    for kind, description in DERIVATIONS.items():
        seen_by: list[str] = []
        blind: dict[str, str] = {}
        for name, result in results.items():
            method = METHODS.get(name)
            if method is None:
                continue
            if kind in method.sees(result):
                seen_by.append(name)
            elif method.blind_to:
                blind[name] = method.blind_to
        for name, why in skipped.items():
            blind[name] = why
        would_look: dict[str, str] = {}
        for name, method in METHODS.items():
            if kind not in method.detects or name in seen_by:
                continue
            if name in skipped:
                would_look[name] = skipped[name]
            elif name in results:
                would_look[name] = f"blind here: {method.blind_to}"
            elif method.needs_weights and not weights_read:
                would_look[name] = "not run: it needs the checkpoints' weights"
            else:
                would_look[name] = "not run: not among the methods asked for"
        out[kind] = {
            "description": description,
            "plausible": kind in kinds,
            "why_plausible": kinds.get(kind),
            "seen_by": seen_by,
            "blind": blind,
            "would_look": would_look,
        }
    return out


def _who_would_look(would_look: Mapping[str, str]) -> str:
    """ "a and b would look: why; c would look: why", the methods grouped by their reason."""
    by_reason: dict[str, list[str]] = {}
    for name, why in would_look.items():
        by_reason.setdefault(why, []).append(name)
    if not by_reason:
        return "no method of this engine would look"
    return "; ".join(f"{_titled(names)} would look, {why}" for why, names in by_reason.items())


def _titled(names: Sequence[str]) -> str:
    """Methods as readers read them: by their titles ("X, Y and Z"), never their identifiers."""
    titles = [method_title(name) for name in names]
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def unseen_kinds(cov: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The plausible kinds no method that ran could see (a stored coverage without ``plausible``,
    from before every kind was weighed, counts every kind listed)."""
    return [k for k, c in cov.items() if c.get("plausible", True) and not c.get("seen_by")]


def _summary(
    results: dict[str, MethodResult],
    skipped: dict[str, str],
    label_a: str,
    label_b: str,
    null_size: int,
    *,
    weights_read: bool = False,
    kinds: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    strong, weak = grade({n: {"calibration": r.calibration, "extra": r.extra} for n, r in results.items()})
    ident = results.get("tensor_identity")
    lines: list[str] = []
    if ident is not None and "tensor_identity" in strong:
        verdict = "shared_weights"
        lines.append(
            f"{label_a} and {label_b} share bit-identical weights "
            f"({ident.extra['identical_by_content']} non-constant tensors): one was made from the "
            "other, or both from a common checkpoint."
        )
    elif strong:
        verdict = "lineage_supported"
        lines.append(
            f"The weights of {label_a} and {label_b} are far more similar than unrelated models' "
            f"by {_titled(strong)}: the evidence supports a common origin (a fine-tune, continued "
            "training, pruning or upcycling of one by the other, or of both from a third model)."
        )
    elif weak:
        verdict = "suggestive"
        lines.append(
            f"{_titled(weak)} {'scores' if len(weak) == 1 else 'score'} above what unrelated models usually show, but not beyond "
            "doubt; this is suggestive, not evidence of lineage."
        )
    else:
        # "No evidence" only from methods that could have seen it: every plausible kind of derivation
        # must have been looked for by a method able to see it here (issue 26).
        cov = coverage(results, skipped, kinds, weights_read=weights_read)
        unseen = unseen_kinds(cov)
        if unseen:
            verdict = "cannot_tell"
            lines.append(
                f"Cannot tell: no method that ran on {label_a} and {label_b} could have seen "
                + " or ".join(DERIVATION_NAMES[k] for k in unseen)
                + ". Not looked for: "
                + "; ".join(
                    f"{DERIVATION_NAMES[k]} ({_who_would_look(cov[k]['would_look'])})" for k in unseen
                )
                + ". The methods that did run found nothing unusual, but that is no evidence of independence here."
            )
        else:
            verdict = "no_evidence"
            lines.append(
                f"No method separates {label_a} and {label_b} from unrelated models of the same shape."
            )
            lines.append(
                "What could have been seen here: "
                + "; ".join(
                    f"{c['description']} by {_titled(c['seen_by'])}" for c in cov.values() if c["plausible"]
                )
                + "."
            )
    attn = results.get("attn_std")
    if attn is not None and "attn_std" not in strong and attention_high(attn.score):
        c = attn.calibration or {}
        lines.append(
            f"HonestAGI's attention-σ correlation is high (r = {attn.score:.3f}) but unrelated models "
            f"built with a shared init recipe reach the same values (null mean {c.get('mean') or 0:.2f} "
            f"± {c.get('std') or 0:.2f}); it cannot carry a conclusion by itself."
        )
    limits = (
        "Limits: the nulls are synthetic independent initialisations of these shapes"
        + (
            " and a reference panel"
            if any((r.calibration or {}).get("source") == "reference_panel" for r in results.values())
            else ""
        )
        + (
            f" ({method_title('embedding_anchor')} also against the 90 unrelated real pairs AWM published)"
            if "embedding_anchor" in results
            else ""
        )
        + f"; with {null_size} null pairs no empirical p-value can go below 1/{null_size + 1} = "
        f"{1 / (null_size + 1):.3f}"
        + (
            " (the Fisher-combined p of "
            + _titled(["neuron_matching", "weight_matching"])
            + " is exact, so it can go lower)"
            if {"neuron_matching", "weight_matching"} & results.keys()
            else ""
        )
        + "."
    )
    if verdict == "no_evidence":
        if "weight_matching" in results:
            limits += (
                " Absence of evidence is not independence: no evidence means the methods that apply "
                "found nothing unusual; very long retraining erodes every weight similarity."
            )
        elif {"embedding_anchor", "neuron_matching"} & results.keys():
            limits += (
                " Absence of evidence is not independence: very long retraining erodes every weight "
                "similarity, and a replaced vocabulary together with permuted hidden units leaves "
                "nothing to anchor the comparison."
            )
        else:
            limits += (
                " Absence of evidence is not independence: weight-space methods miss models whose hidden "
                "units were permuted or whose widths differ, and very long retraining erodes similarity."
            )
    if skipped:
        limits += f" Not applicable here: {_titled(list(skipped))}."
    lines.append(limits)
    return verdict, " ".join(lines)


def _notes(fp_a: ModelFingerprint, fp_b: ModelFingerprint) -> list[str]:
    """Context a reader needs that no method scores (shown under the table, never in the verdict)."""
    notes = []
    if fp_a.family != fp_b.family:
        notes.append(
            f"The layouts differ ({fp_a.family} vs {fp_b.family}); only parts both have are compared."
        )
    if fp_a.num_layers != fp_b.num_layers:
        notes.append(f"The depths differ ({fp_a.num_layers} vs {fp_b.num_layers} layers).")
    if fp_a.tokenizer_sha256 and fp_a.tokenizer_sha256 == fp_b.tokenizer_sha256:
        notes.append(
            "The tokenizer files are byte-identical: weak evidence on its own, tokenizers are often reused."
        )
    if fp_a.content_hash == fp_b.content_hash:
        notes.append("The two inputs are the same files.")
    for side, fp in (("A", fp_a), ("B", fp_b)):
        if kinds := _quantised(fp):
            notes.append(
                f"{side} is quantised ({', '.join(kinds)}): quantisation adds a small noise to every weight, "
                "so its tensors cannot be bit-identical to an unquantised original and "
                f"{method_title('tensor_identity')} cannot show such a lineage; the other methods compare the dequantised values."
            )
    return notes


def compare_fingerprints(
    fp_a: ModelFingerprint,
    fp_b: ModelFingerprint,
    *,
    methods: Sequence[str] | str | None = None,
    null_size: int = DEFAULT_NULL_SIZE,
    seed: int = 0,
    reference_panel: Sequence[ModelFingerprint] | None = None,
    labels: tuple[str, str] = ("A", "B"),
    weights: tuple[Checkpoint, Checkpoint] | PairWeights | None = None,
    on_method: Callable[[str, int, int], None] | None = None,
    weights_missing: str = "",
    sources: tuple[Mapping[str, Any] | None, Mapping[str, Any] | None] = (None, None),
    null_cache: NullStore | None = None,
) -> ComparisonReport:
    """Run ``methods`` (default: every method that can run) on the pair, calibrate each score, summarise.

    ``on_method(name, index, count)`` is called before each method runs (a worker's progress).
    ``weights``: the two checkpoints opened with ``open_checkpoint`` (A's first), needed by the
    weight-reading methods; without it they are skipped (or left out of the default list).
    ``weights_missing``: why the weights are not there (a checkpoint whose weights were deleted
    after its fingerprint was made): the weight methods are then listed as skipped with that reason.
    ``sources``: for each side downloaded from a hub or git, its ``sources.source_record`` (recorded
    in ``inputs``; None for local files).
    ``null_cache``: where nulls that depend only on the shapes are kept (``null_cache.NullStore``;
    None: computed for every report); the results are the same either way.
    A method that cannot compare these models (IncompatibleModelsError; for a weight method any
    FingerprintError, e.g. an unreadable tokenizer) is listed in ``skipped`` with the reason; if
    none applies, IncompatibleModelsError is raised. Deterministic in (fingerprints, weights,
    methods, null_size, seed, panel); ``null_size`` and ``seed`` within ``parameters`` bounds
    (else ParameterError). Memory: the two fingerprints plus per-method detail; the
    weight methods hold at most one layer's matrices per model and the shared-token embedding rows
    (see each method's module: about 0.5 GB at most for 7B-class shapes). Time: about 1 s from
    fingerprints; the weight methods read the attention/MLP matrices once per method.
    """
    validate_parameters({"null_size": null_size, "seed": seed})
    pair = PairWeights(*weights) if isinstance(weights, tuple) else weights
    names = resolve_methods(methods, weights=pair is not None or bool(weights_missing))
    results: dict[str, MethodResult] = {}
    skipped: dict[str, str] = {}
    for index, name in enumerate(names, 1):
        if on_method is not None:
            on_method(name, index, len(names))  # the phase a worker shows: "computing <title> (3 of 6)"
        method = METHODS[name]
        try:
            if method.needs_weights:
                if pair is None or method.compare_weights is None:
                    skipped[name] = (
                        weights_missing if pair is None and weights_missing else f"{name} {NEEDS_WEIGHTS}"
                    )
                    continue
                try:
                    kept = {"null_cache": null_cache} if method.keeps_null else {}
                    result = method.compare_weights(fp_a, fp_b, pair, null_size=null_size, seed=seed, **kept)
                except TamperedWeightsError:
                    raise  # not "does not apply": the report stops
                except FingerprintError as exc:
                    raise IncompatibleModelsError(str(exc)) from exc
            else:
                result = method.compare(fp_a, fp_b)
                result.calibration = calibrate(
                    method,
                    fp_a,
                    fp_b,
                    result.score,
                    null_size=null_size,
                    seed=seed,
                    reference_panel=reference_panel,
                )
        except IncompatibleModelsError as exc:
            skipped[name] = str(exc)
            continue
        _finish_reading(result)
        results[name] = result
    if not results:
        raise IncompatibleModelsError(
            "no comparison method applies to these two models: " + "; ".join(skipped.values())
        )
    kinds = plausible(fp_a, fp_b)
    verdict, summary = _summary(
        results, skipped, *labels, null_size, weights_read=pair is not None, kinds=kinds
    )
    params = {
        "null_size": null_size,
        "seed": seed,
        "reference_panel_size": len(reference_panel or ()),
        "sampling": {"a": fp_a.params, "b": fp_b.params},
        "z_strong": Z_STRONG,
        "z_weak": Z_WEAK,
        "p_strong": P_STRONG,
        "p_weak": P_WEAK,
        "weights_read": pair is not None,
    }
    return ComparisonReport(
        methods=names,
        params=params,
        inputs={"a": _describe(fp_a, labels[0], sources[0]), "b": _describe(fp_b, labels[1], sources[1])},
        results=results,
        skipped=skipped,
        verdict=verdict,
        summary=summary,
        notes=_notes(fp_a, fp_b),
        coverage=coverage(results, skipped, kinds, weights_read=pair is not None),
    )
