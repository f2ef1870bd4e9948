"""Reflection 70B and its claimed base (September-October 2024): announced as a Llama 3.1 70B
fine-tune and "the world's top open-source model"; evaluators could not reproduce its scores, users
said its weights looked like Llama 3 and its hosted API like Claude; its makers apologised and
published a post-mortem.

Every fact below comes from the source cited next to it.
"""

from datetime import date

from claims.demo.cases.common import ANTHROPIC, DAY, META, MONTH, outlet

UNDATED = (
    " The copy we read shows no publication date: it is dated to the month of the events it reports "
    "(date unconfirmed)."
)

PARTIES = [
    META,
    ANTHROPIC,
    {
        "slug": "hyperwrite",
        "name": "HyperWrite (OthersideAI)",
        "kind": "organisation",
        "aliases": "OthersideAI",
        "identity_verified": True,
        "note": "New York start-up behind the HyperWrite writing assistant (VentureBeat).",
    },
    {
        "slug": "matt-shumer",
        "name": "Matt Shumer",
        "kind": "person",
        "parent": "hyperwrite",
        "identity_verified": True,
        "note": "Co-founder and CEO of HyperWrite (OthersideAI); announced Reflection 70B.",
    },
    {
        "slug": "glaive-ai",
        "name": "Glaive AI",
        "kind": "organisation",
        "identity_verified": True,
        "note": "Synthetic-data company whose data trained Reflection 70B. Tom's Guide reports that Shumer "
        "had an undisclosed interest in it.",
    },
    {
        "slug": "sahil-chaudhary",
        "name": "Sahil Chaudhary",
        "kind": "person",
        "parent": "glaive-ai",
        "identity_verified": True,
        "note": "Trained Reflection 70B on Glaive-generated data (his post-mortem of 2 October 2024).",
    },
    {
        "slug": "artificial-analysis",
        "name": "Artificial Analysis",
        "kind": "organisation",
        "identity_verified": True,
        "note": "Independent evaluator of AI models.",
    },
    {
        "slug": "localllama-users",
        "name": "r/LocalLLaMA users",
        "kind": "pseudonymous",
        "identity_verified": False,
        "note": "Reddit users who examined the weights and the hosted API; not individually named in the "
        "sources we read.",
    },
    outlet("venturebeat", "VentureBeat", "Technology news site."),
    outlet("toms-guide", "Tom's Guide", "Technology news site."),
    outlet("pat-mcguinness", "Patrick McGuinness (Substack)", "AI newsletter."),
]

EVIDENCE = [
    {
        "slug": "venturebeat-reflection-questioned",
        "title": "“New open source AI leader Reflection 70B's performance questioned, accused of ‘fraud’” (VentureBeat)",
        "kind": "media_report",
        "author": "venturebeat",
        "url": "https://venturebeat-com-develop.go-vip.co/ai/new-open-source-ai-leader-reflection-70bs-performance-questioned-accused-of-fraud",
        "published_on": date(2024, 9, 1),
        "date_precision": MONTH,
        "description": (
            "Says Shumer announced Reflection 70B on X as “the world's top open-source model”, a variant "
            "of Meta's Llama 3.1 — “or wait, was it a variant of the older Llama 3?” — trained with "
            "“Reflection Tuning”, and that third-party evaluators failed to reproduce some of its "
            "benchmarks. It dates the announcement Friday 6 September 2024, while Glaive's post-mortem says "
            "5 September (discrepancy unresolved). We read it on a "
            "VentureBeat staging address." + UNDATED
        ),
    },
    {
        "slug": "toms-guide-reflection",
        "title": "“The Reflection 70B model held huge promise for AI but now its creators are accused of fraud” (Tom's Guide)",
        "kind": "media_report",
        "author": "toms-guide",
        "url": "https://tomsguide.com/ai/the-reflection-70b-model-held-huge-promise-for-ai-but-now-its-creators-are-accused-of-fraud-heres-what-went-wrong",
        "published_on": date(2024, 9, 1),
        "date_precision": MONTH,
        "description": (
            "Reports Artificial Analysis's lower results (7 September); Shumer's explanation of an upload "
            "error; community analysis on Reddit and GitHub that the model performs like Llama 3 rather "
            "than Llama 3.1; critics' accusation that it is a thin wrapper around Anthropic's Claude; and "
            "quotes Shumer's post of 10 September 2024 (the quote as shown in a copy of the same article at "
            "https://d33gy59ovltp76.cloudfront.net/news/the-reflection-70b-model-held-huge-promise-for-ai-but-now-its-creators-are-accused-of-fraud-here-s-what-went-wrong)."
            + UNDATED
        ),
    },
    {
        "slug": "mcguinness-reflections-on-ai-hype",
        "title": "“Reflections on AI Hype” (Patrick McGuinness, Substack)",
        "kind": "media_report",
        "author": "pat-mcguinness",
        "url": "https://patmcguinness.substack.com/p/reflections-on-ai-hype",
        "published_on": date(2024, 9, 1),
        "date_precision": MONTH,
        "description": (
            "Quotes Artificial Analysis (7 September): “We have been unable to replicate the eval results "
            "claimed in our independent testing and are seeing worse performance than Meta's Llama 3.1 "
            "70B, not better.” Reports that other indicators and examination of the weights suggested a "
            "Llama 3 70B base, and r/LocalLLaMA posts titled “OpenRouter Reflection 70B claims to be "
            "Claude, Created by Anthropic” and “CONFIRMED: Reflection 70B's official API is Sonnet 3.5”."
            + UNDATED
        ),
    },
    {
        "slug": "glaive-reflection-postmortem",
        "title": "“Update on Reflection-70B” (Sahil Chaudhary, Glaive AI, 2 October 2024)",
        "kind": "statement",
        "author": "glaive-ai",
        "url": "https://glaive.ai/blog/post/reflection-postmortem",
        "published_on": date(2024, 10, 2),
        "date_precision": DAY,
        "description": (
            "Post-mortem: Reflection 70B was “finetuned on top of Llama 3.1 70B” and trained by Chaudhary "
            "on Glaive-generated data; he publishes the weights (huggingface.co/glaiveai/"
            "Reflection-Llama-3.1-70B), training data, scripts and evaluation code; reports reproduced "
            "scores (MMLU 90.94% against 89.9% originally reported, GSM8K 95.22% against 99.2%, MATH "
            "70.8% against 79.7%) and a bug in the initial benchmark code. The part of the post we read "
            "does not address the allegation about the hosted API."
        ),
    },
]

