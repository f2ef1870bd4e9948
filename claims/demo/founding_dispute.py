"""The founding dispute: HonestAGI's claim that Huawei's Pangu Pro MoE was derived from Alibaba's
Qwen2.5-14B, the rebuttals, and the sources for each fact (July 2025).

Plain data, referenced by slug; ``claims.demo.loader`` writes it. Only facts from the project brief
(issue 2) are recorded here; where a source's URL is not known it is left blank and the description
says what the source is. Dates that are only known to the month carry ``precision="month"``.
"""

from datetime import date

MONTH = "month"
DAY = "day"

PARTIES = [
    {
        "slug": "honestagi",
        "name": "HonestAGI",
        "kind": "pseudonymous",
        "aliases": "Honest AGI Community",
        "identity_verified": False,
        "note": (
            "Pseudonymous group that published the paper “Intrinsic Fingerprint of LLMs”. Its identity is "
            "unknown: Reuters could not contact it or find out who is behind it."
        ),
    },
    {"slug": "huawei", "name": "Huawei", "kind": "organisation", "identity_verified": True, "note": ""},
    {
        "slug": "noahs-ark-lab",
        "name": "Noah's Ark Lab",
        "kind": "lab",
        "parent": "huawei",
        "identity_verified": True,
        "note": "Huawei's AI research division; developer of Pangu Pro MoE.",
    },
    {
        "slug": "alibaba",
        "name": "Alibaba",
        "kind": "organisation",
        "identity_verified": True,
        "note": "Developer of the Qwen models. Did not immediately respond to requests for comment (Reuters).",
    },
    {
        "slug": "reuters",
        "name": "Reuters",
        "kind": "media_outlet",
        "identity_verified": True,
        "note": "Reported the story in July 2025.",
    },
    {
        "slug": "pangu-engineers",
        "name": "Engineers on the Pangu side (Zhihu)",
        "kind": "pseudonymous",
        "identity_verified": False,
        "note": "Engineers on the Pangu side who posted a counter-analysis on Zhihu in July 2025. "
        "They are not independent of the accused party.",
    },
    {
        "slug": "pangu-whistleblower",
        "name": "Anonymous whistleblower (GitHub)",
        "kind": "pseudonymous",
        "identity_verified": False,
        "note": "An anonymous GitHub account presented as a whistleblower's (July 2025). Who is behind it "
        "is unknown.",
    },
]

EVIDENCE = [
    {
        "slug": "intrinsic-fingerprint-of-llms",
        "title": "“Intrinsic Fingerprint of LLMs” (HonestAGI, arXiv 2507.03014)",
        "kind": "paper",
        "author": "honestagi",
        "url": "https://arxiv.org/abs/2507.03014",
        "published_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "description": (
            "Paper posted in early July 2025. Builds a fingerprint from the standard deviations of attention "
            "parameters and reports an average correlation of 0.927 between Pangu Pro MoE and Qwen2.5-14B."
        ),
    },
    {
        "slug": "honestagi-github-repository",
        "title": "HonestAGI's GitHub repository (deleted)",
        "kind": "code",
        "author": "honestagi",
        "url": "",
        "removed_at_source": True,
        "published_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "description": "The code published with the paper on GitHub. The repository was later deleted; its "
        "address is not recorded here and we hold no archived copy.",
    },
    {
        "slug": "noahs-ark-lab-statement-2025-07-05",
        "title": "Noah's Ark Lab statement on Pangu Pro MoE (5 July 2025)",
        "kind": "statement",
        "author": "noahs-ark-lab",
        "url": "",
        "published_on": date(2025, 7, 5),
        "date_precision": DAY,
        "description": "Statement issued on Saturday 5 July 2025 in answer to HonestAGI's paper.",
    },
    {
        "slug": "reuters-report-july-2025",
        "title": "Reuters report on the Pangu Pro MoE allegations (July 2025)",
        "kind": "media_report",
        "author": "reuters",
        "url": "",
        "published_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "description": (
            "Reuters reported HonestAGI's claim and Noah's Ark Lab's statement. Reuters could not contact "
            "HonestAGI or find out who is behind it; Alibaba did not immediately respond to requests for comment."
        ),
    },
    {
        "slug": "pangu-pro-moe-technical-report",
        "title": "Pangu Pro MoE technical report (arXiv 2505.21411)",
        "kind": "paper",
        "author": "noahs-ark-lab",
        "url": "https://arxiv.org/abs/2505.21411",
        "published_on": date(2025, 5, 1),
        "date_precision": MONTH,
        "description": "Huawei's description of Pangu Pro MoE: a mixture of grouped experts with 72B total and "
        "16B active parameters, 48 layers, trained on Huawei Ascend chips.",
    },
    {
        "slug": "zhihu-counter-analysis",
        "title": "Counter-analysis by engineers on the Pangu side (Zhihu, July 2025)",
        "kind": "social_post",
        "author": "pangu-engineers",
        "url": "",
        "published_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "description": "Post on Zhihu re-running HonestAGI's statistic on two unrelated models, deepseek-llm-7b "
        "and llama2-7b, which gave 0.91.",
    },
    {
        "slug": "whistleblower-github-account",
        "title": "Anonymous whistleblower's GitHub account (July 2025)",
        "kind": "social_post",
        "author": "pangu-whistleblower",
        "url": "",
        "published_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "description": "A pseudonymous GitHub account alleging continued training from Qwen 2.5 14B.",
    },
    {
        "slug": "qwen2-5-announcement",
        "title": "Qwen2.5 family announcement (September 2024)",
        "kind": "statement",
        "author": "alibaba",
        "url": "https://qwenlm.github.io/blog/qwen2.5/",
        "published_on": date(2024, 9, 1),
        "date_precision": MONTH,
        "description": "Alibaba's announcement of the Qwen2.5 model family, September 2024.",
    },
]

