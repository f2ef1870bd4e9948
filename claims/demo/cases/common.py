"""Records that several documented cases name: shared parties, outlets and models.

A record named by two cases is defined once, here, and imported by both: the loader matches by
slug, so two different definitions of one slug would rewrite each other on every load and the
load would stop being idempotent. Every fact here comes from a source cited in a case module.
"""

DAY = "day"
MONTH = "month"
YEAR = "year"

# Who translated the quotes in these records: flagged as machine translation, because it is one.
TRANSLATOR = "Claude (AI model) for Provenance; not yet checked by a human translator"

META = {
    "slug": "meta",
    "name": "Meta",
    "kind": "organisation",
    "identity_verified": True,
    "note": "Developer of the Llama models.",
}
OPENAI = {
    "slug": "openai",
    "name": "OpenAI",
    "kind": "organisation",
    "identity_verified": True,
    "note": "Developer of ChatGPT.",
}
GOOGLE = {
    "slug": "google",
    "name": "Google",
    "kind": "organisation",
    "identity_verified": True,
    "note": "Alphabet's subsidiary; developer of the Bard chatbot.",
}
ANTHROPIC = {
    "slug": "anthropic",
    "name": "Anthropic",
    "kind": "organisation",
    "identity_verified": True,
    "note": "Developer of the Claude models.",
}


def outlet(slug: str, name: str, note: str = "") -> dict:
    """A publisher of a source we cite: named so each source says who published it."""
    return {"slug": slug, "name": name, "kind": "media_outlet", "identity_verified": True, "note": note}


LLAMA_2 = {
    "slug": "llama-2",
    "name": "Llama 2",
    "developer": "meta",
    "family": "Llama 2",
    "architecture": "dense transformer",
    "release_date": None,
    "release_date_precision": DAY,
    "release_date_source": None,
    "description": (
        "Meta's Llama 2 family, recorded here as a family: the cases that name it do not say which "
        "size they mean, except where their own record says so. Its release date is not recorded: "
        "no source we cite for these cases states it."
    ),
}
CHATGPT = {
    "slug": "chatgpt",
    "name": "ChatGPT",
    "developer": "openai",
    "family": "GPT",
    "release_date": None,
    "release_date_precision": DAY,
    "release_date_source": None,
    "description": "OpenAI's chatbot. Which underlying model a case refers to is said in that case.",
}
