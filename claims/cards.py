"""Open Graph cards: a 1200 × 630 PNG per dispute, claim and report, so a link shared on social media
shows what the page says (the report's verdict, the claim's assessment), drawn with matplotlib's Agg.

Only public records get a card (``claims.views.sharing`` asks the visibility rule first); the card
shows nothing that the page does not show to a reader. Memory: one small figure at a time.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

WIDTH, HEIGHT, DPI = 1200, 630, 100
# Per verdict tier (``provenance.fingerprint.headline``): (band colour, headline colour). The words
# carry the meaning; colour only adds to it.
TONES = {
    "strong": ("#b3261e", "#8c1d18"),
    "some": ("#b06000", "#7a4300"),
    "none": ("#1e7e34", "#145523"),
    "neutral": ("#0b57d0", "#0a3d91"),
}


@dataclass
class Card:
    kicker: str  # "Claim · derived from" …
    title: str
    headline: str  # the verdict or assessment in words
    tone: str = "neutral"
    footer: str = ""
    # (label, distance from the null in standard deviations - for an exact p, the Gaussian sd of the same
    # tail - counts as evidence) per method, from ``headline.evidence_rows``.
    bars: list[tuple[str, float, bool]] = field(default_factory=list)
    threshold: float | None = None


def _wrap(text: str, width: int, lines: int) -> str:
    wrapped = textwrap.wrap(text, width=width) or [""]
    if len(wrapped) > lines:
        wrapped = [
            *wrapped[: lines - 1],
            textwrap.shorten(" ".join(wrapped[lines - 1 :]), width, placeholder=" …"),
        ]
    return "\n".join(wrapped)


def render_card(card: Card) -> bytes:
    """The card as PNG bytes, WIDTH × HEIGHT pixels. Every text is drawn literally: a title such as
    "$5 vs $10" is not matplotlib mathtext (an unbalanced one would not even parse)."""
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        return _render(card)


def _render(card: Card) -> bytes:
    band, ink = TONES.get(card.tone, TONES["neutral"])
    fig = plt.figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="#ffffff")
    try:
        fig.add_artist(plt.Rectangle((0, 0), 0.025, 1, transform=fig.transFigure, color=band))
        text_right = 0.62 if card.bars else 0.95
        fig.text(0.06, 0.88, "PROVENANCE", fontsize=18, fontweight="bold", color="#1f2328")
        fig.text(0.06, 0.81, card.kicker, fontsize=16, color="#444c56")
        width = 34 if card.bars else 50
        fig.text(0.06, 0.74, _wrap(card.title, width, 4), fontsize=30, fontweight="bold", color="#1f2328",
                 va="top", linespacing=1.15)  # fmt: skip
        fig.text(0.06, 0.16, _wrap(card.headline, 42 if card.bars else 60, 2), fontsize=26,
                 fontweight="bold", color=ink, va="bottom")  # fmt: skip
        if card.footer:
            fig.text(0.06, 0.06, card.footer, fontsize=14, color="#444c56")
        if card.bars:
            _draw_bars(fig, card, left=text_right + 0.04)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, facecolor=fig.get_facecolor(), metadata={"Software": None})
        return buf.getvalue()
    finally:
        plt.close(fig)


def _draw_bars(fig, card: Card, *, left: float) -> None:
    """Each method's distance from unrelated pairs, log-scaled, with the evidence threshold."""
    ax = fig.add_axes((left + 0.13, 0.3, 0.95 - left - 0.13, 0.45))
    labels = [label for label, _, _ in card.bars]
    values = [math.log10(1 + max(z, 0.0)) for _, z, _ in card.bars]
    colours = ["#b3261e" if strong else "#8a939d" for _, _, strong in card.bars]
    ax.barh(range(len(values)), values, color=colours)
    ax.set_yticks(range(len(values)), labels=labels, fontsize=12)
    ax.invert_yaxis()
    if card.threshold is not None:
        ax.axvline(math.log10(1 + card.threshold), color="#1f2328", linestyle="--", linewidth=1.5)
    ticks = [0, 3, 10, 100, 1000]
    ax.set_xticks([math.log10(1 + t) for t in ticks], labels=[str(t) for t in ticks], fontsize=11)
    ax.set_xlim(0, max([*values, math.log10(1 + (card.threshold or 10))]) * 1.1)
    ax.set_title("distance from unrelated pairs (σ of equal rarity)", fontsize=12, color="#444c56")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