AI_MODELS = [
    {
        "slug": "llama-3-1-70b",
        "name": "Llama 3.1 70B",
        "developer": "meta",
        "family": "Llama 3.1",
        "release_date": None,
        "release_date_precision": DAY,
        "release_date_source": None,
        "description": "Meta's model, Reflection 70B's declared base. Release date not recorded: no "
        "source we cite for this case states it.",
    },
    {
        "slug": "llama-3-70b",
        "name": "Llama 3 70B",
        "developer": "meta",
        "family": "Llama 3",
        "release_date": None,
        "release_date_precision": DAY,
        "release_date_source": None,
        "description": "Meta's earlier model, which users said Reflection 70B's weights resemble.",
    },
    {
        "slug": "claude-3-5-sonnet",
        "name": "Claude 3.5 Sonnet",
        "developer": "anthropic",
        "family": "Claude 3.5",
        "release_date": None,
        "release_date_precision": DAY,
        "release_date_source": None,
        "description": "Anthropic's model, which users said answered behind Reflection 70B's hosted API.",
    },
    {
        "slug": "reflection-70b",
        "name": "Reflection 70B",
        "developer": "hyperwrite",
        "family": "Reflection",
        "declared_base": "llama-3-1-70b",
        "declared_relation": "fine_tune",
        "release_date": date(2024, 9, 1),
        "release_date_precision": MONTH,
        "release_date_source": "glaive-reflection-postmortem",
        "description": (
            "Announced by Matt Shumer on 5 or 6 September 2024 (sources differ) as a Llama 3.1 70B "
            "fine-tune trained with “Reflection Tuning” on Glaive-generated data. The weights republished "
            "with the post-mortem are at huggingface.co/glaiveai/Reflection-Llama-3.1-70B."
        ),
    },
]

DISPUTE = {
    "slug": "reflection-70b-base",
    "title": "What was Reflection 70B built on, and what answered behind its API?",
    "started_on": date(2024, 9, 7),
    "started_on_precision": DAY,
    "summary": (
        "Matt Shumer announced Reflection 70B in September 2024 as “the world's top open-source model”, a "
        "Llama 3.1 70B fine-tune. From 7 September Artificial Analysis could not reproduce its scores; "
        "users said its weights looked like Llama 3 70B and its hosted API answered like Anthropic's "
        "Claude. Shumer apologised on 10 September for getting ahead of himself; on 2 October Sahil "
        "Chaudhary of Glaive AI published a post-mortem with weights, data and evaluation code."
    ),
    "models_at_stake": ["reflection-70b", "llama-3-1-70b", "llama-3-70b", "claude-3-5-sonnet"],
}

DISPUTE_ROLES = [
    ("localllama-users", "accuser", "Examined the weights and the hosted API."),
    ("artificial-analysis", "independent_analyst", "Could not reproduce the reported scores."),
    ("hyperwrite", "accused", ""),
    ("matt-shumer", "accused", ""),
    ("glaive-ai", "accused", "Its data trained the model."),
    ("sahil-chaudhary", "accused", "Trained the model."),
    ("anthropic", "rights_holder", "Developer of Claude, said to answer behind the API."),
    ("venturebeat", "reporter", ""),
    ("toms-guide", "reporter", ""),
]

