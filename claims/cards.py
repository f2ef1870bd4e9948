"""Open Graph cards: a 1200 × 630 PNG per dispute, claim and report, so a link shared on social media
shows what the page says (the report's verdict, the claim's assessment), drawn with matplotlib's Agg.

Only public records get a card (``claims.views.sharing`` asks the visibility rule first); the card
shows nothing that the page does not show to a reader. Memory: one small figure at a time.

Text never clips or overprints (:func:`fit`): each text is wrapped by its **measured** width in its
own box (so wide CJK glyphs take the room they need), at a word boundary where the text has spaces
and between characters where it has none, and its last line is shortened with an ellipsis at a word
boundary when it needs more lines than its box holds. Right-to-left text (Hebrew, Arabic) is put in
display order per line by python-bidi (the Unicode bidirectional algorithm), which matplotlib does
not apply; Arabic letters are drawn in their isolated forms (no shaping). Glyphs missing from DejaVu
Sans come from the first installed fallback font (``FALLBACK_FONTS``: CJK).
"""

from __future__ import annotations

import functools
import io
import logging
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from bidi import get_display  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

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


# CJK fallbacks by file (Debian packages fonts-wqy-microhei, fonts-noto-cjk, fonts-droid-fallback):
# registered by path, so a font installed after matplotlib built its font cache is still found.
FALLBACK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
ELLIPSIS = " …"


@functools.cache
def font_families() -> tuple[str, ...]:
    """DejaVu Sans, then the fallback fonts installed here (matplotlib picks per glyph). Without one,
    CJK glyphs are drawn as empty boxes of their width, so the layout still fits."""
    names = []
    for path in FALLBACK_FONT_FILES:
        if Path(path).is_file():
            font_manager.fontManager.addfont(path)  # regular weight only: bold is drawn regular
            logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # ... without a log line
            names.append(font_manager.FontProperties(fname=path).get_name())
    return ("DejaVu Sans", *names)


# Scripts written without spaces between words (CJK, kana, hangul, full-width forms) break anywhere.
_UNSPACED = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_PIECE = re.compile(f"[{_UNSPACED}]|[^{_UNSPACED}]+")
_NO_LINE_START = set("、。，．・：；？！）」』】〕〉》ー")


def _tokens(text: str) -> list[str]:
    """Words, each with the space before it, and single characters inside unspaced scripts."""
    tokens: list[str] = []
    for word in text.split():
        pieces = _PIECE.findall(word)
        tokens.append(" " + pieces[0])
        for piece in pieces[1:]:
            if piece in _NO_LINE_START:  # closing punctuation stays with the character before it
                tokens[-1] += piece
            else:
                tokens.append(piece)
    return tokens


def fit(text: str, *, width_px: float, lines: int, measure) -> list[str]:
    """``text`` in at most ``lines`` lines, each at most ``width_px`` wide by ``measure(line) -> px``;
    the last line ends with an ellipsis at a word boundary when the text does not fit. A single word
    wider than the box is cut between characters. Lines are in logical order (see :func:`visual`)."""
    out: list[str] = []
    line = ""
    tokens = _tokens(text)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        candidate = (line + token) if line else token.lstrip()
        if measure(candidate) <= width_px:
            line, i = candidate, i + 1
            continue
        if not line:  # one word wider than the box: cut it between characters
            cut = max((k for k in range(1, len(candidate)) if measure(candidate[:k]) <= width_px), default=1)
            out.append(candidate[:cut])
            tokens[i] = candidate[cut:]
        else:
            out.append(line)
            line = ""
        if len(out) == lines:
            break
    else:
        if line:
            out.append(line)
        return out or [""]
    # More text than lines: shorten the last line to end with the ellipsis, at a word boundary.
    last = out[-1]
    while last and measure(last + ELLIPSIS) > width_px:
        shorter = last.rsplit(" ", 1)[0] if " " in last.strip() else last[:-1]
        last = shorter.rstrip()
    out[-1] = last + ELLIPSIS
    return out


