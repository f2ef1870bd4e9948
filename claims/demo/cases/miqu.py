"""miqu-1-70b (January-February 2024): an anonymous upload that users tied to Mistral AI, and that
Mistral's CEO confirmed was a leaked, quantised and watermarked old Mistral model based on Llama 2.

Every fact below comes from the source cited next to it.
"""

from datetime import date

from claims.demo.cases.common import DAY, LLAMA_2, META, MONTH, outlet

PARTIES = [
    META,
    {
        "slug": "mistral-ai",
        "name": "Mistral AI",
        "kind": "organisation",
        "identity_verified": True,
        "note": "Paris-based AI company behind Mixtral 8x7b (OODA Loop, 1 February 2024).",
    },
    {
        "slug": "arthur-mensch",
        "name": "Arthur Mensch",
        "kind": "person",
        "parent": "mistral-ai",
        "identity_verified": True,
        "note": "Co-founder and CEO of Mistral AI.",
    },
    {
        "slug": "miqu-dev",
        "name": "“Miqu Dev” (Hugging Face user)",
        "kind": "pseudonymous",
        "identity_verified": False,
        "note": "Posted the miqu-1-70b files on Hugging Face on or about 28 January 2024 (OODA Loop). Mistral's "
        "CEO attributes the leak to an employee of an early-access customer (The Decoder); who is behind "
        "the handle is not known.",
    },
    {
        "slug": "miqu-speculating-users",
        "name": "Users on Hugging Face, 4chan and X who traced miqu-1-70b to Mistral",
        "kind": "pseudonymous",
        "identity_verified": False,
        "note": "Several posts; the sources we record do not name their authors.",
    },
    outlet("ooda-loop", "OODA Loop", "Publishes briefs of news reports; this one summarises VentureBeat."),
    outlet("the-decoder", "The Decoder", "German technology news site (English edition)."),
    outlet("towards-ai", "Towards AI", "Publishing platform for machine-learning articles."),
]

EVIDENCE = [
    {
        "slug": "ooda-loop-miqu-2024-02-01",
        "title": "“Mistral CEO confirms ‘leak’ of new open source AI model nearing GPT-4 performance” (OODA Loop brief, 1 February 2024)",
        "kind": "media_report",
        "author": "ooda-loop",
        "url": "https://www.oodaloop.com/briefs/2024/02/01/mistral-ceo-confirms-leak-of-new-open-source-ai-model-nearing-gpt-4-performance/",
        "published_on": date(2024, 2, 1),
        "date_precision": DAY,
        "description": (
            "Chronology: on or about 28 January 2024 a user with the handle “Miqu Dev” posted the files of "
            "“miqu-1-70b” on Hugging Face, whose entry noted that its prompt format was the same as "
            "Mistral's; the same day an anonymous 4chan user posted a link to the files; users speculated "
            "that Mistral itself, an employee or a customer had leaked it."
        ),
    },
    {
        "slug": "the-decoder-miqu",
        "title": "“Unintentional AI leak from Mistral becomes an unexpected powerhouse” (The Decoder, Maximilian Schreiner)",
        "kind": "media_report",
        "author": "the-decoder",
        "url": "https://the-decoder.com/unintentional-ai-leak-from-mistral-becomes-an-unexpected-powerhouse/?amp=1",
        "published_on": date(2024, 2, 1),
        "date_precision": MONTH,
        "description": (
            "Reports Arthur Mensch's confirmation on X: an “over-enthusiastic employee” of an early-access "
            "customer released a quantised and watermarked version of an old model Mistral had trained "
            "based on Meta's Llama 2, whose pre-training was completed when Mistral-7B was released. "
            "Mensch did not ask for the Hugging Face post to be removed and suggested, jokingly, that the "
            "poster “might consider attribution”. The copy we read shows no publication date; it says "
            "the confirmation came “yesterday”; dated to February 2024 by the OODA Loop brief of 1 "
            "February that reports the confirmation (day unconfirmed)."
        ),
    },
    {
        "slug": "towards-ai-miqu",
        "title": "“[Miqu-1–70b] Where does Miqu come from? Is it really Mistral-Medium?” (Towards AI, Gao Dalie)",
        "kind": "media_report",
        "author": "towards-ai",
        "url": "https://towardsai.net/p/machine-learning/miqu-1-70b-where-does-miqu-come-from-is-it-really-mistral-medium",
        "published_on": date(2024, 2, 1),
        "date_precision": MONTH,
        "description": (
            "Says several posts on the miqu-1-70b Hugging Face project pointed out that its prompt format "
            "is the same as that of Mistral Medium. The copy we read shows no publication date: dated to "
            "the month of the events it reports (date unconfirmed)."
        ),
    },
]

AI_MODELS = [
    LLAMA_2,
    {
        "slug": "miqu-1-70b",
        "name": "miqu-1-70b",
        "developer": "mistral-ai",
        "family": "Mistral (unreleased)",
        "architecture": "dense transformer (Llama 2 based, per Mistral's CEO)",
        "release_date": None,
        "release_date_precision": DAY,
        "release_date_source": None,
        "description": (
            "Never released by Mistral: a quantised and watermarked copy of an old Mistral model, posted on "
            "Hugging Face by “Miqu Dev” on or about 28 January 2024 (OODA Loop). Mistral's CEO says the "
            "model was trained by Mistral based on Llama 2 (The Decoder). It is not recorded as a declared base "
            "because the statement does not say how (fine-tune or otherwise) the model was derived. “70b” is the uploader's name for it; its size is not confirmed by Mistral "
            "in the sources we read."
        ),
    },
]

