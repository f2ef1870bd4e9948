"""The search box's syntax, parsed here once for both databases (no Django import).

Readers type what web search engines taught them, and the tip on /search/ promises it:

* words: a record must have every one (``pangu qwen``);
* ``"a phrase"``: these words next to each other, in this order; an unclosed quote runs to the end;
* ``OR`` (any case) between two words or phrases: either will do. It binds the two terms next to
  it, before the implicit AND: ``pangu qwen OR llama`` is pangu AND (qwen OR llama);
* ``-word`` or ``-"a phrase"``: leave out the records that have it. A minus inside a word
  (``gpt-4``) is part of the word.

Every other character is text, never an operator: each term becomes one quoted FTS5 string
(:func:`to_fts5`) or one bound ``phraseto_tsquery`` parameter (``claims.search``), so FTS5's
``*``, ``:``, ``^``, ``NEAR(``, ``AND`` and parentheses cannot reach the database's query parser.
Both databases treat a term as a phrase of the words their tokenizer finds in it (``Qwen2.5`` is
qwen2 then 5 on SQLite). A term with no letter or digit is dropped; a query left with nothing to
require (empty, only operators or punctuation, only exclusions) matches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# An optional minus, then a quoted phrase (the closing quote optional) or a run of other non-space.
TOKEN = re.compile(r'(?P<minus>-?)(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
WORDLIKE = re.compile(r"[^\W_]")  # a letter or a digit, in any script


@dataclass(frozen=True)
class ParsedQuery:
    """What a record must have: every group of ``required`` (any one term of each group), and none of
    ``excluded``. Each term is a phrase (a single word is a phrase of one)."""

    required: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.required)


def parse(text: str) -> ParsedQuery:
    """The reader's ``text`` as a :class:`ParsedQuery`. Never raises: any string is a query."""
    required: list[list[str]] = []
    excluded: list[str] = []
    after_required = False  # the last term read was a required one, so an OR may join the next
    joining = False
    for match in TOKEN.finditer(text):
        phrase, word, minus = match["phrase"], match["word"], match["minus"]
        if phrase is None and not minus and word.upper() == "OR":
            joining = after_required
            continue
        term = " ".join((word if phrase is None else phrase).split())
        if not WORDLIKE.search(term):
            continue
        if minus:
            excluded.append(term)
            after_required = joining = False
        elif joining:
            required[-1].append(term)
            joining = False
        else:
            required.append([term])
            after_required = True
    return ParsedQuery(tuple(tuple(group) for group in required), tuple(excluded))


def fts5_string(term: str) -> str:
    """``term`` as an FTS5 string: a phrase of its tokens, no character of it an operator."""
    return '"' + term.replace('"', '""') + '"'


def to_fts5(query: ParsedQuery) -> str:
    """The FTS5 ``MATCH`` expression of a non-empty ``query``, fully parenthesised."""
    if not query:
        raise ValueError("An empty query has no FTS5 expression; it matches nothing.")
    groups = " AND ".join("(" + " OR ".join(map(fts5_string, group)) + ")" for group in query.required)
    if not query.excluded:
        return groups
    return f"({groups}) NOT (" + " OR ".join(map(fts5_string, query.excluded)) + ")"
