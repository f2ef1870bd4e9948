"""The grammar of sentences the site writes itself: one helper per rule, so every page agrees.

On the models' side of ``claims.presentation``: the lineage selector writes sentences with it too.

``indefinite("upcycled version")`` → "an upcycled version"; ``relation_phrase("fine_tune")`` →
"a fine-tune of". Each AIModel relation reads as a noun phrase ending in "of", so a sentence is
always "Declared as <relation_phrase> <base>" ("Declared as an upcycled version of Qwen2.5-14B").
"""

from __future__ import annotations

# Words spelled with a vowel but said with a consonant sound ("a unified", "a one-shot"), and the
# reverse ("an hour", "an honest"). Lower-case prefixes; enough for the phrases this site writes.
_CONSONANT_SOUND = ("uni", "use", "usu", "one", "eu", "ur")
_VOWEL_SOUND = ("hour", "honest", "honour", "heir")

# AIModel.Relation value → the noun phrase, before "of <base model>".
RELATION_NOUNS = {
    "fine_tune": "fine-tune",
    "quantised": "quantised version",
    "merge": "merge",
    "distilled": "distilled version",
    "upcycled": "upcycled version",
    "pruned": "pruned version",
}


def article(phrase: str) -> str:
    """ "a" or "an" for ``phrase``, by the sound of its first word (a few exceptions listed above)."""
    word = phrase.strip().lower()
    if not word:
        return "a"
    if word.startswith(_VOWEL_SOUND):
        return "an"
    if word.startswith(_CONSONANT_SOUND):
        return "a"
    return "an" if word[0] in "aeiou" else "a"


def indefinite(phrase: str) -> str:
    """``phrase`` with its indefinite article: "an upcycled version", "a merge"."""
    return f"{article(phrase)} {phrase}"


def relation_noun(relation: str) -> str:
    """The relation as a noun phrase without article ("upcycled version"); "" for no relation."""
    return RELATION_NOUNS.get(relation, relation.replace("_", " ")) if relation else ""


def relation_phrase(relation: str) -> str:
    """The relation as it reads before the base model's name: "a fine-tune of", "an upcycled
    version of"; "" for no relation."""
    noun = relation_noun(relation)
    return f"{indefinite(noun)} of" if noun else ""


# Pairs of quotation marks a title may already carry (an editor pasted a headline with its quotes).
_QUOTE_PAIRS = (("“", "”"), ('"', '"'), ("‘", "’"), ("'", "'"), ("«", "»"), ("„", "“"))


def quoted(text: object) -> str:
    """``text`` in quotation marks, “like this”, unless it is already wholly quoted (no ““doubled””)."""
    text = str(text).strip()
    for opening, closing in _QUOTE_PAIRS:
        if len(text) >= 2 and text.startswith(opening) and text.endswith(closing):
            return text
    return f"“{text}”"
