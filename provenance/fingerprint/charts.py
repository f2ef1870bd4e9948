"""SVG charts of a fingerprint report, drawn with matplotlib's Agg backend.

Four charts, each readable without colour (line styles and markers tell the models apart, the
heat map is a single-hue scale with a labelled colour bar, the observed score is a labelled line):

* ``sigma_curves_svg`` - HonestAGI's per-layer σ of Q, K, V and O for both models;
* ``similarity_heatmap_svg`` - the layer-to-layer similarity matrix, with the best alignment;
* ``null_distribution_svg`` - one method's score against its null distribution;
* ``evidence_svg`` - the one picture of the evidence: every method on one row, its distance from
  unrelated pairs on a common log scale, the decision threshold marked. A method weighed on an exact
  p-value (``evidence.scale`` "p") sits where a Gaussian z of the same tail probability would
  (``evidence.sd_equivalent``), so the one 5 sd line is p = 2.87 × 10⁻⁷ for every method; its row
  says "p = …", not a z.

Each function takes plain numbers and returns SVG text: the knowledge base stores a report's charts
once and its pages and API serve them without drawing again; the engine's command line writes the
same files (``compare --charts DIR``). No Django here. Memory: one figure at a time. Text stays text (``svg.fonttype = none``):
smaller files, selectable and readable by screen readers.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .evidence import P_STRONG, Z_STRONG, scale  # noqa: E402
from .headline import evidence_rows  # noqa: E402
from .readable import Z_HUGE, log_position  # noqa: E402

_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "provenance",  # stable element ids: the same report draws the same bytes
    "font.size": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
_MODEL_STYLES = (
    {"linestyle": "-", "marker": "o", "color": "#1f4e79"},
    {"linestyle": "--", "marker": "s", "color": "#b35900"},
)


def _to_svg(fig: plt.Figure, title: str, description: str) -> str:
    buf = io.StringIO()
    # Fixed margins, not bbox_inches="tight" or tight_layout(): each of those draws the figure once
    # more just to measure it, which doubled the charts' share of a report's time.
    fig.savefig(buf, format="svg", metadata={"Title": title, "Description": description})
    plt.close(fig)
    return buf.getvalue()


def sigma_curves_svg(
    series_a: Mapping[str, Sequence[float]],
    series_b: Mapping[str, Sequence[float]],
    *,
    label_a: str,
    label_b: str,
) -> str:
    """Per-layer σ curves of both models, one panel per attention projection (Q, K, V, O).

    ``series_*`` map a role ("q", "k", "v", "o") to σ per layer; roles missing from either model
    are left out. The curves are drawn raw (not z-scored) so a reader sees the actual scales.
    """
    roles = [r for r in ("q", "k", "v", "o") if r in series_a and r in series_b]
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(2, 2, figsize=(8, 5.8), squeeze=False)
        fig.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.16, wspace=0.28, hspace=0.42)
        for ax, role in zip(axes.flat, roles, strict=False):
            for series, label, style in (
                (series_a[role], label_a, _MODEL_STYLES[0]),
                (series_b[role], label_b, _MODEL_STYLES[1]),
            ):
                ax.plot(np.arange(len(series)), series, label=label, markersize=3, linewidth=1.2, **style)
            ax.set_title(f"{role.upper()} projection")
            ax.set_xlabel("layer")
            ax.set_ylabel("σ of weights")
        for ax in list(axes.flat)[len(roles) :]:
            ax.set_visible(False)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, 0.0))
        return _to_svg(
            fig,
            "Per-layer standard deviation of attention weights",
            f"σ of the Q, K, V and O projection matrices per layer for {label_a} (solid, circles) "
            f"and {label_b} (dashed, squares).",
        )


def similarity_heatmap_svg(
    matrix: Sequence[Sequence[float]],
    *,
    label_a: str,
    label_b: str,
    role: str,
    alignment: Sequence[Sequence[int]] | None = None,
) -> str:
    """Layer-to-layer similarity heat map (rows: layers of A, columns: layers of B).

    ``alignment`` is a list of (layer_a, layer_b) pairs, drawn as white-edged dots on the map.
    Missing cells (shapes that differ) may be NaN and are drawn blank.
    """
    m = np.asarray(matrix, dtype=float)
    with plt.rc_context(_STYLE | {"axes.grid": False}):
        fig, ax = plt.subplots(figsize=(5.8, 4.8))
        fig.subplots_adjust(left=0.14, right=0.96, top=0.92, bottom=0.12)
        image = ax.imshow(
            m,
            cmap="Greys",
            vmin=min(0.0, float(np.nanmin(m)) if m.size else 0.0),
            vmax=1.0,
            origin="upper",
            aspect="auto",
            interpolation="nearest",
        )
        bar = fig.colorbar(image, ax=ax)
        bar.set_label("centred cosine similarity")
        if alignment:
            pairs = np.asarray(alignment)
            ax.scatter(
                pairs[:, 1],
                pairs[:, 0],
                s=18,
                facecolors="#ffcc00",
                edgecolors="black",
                marker="D",
                label="best alignment",
            )
            ax.legend(loc="upper right", fontsize=8)
        ax.set_xlabel(f"layer of {label_b}")
        ax.set_ylabel(f"layer of {label_a}")
        ax.set_title(f"Layer-to-layer similarity ({role.upper()})")
        return _to_svg(
            fig,
            f"Layer-to-layer similarity of the {role.upper()} matrices",
            f"Each cell is the similarity of one layer of {label_a} (rows) with one layer of {label_b} "
            "(columns); darker is more similar; diamonds mark the best monotone alignment.",
        )


def null_distribution_svg(
    *,
    method: str,
    score: float,
    null_scores: Sequence[float],
    z: float | None,
    p: float | None,
    band: bool = True,
) -> str:
    """Histogram of a method's null distribution with the observed score as a labelled line; ``band``
    shades mean ± 3 sd (only for a null treated as Gaussian: a −log10 p null is exponential)."""
    null = np.asarray(null_scores, dtype=float)
    null = null[np.isfinite(null)]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6, 3.9))
        # The legend goes under the axes: inside them it covered the score's label.
        fig.subplots_adjust(left=0.11, right=0.97, top=0.95, bottom=0.28)
        if null.size and band:
            # The band stays visible when the null is a sliver next to a far-away score.
            mean, sd = float(null.mean()), float(null.std())
            ax.axvspan(
                mean - 3 * sd, mean + 3 * sd, color="#d0d0d0", alpha=0.6, label="unrelated: mean ± 3 sd"
            )
        if null.size:
            ax.hist(
                null,
                bins=min(30, max(5, null.size // 2)),
                color="#9e9e9e",
                edgecolor="black",
                hatch="//",
                label=f"unrelated pairs (n={null.size})",
            )
        ax.axvline(score, color="black", linewidth=2, linestyle="-", label="this pair")
        parts = [f"score {score:.3f}"]
        if z is not None and np.isfinite(z):
            parts.append(f"z = {z:.1f}")
        if p is not None:
            parts.append(f"p = {p:.3g}")
        left, right = ax.get_xlim()
        on_right = score > (left + right) / 2  # keep the label inside the axes
        ax.annotate(
            ", ".join(parts),
            xy=(score, 1),
            xycoords=("data", "axes fraction"),
            xytext=(-4 if on_right else 4, -12),
            textcoords="offset points",
            fontsize=8,
            ha="right" if on_right else "left",
        )
        ax.set_xlabel(f"{method} score")
        ax.set_ylabel("number of unrelated pairs")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=8, frameon=False)
        return _to_svg(
            fig,
            f"{method}: this pair against unrelated pairs",
            f"Histogram of the {method} score over {null.size} unrelated model pairs, and the score of "
            f"this pair ({', '.join(parts)}).",
        )


_TICKS = (-10, -3, 0, 3, 10, 30, 100, 1000)


def evidence_svg(rows: Sequence[Mapping], *, threshold: float = Z_STRONG) -> str:
    """Every method on one row: its distance from unrelated pairs (z, log-scaled: sign · log10(1 + |z|);
    for an exact p the Gaussian z of the same tail, row ``sd``), the band where unrelated pairs fall
    (±3 standard deviations) and the decision threshold.

    ``rows`` come from ``headline.evidence_rows``. A filled black diamond counts as evidence, a hollow circle
    does not, a grey square is unusual but not beyond doubt; each row also says so in words.
    """
    markers = {
        "strong": {"marker": "D", "facecolor": "black", "edgecolor": "black"},
        "weak": {"marker": "s", "facecolor": "#9e9e9e", "edgecolor": "black"},
        "none": {"marker": "o", "facecolor": "white", "edgecolor": "black"},
    }
    low, high = log_position(-10), log_position(Z_HUGE * 10) + 0.12  # room for a capped marker
    with plt.rc_context(_STYLE | {"axes.grid": False}):
        height = 1.2 + 0.62 * max(1, len(rows))
        fig, ax = plt.subplots(figsize=(7.2, height))
        fig.subplots_adjust(left=0.03, right=0.97, top=1 - 0.35 / height, bottom=0.75 / height)
        ax.axvspan(log_position(-3), log_position(3), color="#d9d9d9", zorder=0)
        ax.text(0, len(rows) - 0.35, "unrelated pairs\n(within ±3 sd)", ha="center", va="bottom", fontsize=7)
        t = log_position(threshold)
        ax.axvline(t, color="black", linestyle="--", linewidth=1.2, zorder=1)
        ax.text(
            t,
            len(rows) - 0.35,
            f" threshold for\n evidence: {threshold:g} sd\n (p ≤ {P_STRONG:.1e})",
            ha="left",
            va="bottom",
            fontsize=7,
        )
        for i, row in enumerate(rows):
            y = len(rows) - 1 - i
            ax.axhline(y, color="#cccccc", linewidth=0.6, zorder=0)
            ax.text(low, y + 0.2, row["title"], fontsize=8, fontweight="bold", va="bottom", ha="left")
            if row["x"] is None:
                ax.text(low, y - 0.05, row["text"], fontsize=7.5, va="top", ha="left", style="italic")
                continue
            style = markers[row["level"]]
            ax.scatter([row["x"]], [y], s=60, zorder=3, linewidths=1.2, **style)
            right = row["x"] > (low + high) / 2
            ax.annotate(
                row["text"],
                xy=(row["x"], y),
                xytext=(-9 if right else 9, -1),
                textcoords="offset points",
                fontsize=7.5,
                va="center",
                ha="right" if right else "left",
                bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )
        ax.set_xlim(low, high)
        ax.set_ylim(-0.6, len(rows) + 0.25)
        ax.set_yticks([])
        ax.set_xticks([log_position(v) for v in _TICKS])
        ax.set_xticklabels([f"{v:g}" + ("+" if v == _TICKS[-1] else "") for v in _TICKS])
        ax.set_xlabel(
            "standard deviations from unrelated pairs (log scale; an exact p at the Gaussian sd of equal rarity)"
        )
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        return _to_svg(
            fig,
            "The evidence at a glance: each method's distance from unrelated pairs",
            " ".join(f"{row['title']}: {row['text']}." for row in rows)
            + f" The threshold for evidence is {threshold:g} standard deviations (a one-sided tail "
            f"probability of {P_STRONG:.1e}); a method weighed on an exact p-value is placed at the Gaussian "
            "distance of the same probability.",
        )


def report_charts(result: Mapping, *, label_a: str, label_b: str) -> dict[str, str]:
    """Every chart a stored comparison result supports, as {name: SVG}.

    Names: ``evidence`` (every method against its null, ``evidence_svg``), ``sigma_curves`` (from
    attn_std), ``layer_similarity`` (from aligned_cosine), ``aligned_layer_similarity`` (from
    weight_matching: the same matrix in the recovered basis) and ``null_<method>`` for each method
    with a score and a null distribution. Methods that were not run, or were
    skipped for these models, simply have no chart.
    """
    results = result.get("results", {})
    charts: dict[str, str] = {}
    if results:
        charts["evidence"] = evidence_svg(
            evidence_rows(result), threshold=result.get("params", {}).get("z_strong", Z_STRONG)
        )
    attn = results.get("attn_std")
    if attn:
        charts["sigma_curves"] = sigma_curves_svg(
            attn["per_layer"]["sigma_a"], attn["per_layer"]["sigma_b"], label_a=label_a, label_b=label_b
        )
    for chart, similarity in (
        ("layer_similarity", (results.get("aligned_cosine") or {}).get("extra", {}).get("layer_similarity")),
        (
            "aligned_layer_similarity",
            ((results.get("weight_matching") or {}).get("extra", {}).get("aligned") or {}).get(
                "layer_similarity"
            ),
        ),
    ):
        if similarity and similarity.get("matrix"):
            matrix = [[float("nan") if v is None else v for v in row] for row in similarity["matrix"]]
            charts[chart] = similarity_heatmap_svg(
                matrix,
                label_a=label_a,
                label_b=label_b,
                role="+".join(similarity.get("roles", [])) or "attention",
                alignment=similarity.get("alignment") or None,
            )
    for name, method_result in results.items():
        calibration = method_result.get("calibration") or {}
        # A method with no score (None in the JSON) has nothing to mark against its null.
        if calibration.get("samples") and method_result.get("score") is not None:
            charts[f"null_{name}"] = null_distribution_svg(
                method=name,
                score=method_result["score"],
                null_scores=calibration["samples"],
                z=calibration.get("z"),
                p=calibration.get("p"),
                band=scale(calibration) == "z",
            )
    return charts