def visual(line: str) -> str:
    """``line`` in display order: right-to-left runs reversed by the Unicode bidirectional algorithm."""
    return get_display(line) if _RTL.search(line) else line


_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def render_card(card: Card) -> bytes:
    """The card as PNG bytes, WIDTH × HEIGHT pixels. Every text is drawn literally: a title such as
    "$5 vs $10" is not matplotlib mathtext (an unbalanced one would not even parse)."""
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        return _render(card)


def _render(card: Card) -> bytes:
    fig = plt.figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="#ffffff")
    try:
        with warnings.catch_warnings():  # no CJK font installed: empty boxes, not a warning per glyph
            warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
            _draw(fig, card)
            buf = io.BytesIO()
            fig.savefig(
                buf, format="png", dpi=DPI, facecolor=fig.get_facecolor(), metadata={"Software": None}
            )
        return buf.getvalue()
    finally:
        plt.close(fig)


def text_boxes(
    card: Card,
) -> dict[str, tuple[tuple[float, float, float, float], tuple[float, float, float, float]]]:
    """Each text of the card → (its drawn extent, the box it must stay in), as (x0, y0, x1, y1) in
    pixels from the bottom left: what the tests check for clipping and overprinting."""
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        fig = plt.figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="#ffffff")
        try:
            placed = _draw(fig, card)
            renderer = fig.canvas.get_renderer()
            return {
                name: (tuple(text.get_window_extent(renderer).extents), box)
                for name, (text, box) in placed.items()
            }
        finally:
            plt.close(fig)


def _draw(fig, card: Card) -> dict:
    """Draws ``card`` on ``fig``; returns each text artist with the box (pixels) it was fitted to."""
    band, ink = TONES.get(card.tone, TONES["neutral"])
    families = list(font_families())
    renderer = fig.canvas.get_renderer()
    fig.add_artist(plt.Rectangle((0, 0), 0.025, 1, transform=fig.transFigure, color=band))
    right = (0.62 if card.bars else 0.95) * WIDTH
    left = 0.06 * WIDTH
    placed = {}

    def text(
        name, y, value, *, size, lines, box, x=(left, right), weight="normal", color="#1f2328", va="baseline",
        spacing=1.2,
    ):  # fmt: skip
        prop = FontProperties(family=families, size=size, weight=weight)

        def measure(line: str) -> float:
            return renderer.get_text_width_height_descent(visual(line), prop, ismath=False)[0]

        fitted = "\n".join(
            visual(line) for line in fit(value, width_px=x[1] - x[0], lines=lines, measure=measure)
        )
        artist = fig.text(
            x[0] / WIDTH, y, fitted, fontproperties=prop, color=color, va=va, linespacing=spacing
        )
        placed[name] = (artist, (x[0], box[0], x[1], box[1]))

    text("brand", 0.88, "PROVENANCE", size=18, lines=1, weight="bold", box=(0.86 * HEIGHT, HEIGHT))
    text("kicker", 0.81, card.kicker, size=16, lines=1, color="#444c56", box=(0.79 * HEIGHT, 0.86 * HEIGHT))
    text("title", 0.74, card.title, size=30, lines=4, weight="bold", va="top", spacing=1.15,
         box=(0.31 * HEIGHT, 0.76 * HEIGHT))  # fmt: skip
    text("headline", 0.16, card.headline, size=26, lines=2, weight="bold", color=ink, va="bottom",
         box=(0.15 * HEIGHT, 0.31 * HEIGHT))  # fmt: skip
    if card.footer:
        text(
            "footer", 0.06, card.footer, size=14, lines=1, color="#444c56", box=(0.03 * HEIGHT, 0.13 * HEIGHT)
        )
    if card.bars:
        bars_left = right + 0.04 * WIDTH
        text("bars_title", 0.77, "Distance from unrelated pairs (σ of equal rarity)", size=12, lines=2,
             x=(bars_left, 0.97 * WIDTH), color="#444c56", va="bottom", box=(0.76 * HEIGHT, 0.9 * HEIGHT))  # fmt: skip
        _draw_bars(fig, card, left=bars_left / WIDTH)
    return placed


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
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