WEIGHTS_NOT_HERE = {
    "slug": "pangu-and-qwen-weights",
    "title": "Model weights of Pangu Pro MoE and Qwen2.5-14B (not on this server)",
    "kind": "model_weights",
    "author": None,
    "url": "",
    "published_on": None,
    "date_precision": DAY,
    "description": (
        "The disputed statistic can only be recomputed from the weights themselves, and **they are not on "
        "this server**: Provenance has not yet recomputed HonestAGI's 0.927 or the 0.91 of the "
        "counter-analysis. Nothing here is computed from them, and no synthetic example is attached to this "
        "dispute.\n\n"
        "Both are published: Qwen2.5-14B on Hugging Face (`Qwen/Qwen2.5-14B`, 14.77 billion parameters, "
        "29.5 GB in bfloat16) and Pangu Pro MoE on GitCode, a git + LFS host "
        "(`https://gitcode.com/ascend-tribe/pangu-pro-moe-model`, 71.99 billion parameters, 144.0 GB in "
        "bfloat16). An editor adds each as a checkpoint *from a hub or git repository* in the admin, or an "
        "operator runs the command below; the download is pinned to a commit and every file is checked "
        "against the SHA-256 its host publishes:\n\n"
        "    python manage.py fingerprint \\\n"
        "        git+https://gitcode.com/ascend-tribe/pangu-pro-moe-model@15e45a97fa314d86804f93f7faba107b43f8d25c \\\n"
        "        hf:Qwen/Qwen2.5-14B@main \\\n"
        "        --model-a pangu-pro-moe --model-b qwen2-5-14b --evidence <id of an analysis record>\n\n"
        "The model cache needs about 175 GB of disk (`MODEL_CACHE_MAX_GB`). Copies already on the server "
        "(each model's shards, `model.safetensors.index.json`, `config.json` and `tokenizer.json` in a "
        "folder listed in `MODEL_STORE`) are compared the same way by giving the two folders instead.\n\n"
        "The report then appears on an analysis evidence record, with every score beside its null."
    ),
}

EVIDENCE.append(WEIGHTS_NOT_HERE)

