"""The text of a page, normalised, and how much two texts differ. Plain Python, no Django.

The watch compares the text a source answers with now against the text of its last capture, both
extracted from the HTTP body by ``html_text`` (the same extraction on both sides). The measure is
the Jaccard similarity of the sets of word 5-shingles of the normalised texts (case-folded, runs of
whitespace and punctuation collapsed): 1.0 for the same words in the same order, near 0 for an
unrelated page. Below ``ARCHIVE_CHANGE_THRESHOLD`` the source has "changed since archived".
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

SHINGLE_WORDS = 5
_SKIPPED = {"script", "style", "noscript", "template", "head"}
_WORD = re.compile(r"\w+", re.UNICODE)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in _SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def decode(body: bytes, content_type_header: str = "") -> str:
    charset = "utf-8"
    match = re.search(r"charset=([\w-]+)", content_type_header or "", re.I)
    if match:
        charset = match.group(1)
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def html_text(body: bytes, content_type_header: str = "") -> str:
    """The visible text of an HTML (or plain text) body, whitespace collapsed."""
    text = decode(body, content_type_header)
    if "html" in (content_type_header or "").lower() or text.lstrip()[:1] == "<":
        parser = _TextParser()
        parser.feed(text)
        parser.close()
        text = " ".join(parser.parts)
    return " ".join(text.split())


def normalised_words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def text_sha256(text: str) -> str:
    return hashlib.sha256(" ".join(normalised_words(text)).encode()).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    words = normalised_words(text)
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' word 5-shingles (1.0: same text; two empty texts: 1.0)."""
    sa, sb = shingles(a), shingles(b)
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)
