"""Bard and ChatGPT's outputs (March 2023): The Information reported that Google trained Bard on
ChatGPT conversations scraped from ShareGPT, after a researcher's warning; Google denied it.

Every fact below comes from the source cited next to it.
"""

from datetime import date

from claims.demo.cases.common import CHATGPT, DAY, GOOGLE, OPENAI, outlet

PARTIES = [
    GOOGLE,
    OPENAI,
    {
        "slug": "the-information",
        "name": "The Information",
        "kind": "media_outlet",
        "identity_verified": True,
        "note": "Technology news outlet; reported the allegation, citing unnamed sources.",
    },
    {
        "slug": "jacob-devlin",
        "name": "Jacob Devlin",
        "kind": "person",
        "identity_verified": True,
        "note": "Former Google AI researcher who, according to The Information, warned Google's CEO and "
        "then joined OpenAI (Mint, 30 March 2023). The sources we read quote no public statement of his.",
    },
    outlet("the-verge", "The Verge", "Technology news site; obtained Google's denial."),
    outlet("mint", "Mint (livemint.com)", "Indian business daily."),
    outlet("benzinga", "Benzinga", "Financial news site."),
]

EVIDENCE = [
    {
        "slug": "mint-bard-chatgpt-2023-03-30",
        "title": "“Is Bard chatbot trained on ChatGPT data? Google replies” (Mint, 30 March 2023)",
        "kind": "media_report",
        "author": "mint",
        "url": "https://www.livemint.com/technology/tech-news/is-bard-chatbot-trained-on-chatgpt-data-google-replies-11680149831139.html",
        "published_on": date(2023, 3, 30),
        "date_precision": DAY,
        "description": (
            "Reports The Information's account: Google engineer Jacob Devlin told CEO Sundar Pichai and "
            "other executives that Bard's models were being trained using ChatGPT data from ShareGPT, "
            "warned that this would violate OpenAI's terms of service and make Bard sound like ChatGPT, "
            "and then joined OpenAI; Google may have stopped using the data after his warnings. Quotes "
            "Google's denial to The Verge."
        ),
    },
    {
        "slug": "verge-google-denies-bard-chatgpt",
        "title": "The Verge's report of Google's denial (Sean Hollister), as republished by aimarketingnewstoday.com",
        "kind": "media_report",
        "author": "the-verge",
        "url": "https://aimarketingnewstoday.com/?p=7321",
        "published_on": date(2023, 3, 30),
        "date_precision": DAY,
        "description": (
            "Copy of The Verge's article, bylined Sean Hollister. It calls the allegation “thirdhand”; "
            "quotes Google spokesperson Chris Pappas: “Bard is not trained on any data from ShareGPT or "
            "ChatGPT”; says Pappas declined to answer whether Google had ever used ChatGPT data to train "
            "Bard in the past (“Unfortunately, all I can share is our statement from yesterday”); update "
            "of 30 March, 2:02 PM ET: Google would not answer the follow-up. Dated by that update; we did "
            "not reach The Verge's own page."
        ),
    },
    {
        "slug": "benzinga-bard-chatgpt-2023-03-30",
        "title": "“Did Google Train Bard With ChatGPT Data? Here's What We Know” (Benzinga, 30 March 2023)",
        "kind": "media_report",
        "author": "benzinga",
        "url": "https://www.benzinga.com/news/23/03/31573641/did-google-train-bard-with-chatgpt-data-heres-what-we-know",
        "published_on": date(2023, 3, 30),
        "date_precision": DAY,
        "description": (
            "Reports the allegation and Google's denial; says the company stopped using the data after "
            "Devlin's warning, citing The Information's source, and that Google did not immediately "
            "respond to Benzinga's request for comment."
        ),
    },
]

AI_MODELS = [
    CHATGPT,
    {
        "slug": "bard",
        "name": "Bard",
        "developer": "google",
        "family": "Bard",
        "release_date": date(2023, 3, 22),
        "release_date_precision": DAY,
        "release_date_source": "mint-bard-chatgpt-2023-03-30",
        "description": "Google's chatbot, opened to the public on 22 March 2023 (Mint, 30 March 2023).",
    },
]

DISPUTE = {
    "slug": "bard-sharegpt-chatgpt",
    "title": "Was Google's Bard trained on ChatGPT conversations from ShareGPT?",
    "started_on": date(2023, 3, 29),
    "started_on_precision": DAY,
    "summary": (
        "In March 2023 The Information reported, citing unnamed sources, that Google had trained Bard "
        "on ChatGPT conversations shared on ShareGPT, and that researcher Jacob Devlin had warned against "
        "it before leaving for OpenAI. Google's spokesperson told The Verge that “Bard is not trained on "
        "any data from ShareGPT or ChatGPT” and declined to say whether it had been in the past."
    ),
    "models_at_stake": ["bard", "chatgpt"],
}