AI_MODELS = [
    {
        "slug": "pangu-pro-moe",
        "name": "Pangu Pro MoE",
        "developer": "noahs-ark-lab",
        "family": "Pangu",
        "architecture": "mixture of grouped experts (MoE)",
        "parameters_total": 72_000_000_000,
        "parameters_active": 16_000_000_000,
        "layer_count": 48,
        "release_date": date(2025, 6, 1),
        "release_date_precision": MONTH,
        "release_date_source": None,
        "description": (
            "Huawei / Noah's Ark Lab model, trained on Huawei Ascend chips and open-sourced on GitCode at the "
            "end of June 2025. Architecture and sizes as stated in the technical report (arXiv 2505.21411)."
        ),
    },
    {
        "slug": "qwen2-5-14b",
        "name": "Qwen2.5-14B",
        "developer": "alibaba",
        "family": "Qwen2.5",
        "architecture": "dense",
        "layer_count": 48,
        "release_date": date(2024, 9, 1),
        "release_date_precision": MONTH,
        "release_date_source": "qwen2-5-announcement",
        "hub_id": "Qwen/Qwen2.5-14B",
        "description": (
            "Alibaba's dense 48-layer model.\n\n"
            "**Release date discrepancy.** One press coverage of the dispute says Qwen2.5-14B was released in "
            "May 2024, while the Qwen2.5 family was announced in September 2024 (source: the Qwen2.5 "
            "announcement). We record September 2024 and have not resolved the discrepancy."
        ),
    },
]

DISPUTE = {
    "slug": "pangu-pro-moe-qwen",
    "title": "Was Huawei's Pangu Pro MoE derived from Alibaba's Qwen2.5-14B?",
    "started_on": date(2025, 7, 1),
    "started_on_precision": MONTH,
    "summary": (
        "In early July 2025 the pseudonymous HonestAGI published a paper claiming that Pangu Pro MoE, "
        "developed by Huawei's Noah's Ark Lab, shows an “extraordinary correlation” with Alibaba's "
        "Qwen2.5-14B and was derived from it rather than trained from scratch. Noah's Ark Lab denied it on "
        "5 July 2025; engineers on the Pangu side answered that the same statistic gives 0.91 for two "
        "unrelated models. Reuters reported the story."
    ),
    "models_at_stake": ["pangu-pro-moe", "qwen2-5-14b"],
}

DISPUTE_ROLES = [
    ("honestagi", "accuser", ""),
    ("pangu-whistleblower", "accuser", "Pseudonymous; alleges continued training from Qwen 2.5 14B."),
    ("huawei", "accused", ""),
    ("noahs-ark-lab", "accused", "Developer of Pangu Pro MoE."),
    ("alibaba", "rights_holder", "Developer of Qwen2.5-14B, the alleged source model."),
    ("reuters", "reporter", ""),
]

_CONTESTED_RATIONALE = (
    "Contested. Noah's Ark Lab denies that the model was based on incremental training of other "
    "manufacturers' models (statement of 5 July 2025). Engineers on the Pangu side report that the same "
    "statistic gives 0.91 for two unrelated models (deepseek-llm-7b and llama2-7b), close to the 0.927 "
    "reported here, which questions whether the statistic alone separates related from unrelated models. "
    "Those engineers are not independent of the accused. The supporting observations (QKV-bias patterns, "
    "LayerNorm weights, the licence file) have not been verified by us, and we have not yet recomputed "
    "the statistic."
)