CLAIMS = [
    {
        "slug": "shumer-reflection-llama-3-1-fine-tune",
        "title": "Shumer: Reflection 70B, a Llama 3.1 70B fine-tune, is “the world's top open-source model”",
        "claimant": "matt-shumer",
        "kind": "other",
        "made_on": date(2024, 9, 5),
        "date_precision": DAY,
        "venue": "Post on X",
        "source": "venturebeat-reflection-questioned",
        "subject_model": "reflection-70b",
        "statement": (
            "Reflection 70B is “the world's top open-source model”, a variant of Meta's Llama 3.1 trained "
            "with “Reflection Tuning” (VentureBeat). The date is 5 September 2024 per Glaive's post-mortem "
            "and 6 September per VentureBeat."
        ),
        "assessment": "contested",
        "assessment_rationale": (
            "Contested. Sources of record: an admission by the party — Shumer wrote on 10 September 2024 "
            "“I got ahead of myself when I announced this project, and I am sorry” (Tom's Guide) — and "
            "the trainer's post-mortem (Glaive, 2 October 2024), whose own reproduced scores are below "
            "the originally reported ones on MATH and GSM8K. The post-mortem maintains the Llama 3.1 70B "
            "base."
        ),
    },
    {
        "slug": "artificial-analysis-cannot-replicate",
        "title": "Artificial Analysis: the claimed scores do not replicate; worse than Llama 3.1 70B",
        "claimant": "artificial-analysis",
        "kind": "counter_analysis",
        "responds_to": "shumer-reflection-llama-3-1-fine-tune",
        "made_on": date(2024, 9, 7),
        "date_precision": DAY,
        "venue": "Post (as quoted by Patrick McGuinness)",
        "source": "mcguinness-reflections-on-ai-hype",
        "subject_model": "reflection-70b",
        "statement": "“We have been unable to replicate the eval results claimed in our independent testing "
        "and are seeing worse performance than Meta's Llama 3.1 70B, not better.”",
        "assessment": "unverified",
        "assessment_rationale": "An evaluation of the weights then published; Shumer answered that the "
        "upload was faulty (Tom's Guide). We have not re-run it.",
    },
    {
        "slug": "reflection-weights-look-like-llama-3",
        "title": "Users: Reflection 70B's weights point to Llama 3 70B, not Llama 3.1",
        "claimant": "localllama-users",
        "kind": "derived_from",
        "made_on": date(2024, 9, 1),
        "date_precision": MONTH,
        "venue": "Reddit (r/LocalLLaMA) and GitHub",
        "source": "toms-guide-reflection",
        "subject_model": "reflection-70b",
        "alleged_source_model": "llama-3-70b",
        "statement": "Analysis on Reddit and GitHub suggested the model performs like Llama 3 rather than "
        "Llama 3.1, and examination of the weights suggested a Llama 3 70B base (Tom's Guide; McGuinness). "
        "The posts themselves are not recorded here.",
        "assessment": "unverified",
        "assessment_rationale": "No published analysis of the weights is on record here; the trainer "
        "maintains a Llama 3.1 70B base (Glaive, 2 October 2024).",
    },
    {
        "slug": "reflection-api-is-claude",
        "title": "Users: Reflection 70B's hosted API answered as Claude 3.5 Sonnet",
        "claimant": "localllama-users",
        "kind": "misrepresented_training",
        "made_on": date(2024, 9, 1),
        "date_precision": MONTH,
        "venue": "Reddit (r/LocalLLaMA)",
        "source": "mcguinness-reflections-on-ai-hype",
        "subject_model": "reflection-70b",
        "alleged_source_model": "claude-3-5-sonnet",
        "statement": "Posts titled “OpenRouter Reflection 70B claims to be Claude, Created by Anthropic” and "
        "“CONFIRMED: Reflection 70B's official API is Sonnet 3.5” (as quoted by McGuinness); critics "
        "called the model a thin wrapper around Claude (Tom's Guide).",
        "assessment": "unverified",
        "assessment_rationale": "No admission and no published analysis of record on this point in the "
        "sources we read; the post-mortem we read does not address it.",
    },
    {
        "slug": "shumer-got-ahead-of-myself",
        "title": "Shumer: “I got ahead of myself when I announced this project, and I am sorry”",
        "claimant": "matt-shumer",
        "kind": "partial_admission",
        "responds_to": "shumer-reflection-llama-3-1-fine-tune",
        "made_on": date(2024, 9, 10),
        "date_precision": DAY,
        "venue": "Post on X",
        "source": "toms-guide-reflection",
        "subject_model": "reflection-70b",
        "statement": "“I got ahead of myself when I announced this project, and I am sorry. That was not my "
        "intention. I made a decision to ship this new approach based on the information that we had at "
        "the moment.” He had earlier attributed the gap to an error in uploading the weights (Tom's Guide).",
        "assessment": "unverified",
        "assessment_rationale": "The party's own statement; it does not say what went wrong.",
    },
    {
        "slug": "chaudhary-postmortem",
        "title": "Chaudhary: fine-tuned on Llama 3.1 70B; benchmark bug; weights, data and code published",
        "claimant": "sahil-chaudhary",
        "kind": "clarification",
        "responds_to": "reflection-weights-look-like-llama-3",
        "made_on": date(2024, 10, 2),
        "date_precision": DAY,
        "venue": "Glaive AI blog",
        "source": "glaive-reflection-postmortem",
        "subject_model": "reflection-70b",
        "statement": "Reflection 70B was “finetuned on top of Llama 3.1 70B” and trained by him on Glaive "
        "data; he takes “responsibility for mistakes I made”, publishes weights, data and evaluation code, "
        "found a bug in the initial benchmark code, and reports reproduced scores below the original on "
        "MATH (70.8% against 79.7%) and GSM8K (95.22% against 99.2%).",
        "assessment": "unverified",
        "assessment_rationale": "The party's own account; we have not re-run its evaluation or compared the "
        "weights.",
    },
]