DISPUTE_ROLES = [
    ("the-information", "accuser", "Reported the allegation from unnamed sources."),
    ("jacob-devlin", "accuser", "Warned Google internally, according to The Information."),
    ("google", "accused", ""),
    ("openai", "rights_holder", "Developer of ChatGPT."),
    ("the-verge", "reporter", ""),
    ("mint", "reporter", ""),
]

CLAIMS = [
    {
        "slug": "information-bard-trained-on-sharegpt",
        "title": "The Information: Google trained Bard on ChatGPT data scraped from ShareGPT",
        "claimant": "the-information",
        "kind": "other",
        "made_on": date(2023, 3, 29),
        "date_precision": DAY,
        "venue": "The Information (as reported by Mint, The Verge and Benzinga)",
        "source": "mint-bard-chatgpt-2023-03-30",
        "subject_model": "bard",
        "alleged_source_model": "chatgpt",
        "statement": (
            "Bard's models were trained using ChatGPT data from ShareGPT, a site where users post their "
            "ChatGPT conversations; Jacob Devlin warned Google's CEO that this would violate OpenAI's terms "
            "of service and make Bard's answers too similar, then left for OpenAI; one source said Google "
            "stopped using the data after his warnings (as reported; we have not read The Information's "
            "article). Dated to the day of Google's first statement, which its spokesperson called “our "
            "statement from yesterday” in The Verge's article updated on 30 March; the exact day of the "
            "report is unconfirmed."
        ),
        "assessment": "contested",
        "assessment_rationale": (
            "Contested. Source of record: a statement by the model's owner, Google, denying it (“Bard is not trained on "
            "any data from ShareGPT or ChatGPT”, to The Verge), against a report The Verge calls "
            "thirdhand. Google declined to say whether such data was used in the past, which the report's "
            "account (use stopped after the warning) would concern."
        ),
    },
    {
        "slug": "google-denies-bard-sharegpt",
        "title": "Google: “Bard is not trained on any data from ShareGPT or ChatGPT”",
        "claimant": "google",
        "kind": "denial",
        "responds_to": "information-bard-trained-on-sharegpt",
        "made_on": date(2023, 3, 29),
        "date_precision": DAY,
        "venue": "Statement by spokesperson Chris Pappas to The Verge",
        "source": "verge-google-denies-bard-chatgpt",
        "subject_model": "bard",
        "statement": (
            "“Bard is not trained on any data from ShareGPT or ChatGPT.” Asked whether Google had ever used "
            "ChatGPT data to train Bard in the past, Pappas answered: “Unfortunately, all I can share is our "
            "statement from yesterday.” Dated 29 March because the spokesperson called it “our statement "
            "from yesterday” in The Verge's article, updated on 30 March (day inferred, unconfirmed)."
        ),
        "assessment": "unverified",
        "assessment_rationale": "The accused party's statement, in the present tense; it does not cover "
        "past training and we have not verified it.",
    },
]

EVIDENCE_LINKS = [
    ("information-bard-trained-on-sharegpt", "mint-bard-chatgpt-2023-03-30", "supports", "Reports the allegation."),
    ("information-bard-trained-on-sharegpt", "benzinga-bard-chatgpt-2023-03-30", "supports", "Reports the allegation."),
    ("information-bard-trained-on-sharegpt", "verge-google-denies-bard-chatgpt", "refutes", "Google's denial."),
    ("google-denies-bard-sharegpt", "verge-google-denies-bard-chatgpt", "supports", "Quotes the denial."),
    ("google-denies-bard-sharegpt", "mint-bard-chatgpt-2023-03-30", "supports", "Quotes the denial."),
]  # fmt: skip

RIGHTS_OF_REPLY = [
    {
        "claim": "information-bard-trained-on-sharegpt",
        "party": "google",
        "asked_by": "the-verge",
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": date(2023, 3, 29),
        "answer": "“Bard is not trained on any data from ShareGPT or ChatGPT.” On past use: “Unfortunately, "
        "all I can share is our statement from yesterday.” (spokesperson Chris Pappas)",
        "source": "verge-google-denies-bard-chatgpt",
    },
    {
        "claim": "information-bard-trained-on-sharegpt",
        "party": "jacob-devlin",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2023, 3, 30),
        "source": "mint-bard-chatgpt-2023-03-30",
    },
    {
        "claim": "information-bard-trained-on-sharegpt",
        "party": "openai",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2023, 3, 30),
        "source": "mint-bard-chatgpt-2023-03-30",
    },
]