CLAIMS = [
    {
        "slug": "honestagi-pangu-derived-from-qwen",
        "title": "Pangu Pro MoE was derived from Qwen2.5-14B by upcycling, not trained from scratch",
        "claimant": "honestagi",
        "kind": "derived_from",
        "made_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "venue": "Paper “Intrinsic Fingerprint of LLMs” (arXiv 2507.03014), with code on GitHub",
        "source": "intrinsic-fingerprint-of-llms",
        "subject_model": "pangu-pro-moe",
        "alleged_source_model": "qwen2-5-14b",
        "statement": (
            "Pangu Pro MoE shows an “extraordinary correlation” (average 0.927) with Qwen2.5-14B in a "
            "fingerprint built from the standard deviations of attention parameters, so it was derived from "
            "Qwen by “upcycling” rather than trained from scratch — implying copyright violation and false "
            "claims about Huawei's investment in training.\n\n"
            "Supporting points in the same report:\n\n"
            "- near-identical QKV-bias patterns;\n"
            "- similar attention LayerNorm weights;\n"
            "- a Qwen licence file reportedly found in Pangu's code."
        ),
        "assessment": "contested",
        "assessment_rationale": _CONTESTED_RATIONALE,
    },
    {
        "slug": "noahs-ark-lab-denial",
        "title": "Noah's Ark Lab: Pangu Pro MoE was not based on incremental training of other models",
        "claimant": "noahs-ark-lab",
        "kind": "denial",
        "responds_to": "honestagi-pangu-derived-from-qwen",
        "made_on": date(2025, 7, 5),
        "date_precision": DAY,
        "venue": "Statement of Saturday 5 July 2025",
        "source": "noahs-ark-lab-statement-2025-07-05",
        "subject_model": "pangu-pro-moe",
        "statement": (
            "The model was “not based on incremental training of other manufacturers' models”. It has key "
            "innovations in architecture design and technical features, and it is the first large-scale "
            "model built entirely on Ascend chips. The team strictly followed open-source licence "
            "requirements for third-party code. The statement does not say which models it referenced."
        ),
        "assessment": "unverified",
        "assessment_rationale": "A statement by the accused party. It does not say which third-party code or "
        "models the team referenced; we have not verified its claims.",
    },
    {
        "slug": "pangu-engineers-counter-analysis",
        "title": "The same statistic gives 0.91 for two unrelated models",
        "claimant": "pangu-engineers",
        "kind": "counter_analysis",
        "responds_to": "honestagi-pangu-derived-from-qwen",
        "made_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "venue": "Post on Zhihu",
        "source": "zhihu-counter-analysis",
        "statement": (
            "Re-running HonestAGI's statistic on two unrelated models, deepseek-llm-7b and llama2-7b, gave "
            "0.91 — close to the 0.927 that HonestAGI reports for Pangu Pro MoE and Qwen2.5-14B."
        ),
        "assessment": "unverified",
        "assessment_rationale": "Posted by engineers on the accused side; we have not re-run the statistic.",
    },
    {
        "slug": "whistleblower-continued-training",
        "title": "Anonymous whistleblower alleges continued training from Qwen 2.5 14B",
        "claimant": "pangu-whistleblower",
        "kind": "misrepresented_training",
        "made_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "venue": "GitHub account",
        "source": "whistleblower-github-account",
        "alleged_source_model": "qwen2-5-14b",
        "statement": "An anonymous GitHub account, presented as a whistleblower's, alleges continued training "
        "from Qwen 2.5 14B.",
        "assessment": "unverified",
        "assessment_rationale": "The account is pseudonymous. We do not know who is behind it and have not "
        "verified the allegation.",
    },
]

EVIDENCE_LINKS = [
    ("honestagi-pangu-derived-from-qwen", "intrinsic-fingerprint-of-llms", "supports",
     "The paper itself: the 0.927 average correlation, QKV-bias patterns, LayerNorm weights, licence file."),
    ("honestagi-pangu-derived-from-qwen", "honestagi-github-repository", "supports",
     "The code published with the paper; the repository was later deleted."),
    ("honestagi-pangu-derived-from-qwen", "noahs-ark-lab-statement-2025-07-05", "refutes",
     "The developer's denial."),
    ("honestagi-pangu-derived-from-qwen", "zhihu-counter-analysis", "refutes",
     "The statistic gives 0.91 for two unrelated models."),
    ("honestagi-pangu-derived-from-qwen", "reuters-report-july-2025", "context",
     "Reports the claim and the denial; HonestAGI could not be contacted."),
    ("honestagi-pangu-derived-from-qwen", "pangu-pro-moe-technical-report", "context",
     "Huawei's own description of the model's architecture and training on Ascend chips."),
    ("honestagi-pangu-derived-from-qwen", "pangu-and-qwen-weights", "context",
     "The weights the statistic is computed from; not yet on this server, so not yet recomputed by us."),
    ("noahs-ark-lab-denial", "noahs-ark-lab-statement-2025-07-05", "supports", "The statement itself."),
    ("noahs-ark-lab-denial", "reuters-report-july-2025", "context", "Reports the statement."),
    ("pangu-engineers-counter-analysis", "zhihu-counter-analysis", "supports", "The post itself."),
    ("whistleblower-continued-training", "whistleblower-github-account", "supports", "The account itself."),
]  # fmt: skip

RIGHTS_OF_REPLY = [
    {
        "claim": "honestagi-pangu-derived-from-qwen",
        "party": "alibaba",
        "asked_by": "reuters",
        "asked_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "outcome": "no_response",
        "outcome_on": date(2025, 7, 1),
        "source": "reuters-report-july-2025",
    },
]