EVIDENCE_LINKS = [
    ("shumer-reflection-llama-3-1-fine-tune", "venturebeat-reflection-questioned", "supports", "Reports the announcement."),
    ("shumer-reflection-llama-3-1-fine-tune", "mcguinness-reflections-on-ai-hype", "refutes", "Artificial Analysis could not replicate."),
    ("shumer-reflection-llama-3-1-fine-tune", "toms-guide-reflection", "refutes", "Shumer's apology."),
    ("shumer-reflection-llama-3-1-fine-tune", "glaive-reflection-postmortem", "context", "The trainer's post-mortem."),
    ("artificial-analysis-cannot-replicate", "mcguinness-reflections-on-ai-hype", "supports", "Quotes the evaluation."),
    ("artificial-analysis-cannot-replicate", "toms-guide-reflection", "supports", "Reports the evaluation."),
    ("reflection-weights-look-like-llama-3", "toms-guide-reflection", "supports", "Reports the community analysis."),
    ("reflection-weights-look-like-llama-3", "mcguinness-reflections-on-ai-hype", "supports", "Reports the weights examination."),
    ("reflection-weights-look-like-llama-3", "glaive-reflection-postmortem", "refutes", "Maintains the Llama 3.1 70B base."),
    ("reflection-api-is-claude", "mcguinness-reflections-on-ai-hype", "supports", "Quotes the Reddit posts."),
    ("reflection-api-is-claude", "toms-guide-reflection", "supports", "Reports the wrapper accusation."),
    ("shumer-got-ahead-of-myself", "toms-guide-reflection", "supports", "Quotes the post."),
    ("chaudhary-postmortem", "glaive-reflection-postmortem", "supports", "The post-mortem itself."),
]  # fmt: skip

RIGHTS_OF_REPLY = [
    {
        "claim": "artificial-analysis-cannot-replicate",
        "party": "matt-shumer",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": date(2024, 9, 10),
        "answer": "“I got ahead of myself when I announced this project, and I am sorry.”",
        "source": "toms-guide-reflection",
    },
    {
        "claim": "artificial-analysis-cannot-replicate",
        "party": "hyperwrite",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": date(2024, 9, 10),
        "answer": "Through its CEO Matt Shumer: “I got ahead of myself when I announced this project, and I "
        "am sorry.”",
        "source": "toms-guide-reflection",
    },
    {
        "claim": "reflection-weights-look-like-llama-3",
        "party": "sahil-chaudhary",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": date(2024, 10, 2),
        "answer": "Reflection 70B was “finetuned on top of Llama 3.1 70B”; weights, data and evaluation code "
        "published.",
        "source": "glaive-reflection-postmortem",
    },
    {
        "claim": "reflection-weights-look-like-llama-3",
        "party": "glaive-ai",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": date(2024, 10, 2),
        "answer": "Through Sahil Chaudhary's post-mortem: fine-tuned on Llama 3.1 70B; weights, data and "
        "evaluation code published.",
        "source": "glaive-reflection-postmortem",
    },
    {
        "claim": "reflection-api-is-claude",
        "party": "matt-shumer",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2024, 10, 2),
        "source": "glaive-reflection-postmortem",
    },
    {
        "claim": "reflection-api-is-claude",
        "party": "anthropic",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2024, 10, 2),
        "source": "glaive-reflection-postmortem",
    },
]
