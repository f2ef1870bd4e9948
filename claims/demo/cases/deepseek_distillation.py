"""OpenAI and DeepSeek's distillation (January 2025 - February 2026): OpenAI said it had evidence that
DeepSeek distilled its models to train its own, without publishing that evidence; a year later it
told a House committee that DeepSeek-linked accounts kept doing so. DeepSeek has no response on record.

Every fact below comes from the source cited next to it.
"""

from datetime import date

from claims.demo.cases.common import DAY, MONTH, OPENAI, outlet

UNDATED = (
    " The copy we read shows no publication date: it is dated to the month of the events it reports "
    "(date unconfirmed)."
)

PARTIES = [
    OPENAI,
    {
        "slug": "deepseek",
        "name": "DeepSeek",
        "kind": "organisation",
        "identity_verified": True,
        "note": "Hangzhou-based AI start-up, developer of DeepSeek-V3 and DeepSeek-R1; its parent company is "
        "High-Flyer (photonews.com.pk).",
    },
    {
        "slug": "david-sacks",
        "name": "David Sacks",
        "kind": "person",
        "identity_verified": True,
        "note": "White House AI and crypto czar under President Trump (Inc., 29 January 2025).",
    },
    {
        "slug": "financial-times",
        "name": "Financial Times",
        "kind": "media_outlet",
        "identity_verified": True,
        "note": "First reported OpenAI's claim (Inc., 29 January 2025).",
    },
    outlet("inc", "Inc.", "US business magazine."),
    outlet("datacenterdynamics", "DatacenterDynamics", "Data-centre industry news site."),
    outlet("ganjingworld", "Gan Jing World", "Video and news platform; article by Gao Yun."),
    outlet("photonews-pk", "Photo News (photonews.com.pk)", "Pakistani news site."),
]

EVIDENCE = [
    {
        "slug": "inc-openai-deepseek-2025-01-29",
        "title": "“OpenAI seems concerned that DeepSeek copied their work” (Inc., Ben Sherry, 29 January 2025)",
        "kind": "media_report",
        "author": "inc",
        "url": "https://www.inc.com/ben-sherry/openai-seems-concerned-that-deepseek-copied-their-work/91140698",
        "published_on": date(2025, 1, 29),
        "date_precision": DAY,
        "description": (
            "Reports, citing the Financial Times, that OpenAI claims to have found evidence that DeepSeek "
            "used data produced by OpenAI's technology to improve its own models, in breach of OpenAI's "
            "terms of service; that, according to Bloomberg, Microsoft security researchers saw a group "
            "believed to be connected to DeepSeek transferring large amounts of data through OpenAI's API "
            "in the autumn of 2024; that David Sacks told Fox News he had seen “substantial evidence” of "
            "distillation; and that DeepSeek released R1, built on V3, earlier that month."
        ),
    },
    {
        "slug": "dcd-openai-deepseek-statement",
        "title": "“OpenAI claims DeepSeek used its model to train cheaper alternative” (DatacenterDynamics)",
        "kind": "media_report",
        "author": "datacenterdynamics",
        "url": "https://datacenterdynamics.com/en/news/openai-claims-deepseek-used-its-model-to-train-cheaper-alternative",
        "published_on": date(2025, 1, 1),
        "date_precision": MONTH,
        "description": (
            "Says OpenAI claims it has evidence that DeepSeek used its models to help train V3, has not "
            "provided proof, and quotes OpenAI's statement: “We know PRC-based companies - and others - "
            "are constantly trying to distill the models of leading US AI companies.”" + UNDATED
        ),
    },
    {
        "slug": "ganjingworld-openai-memo-2026",
        "title": "OpenAI's memo to the House Select Committee on DeepSeek (Gan Jing World, Gao Yun)",
        "kind": "media_report",
        "author": "ganjingworld",
        "url": "https://www.ganjingworld.com/article/1ian2aqffhn3t65gRyqiZkiEV1bg1c",
        "published_on": date(2026, 2, 1),
        "date_precision": MONTH,
        "description": (
            "Reports that Bloomberg wrote on Thursday 12 February of OpenAI's memorandum to the House "
            "Select Committee on the Chinese Communist Party, and quotes the memo as reviewed by Reuters: "
            "“We have observed that accounts linked to DeepSeek employees are developing methods to "
            "circumvent OpenAI's access restrictions and are using obfuscated third-party routers and "
            "other means to conceal their true origin in order to access our models.”" + UNDATED
        ),
    },
    {
        "slug": "photonews-openai-deepseek-memo",
        "title": "“OpenAI accuses DeepSeek of distillation” (Photo News)",
        "kind": "media_report",
        "author": "photonews-pk",
        "url": "https://photonews.com.pk/openai-accuses-deepseek-ai-distillation",
        "published_on": date(2026, 2, 1),
        "date_precision": MONTH,
        "description": (
            "Reports the memo's accusation of “ongoing efforts to free-ride” on US frontier labs and that "
            "DeepSeek and its parent company, High-Flyer, did not immediately respond to requests for "
            "comment, according to reports." + UNDATED
        ),
    },
]

