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

Model names are compounds (``llama2-7b``, ``Qwen2.5-14B``) that both tokenizers keep whole
(``llama2``, ``qwen2.5-14b``), so a bare required word of three or more letters or digits (a
trailing ``*`` allowed) also matches as the start of a word (:func:`prefix_of`): ``llama`` finds
``llama2-7b`` and ``Qwen`` finds ``Qwen2.5-14B`` on both databases. A quoted word, a phrase and an
exclusion match exactly; the search ranks exact matches first (``claims.search``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# An optional minus, then a quoted phrase (the closing quote optional) or a run of other non-space.
TOKEN = re.compile(r'(?P<minus>-?)(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
WORDLIKE = re.compile(r"[^\W_]")  # a letter or a digit, in any script
PREFIXABLE = re.compile(r"[^\W_]{3,}")  # one word of three or more letters or digits


@dataclass(frozen=True)
class ParsedQuery:
    """What a record must have: every group of ``required`` (any one term of each group), and none of
    ``excluded``. Each term is a phrase (a single word is a phrase of one)."""

    required: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    quoted: frozenset[str] = frozenset()  # required words the reader quoted: never matched as a prefix

    def __bool__(self) -> bool:
        return bool(self.required)


def parse(text: str) -> ParsedQuery:
    """The reader's ``text`` as a :class:`ParsedQuery`. Never raises: any string is a query."""
    required: list[list[str]] = []
    excluded: list[str] = []
    quoted: set[str] = set()
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
        if phrase is not None and not minus and PREFIXABLE.fullmatch(term):
            quoted.add(term)
    return ParsedQuery(tuple(tuple(group) for group in required), tuple(excluded), frozenset(quoted))


def prefix_of(query: ParsedQuery, term: str) -> str | None:
    """The word that required ``term`` of ``query`` also matches as the start of (``llama`` for
    ``llama`` or ``llama*``), or None: a quoted word, a phrase, punctuation or under 3 characters."""
    word = term.rstrip("*")
    if term in query.quoted or not PREFIXABLE.fullmatch(word):
        return None
    return word


def has_prefixes(query: ParsedQuery) -> bool:
    return any(prefix_of(query, term) for group in query.required for term in group)


def fts5_string(term: str) -> str:
    """``term`` as an FTS5 string: a phrase of its tokens, no character of it an operator."""
    return '"' + term.replace('"', '""') + '"'


def to_fts5(query: ParsedQuery, *, prefixes: bool = True) -> str:
    """The FTS5 ``MATCH`` expression of a non-empty ``query``, fully parenthesised; with ``prefixes``
    (the matching), each :func:`prefix_of` word as a prefix query (``"llama" *``), without (the
    ranking of exact matches) every term as written."""
    if not query:
        raise ValueError("An empty query has no FTS5 expression; it matches nothing.")

    def required(term: str) -> str:
        word = prefix_of(query, term) if prefixes else None
        return fts5_string(term) if word is None else fts5_string(word) + " *"

    groups = " AND ".join("(" + " OR ".join(map(required, group)) + ")" for group in query.required)
    if not query.excluded:
        return groups
    return f"({groups}) NOT (" + " OR ".join(map(fts5_string, query.excluded)) + ")"