DISPUTE = {
    "slug": "miqu-1-70b-mistral",
    "title": "Was “miqu-1-70b” a leaked Mistral model?",
    "started_on": date(2024, 1, 28),
    "started_on_precision": DAY,
    "summary": (
        "On or about 28 January 2024 an anonymous Hugging Face user posted “miqu-1-70b”, a model whose "
        "prompt format matched Mistral's. Users speculated that it came from Mistral. Mistral's CEO, "
        "Arthur Mensch, confirmed that an over-enthusiastic employee of an early-access customer had "
        "leaked a quantised and watermarked version of an old Mistral model based on Llama 2, and did not "
        "ask for its removal."
    ),
    "models_at_stake": ["miqu-1-70b", "llama-2"],
}

DISPUTE_ROLES = [
    ("miqu-speculating-users", "accuser", "Traced the upload to Mistral."),
    ("miqu-dev", "accused", "Posted the leaked files."),
    ("mistral-ai", "rights_holder", "Owner of the leaked model."),
    ("arthur-mensch", "rights_holder", "Mistral's CEO; confirmed the leak."),
    ("ooda-loop", "reporter", ""),
    ("the-decoder", "reporter", ""),
]

_SUPPORTED = (
    "Supported. Source of record: a statement by the model's owner — Mistral's CEO Arthur Mensch "
    "confirmed on X that miqu-1-70b is a quantised and watermarked version of an old Mistral model, "
    "leaked by an employee of an early-access customer (as reported by The Decoder and OODA Loop). "
    "Whether it is the model sold as Mistral Medium, as some users said, is not confirmed by that statement."
)

CLAIMS = [
    {
        "slug": "miqu-is-a-mistral-model",
        "title": "miqu-1-70b is a Mistral model, leaked",
        "claimant": "miqu-speculating-users",
        "kind": "other",
        "made_on": date(2024, 1, 28),
        "date_precision": DAY,
        "venue": "Hugging Face, 4chan, X and LinkedIn posts",
        "source": "ooda-loop-miqu-2024-02-01",
        "subject_model": "miqu-1-70b",
        "statement": (
            "Users noted that miqu-1-70b's prompt format is the same as Mistral's — several posts said "
            "Mistral Medium's (Towards AI) — and speculated that Mistral, an employee or a customer had "
            "leaked it (OODA Loop). "
            "The posts began on or about 28 January 2024."
        ),
        "assessment": "supported",
        "assessment_rationale": _SUPPORTED,
    },
    {
        "slug": "mensch-confirms-miqu-leak",
        "title": "Mistral's CEO: an early-access customer's employee leaked an old, quantised and watermarked Mistral model",
        "claimant": "arthur-mensch",
        "kind": "clarification",
        "responds_to": "miqu-is-a-mistral-model",
        "made_on": date(2024, 2, 1),
        "date_precision": MONTH,
        "venue": "Post on X (and a reply on the Hugging Face page)",
        "source": "the-decoder-miqu",
        "subject_model": "miqu-1-70b",
        "statement": (
            "An “over-enthusiastic employee” of one of Mistral's early-access customers released a "
            "quantised and watermarked version of an old model Mistral trained, based on Llama 2; its "
            "pre-training was completed at the time of Mistral-7B's release. On Hugging Face he suggested "
            "the poster “might consider attribution” rather than asking for removal (as reported by The "
            "Decoder). Made by 1 February 2024 (OODA Loop); the exact day is unconfirmed."
        ),
        "assessment": "unverified",
        "assessment_rationale": "The owner's own account of the leak; we have not verified the weights.",
    },
]

EVIDENCE_LINKS = [
    ("miqu-is-a-mistral-model", "ooda-loop-miqu-2024-02-01", "supports", "The chronology of the upload and speculation."),
    ("miqu-is-a-mistral-model", "towards-ai-miqu", "supports", "Posts pointing to Mistral Medium's prompt format."),
    ("miqu-is-a-mistral-model", "the-decoder-miqu", "supports", "The owner confirms the model is Mistral's."),
    ("mensch-confirms-miqu-leak", "the-decoder-miqu", "supports", "Reports the CEO's statement."),
    ("mensch-confirms-miqu-leak", "ooda-loop-miqu-2024-02-01", "context", "Dates the confirmation by 1 February 2024."),
]  # fmt: skip

RIGHTS_OF_REPLY = [
    {
        "claim": "miqu-is-a-mistral-model",
        "party": "mistral-ai",
        "asked_by": None,
        "asked_on": None,
        "date_precision": MONTH,
        "outcome": "answered",
        "outcome_on": date(2024, 2, 1),
        "answer": "Through its CEO: the model is an old Mistral model, leaked in a quantised and "
        "watermarked version by an “over-enthusiastic employee” of an early-access customer.",
        "source": "the-decoder-miqu",
    },
    {
        "claim": "miqu-is-a-mistral-model",
        "party": "miqu-dev",
        "asked_by": "arthur-mensch",
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2024, 2, 1),
        "source": "ooda-loop-miqu-2024-02-01",
    },
]