AI_MODELS = [
    {
        "slug": "deepseek-v3",
        "name": "DeepSeek-V3",
        "developer": "deepseek",
        "family": "DeepSeek",
        "release_date": None,
        "release_date_precision": DAY,
        "release_date_source": None,
        "description": "DeepSeek's flagship model, on which R1 is built (Inc., 29 January 2025). Its release "
        "date is not recorded: no source we cite for this case states it.",
    },
    {
        "slug": "deepseek-r1",
        "name": "DeepSeek-R1",
        "developer": "deepseek",
        "family": "DeepSeek",
        "release_date": date(2025, 1, 1),
        "release_date_precision": MONTH,
        "release_date_source": "inc-openai-deepseek-2025-01-29",
        "description": "Reasoning model built on V3, released in January 2025 (Inc.: “earlier this month”, "
        "29 January 2025).",
    },
]

DISPUTE = {
    "slug": "openai-deepseek-distillation",
    "title": "Did DeepSeek train its models on OpenAI's outputs?",
    "started_on": date(2025, 1, 29),
    "started_on_precision": DAY,
    "summary": (
        "In January 2025, after DeepSeek released R1, OpenAI told the Financial Times it had seen evidence "
        "of “distillation” it suspected came from DeepSeek, without publishing it. On 12 February "
        "2026 it told a House committee that accounts linked to DeepSeek employees were circumventing its "
        "access restrictions to obtain outputs for distillation. DeepSeek has no response on record."
    ),
    "models_at_stake": ["deepseek-v3", "deepseek-r1"],
}

DISPUTE_ROLES = [
    ("openai", "accuser", "Also the rights holder of the models said to be distilled."),
    ("david-sacks", "accuser", ""),
    ("deepseek", "accused", ""),
    ("financial-times", "reporter", ""),
    ("inc", "reporter", ""),
]

CLAIMS = [
    {
        "slug": "openai-deepseek-distillation-evidence",
        "title": "OpenAI: we have seen evidence that DeepSeek distilled our models",
        "claimant": "openai",
        "kind": "other",
        "made_on": date(2025, 1, 29),
        "date_precision": DAY,
        "venue": "Statements to the Financial Times (as reported by Inc. and DatacenterDynamics)",
        "source": "inc-openai-deepseek-2025-01-29",
        "subject_model": "deepseek-v3",
        "statement": (
            "OpenAI has seen some evidence of “distillation” that it suspects comes from DeepSeek, which "
            "would breach its terms of service; it has not provided proof (DatacenterDynamics). "
            "In a statement: “We know PRC-based companies - and others - are constantly trying to distill "
            "the models of leading US AI companies.” The date is that of the Inc. report."
        ),
        "assessment": "unverified",
        "assessment_rationale": "OpenAI has not published its evidence (DatacenterDynamics); DeepSeek has no "
        "response on record; no analysis of the weights is on record here.",
    },
    {
        "slug": "sacks-substantial-evidence",
        "title": "David Sacks: “substantial evidence” that DeepSeek distilled OpenAI's models",
        "claimant": "david-sacks",
        "kind": "other",
        "made_on": date(2025, 1, 1),
        "date_precision": MONTH,
        "venue": "Fox News interview (as reported by Inc.)",
        "source": "inc-openai-deepseek-2025-01-29",
        "subject_model": "deepseek-r1",
        "statement": "Sacks said he had seen “substantial evidence” that DeepSeek distilled knowledge from "
        "OpenAI's models, without providing it (as reported by Inc.).",
        "assessment": "unverified",
        "assessment_rationale": "No evidence was published with the statement.",
    },
    {
        "slug": "openai-memo-deepseek-free-riding",
        "title": "OpenAI to a House committee: DeepSeek-linked accounts circumvent our restrictions to distil",
        "claimant": "openai",
        "kind": "other",
        "made_on": date(2026, 2, 12),
        "date_precision": DAY,
        "venue": "Memo to the House Select Committee on China",
        "source": "ganjingworld-openai-memo-2026",
        "subject_model": "deepseek-r1",
        "statement": (
            "Accounts linked to DeepSeek employees developed methods to circumvent OpenAI's access "
            "restrictions through obfuscated third-party routers, and DeepSeek employees wrote code to "
            "obtain outputs of US models for distillation — “ongoing efforts to free-ride on the "
            "capabilities developed by OpenAI and other US frontier labs” (as quoted in reports)."
        ),
        "assessment": "unverified",
        "assessment_rationale": "The memo's evidence is not public in the sources we read; DeepSeek did not "
        "immediately respond (Photo News).",
    },
]

EVIDENCE_LINKS = [
    ("openai-deepseek-distillation-evidence", "inc-openai-deepseek-2025-01-29", "supports", "Reports the claim."),
    ("openai-deepseek-distillation-evidence", "dcd-openai-deepseek-statement", "supports", "Quotes OpenAI's statement; notes no proof was provided."),
    ("sacks-substantial-evidence", "inc-openai-deepseek-2025-01-29", "supports", "Reports the remark."),
    ("openai-memo-deepseek-free-riding", "ganjingworld-openai-memo-2026", "supports", "Quotes the memo."),
    ("openai-memo-deepseek-free-riding", "photonews-openai-deepseek-memo", "supports", "Reports the memo and DeepSeek's silence."),
]  # fmt: skip

RIGHTS_OF_REPLY = [
    {
        "claim": "openai-memo-deepseek-free-riding",
        "party": "deepseek",
        "asked_by": None,
        "asked_on": None,
        "date_precision": MONTH,
        "outcome": "no_response",
        "outcome_on": date(2026, 2, 1),
        "source": "photonews-openai-deepseek-memo",
    },
    {
        "claim": "openai-deepseek-distillation-evidence",
        "party": "deepseek",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2025, 1, 29),
        "source": "inc-openai-deepseek-2025-01-29",
    },
]
