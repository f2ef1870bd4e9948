"""The founding dispute: HonestAGI's claim that Huawei's Pangu Pro MoE was derived from Alibaba's
Qwen2.5-14B, the rebuttals, what followed, and the sources for each fact (July 2025 onwards).

Plain data, referenced by slug; ``claims.demo.loader`` writes it. Every source has its address,
publisher and date where we could find them; where we could not (the date of the Zhihu
counter-analysis), the record says so ("unconfirmed"). Where we read a source through a copy
(the Reuters report in The Star, the Noah's Ark Lab statement in a Chinese news site, the Zhihu
answers quoted in a Substack post), the address is that of the copy and the description says so. Dates known only to the month carry
``precision="month"``. ``docs/cases.md`` lists the sources and what could not be confirmed.
"""

from datetime import date

MONTH = "month"
DAY = "day"

# Who translated the quotes: flagged as machine translation, because it is one.
TRANSLATOR = "Claude (AI model) for Provenance; not yet checked by a human translator"

NOAH_STATEMENT_ZH = (
    "盘古Pro MoE开源模型是基于昇腾硬件平台开发、训练的基础大模型,并非基于其他厂商模型增量训练而来,"
    "在架构设计、技术特性等方面做了关键创新,是全球首个面向昇腾硬件平台设计的同规格混合专家模型,"
    "创新性地提出了分组混合专家模型(MoGE)架构,有效解决了大规模分布式训练的负载均衡难题,提升训练效率。"
)
NOAH_STATEMENT_EN = (
    "The Pangu Pro MoE open-source model is a foundation model developed and trained on the Ascend "
    "hardware platform; it was not obtained by incremental training of other manufacturers' models. It "
    "makes key innovations in architecture design and technical features: it is the world's first "
    "mixture-of-experts model of its size designed for the Ascend hardware platform, and it introduces "
    "the Mixture of Grouped Experts (MoGE) architecture, which effectively solves the load-balancing "
    "problem of large-scale distributed training and improves training efficiency."
)

PARTIES = [
    {
        "slug": "honestagi",
        "name": "HonestAGI",
        "kind": "pseudonymous",
        "aliases": "Honest AGI Community",
        "identity_verified": False,
        "note": (
            "Pseudonymous group that published the paper “Intrinsic Fingerprint of LLMs”. Its identity is "
            "unknown: Reuters could not contact it or find out who is behind it. The arXiv listing names "
            "six authors (Do-hyeon Yoon, Minsoo Chun, Thomas Allen, Hans Müller, Min Wang, Rajesh Sharma); "
            "we have not established who they are."
        ),
    },
    {
        "slug": "huawei",
        "name": "Huawei",
        "kind": "organisation",
        "identity_verified": True,
        "note": "Chinese technology company; Noah's Ark Lab is its AI research division (Reuters).",
    },
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
        "note": "Engineers on the Pangu side whose counter-analysis, first posted on the Pangu team's intranet, "
        "was reposted on Zhihu by the user 深度不学习 (answer to question 1924254207063593527), as quoted in "
        "English in a Substack post. We have not read the Zhihu original, and the engineers are not named. "
        "They are not independent of the accused party.",
    },
    {
        "slug": "pangu-whistleblower",
        "name": "Anonymous whistleblower (GitHub)",
        "kind": "pseudonymous",
        "identity_verified": False,
        "note": "An anonymous GitHub account (HW-whistleblower) whose author says they worked on Pangu at "
        "Noah's Ark Lab (July 2025). Who is behind it is unknown.",
    },
    {
        "slug": "bloomberg",
        "name": "Bloomberg",
        "kind": "media_outlet",
        "identity_verified": True,
        "note": "Reported Noah's Ark Lab's WeChat statement and asked Huawei for comment.",
    },
    {
        "slug": "republic-world",
        "name": "Republic World",
        "kind": "media_outlet",
        "identity_verified": True,
        "note": "Indian news site.",
    },
    {
        "slug": "news-teluyg",
        "name": "news.teluyg.com",
        "kind": "media_outlet",
        "identity_verified": False,
        "note": "Chinese news site that reproduced the Pangu team's statement in full.",
    },
    {
        "slug": "szec",
        "name": "Shenzhen Electronic Chamber of Commerce (深圳电子商会)",
        "kind": "organisation",
        "identity_verified": True,
        "note": "Published a report on the dispute on the Shenzhen SME public service platform.",
    },
    {
        "slug": "itbear",
        "name": "ITBEAR (智快网)",
        "kind": "media_outlet",
        "identity_verified": True,
        "note": "Chinese technology news site.",
    },
    {
        "slug": "kalymoon-cyberintel",
        "name": "cyberintel.kalymoon.com",
        "kind": "media_outlet",
        "identity_verified": False,
        "note": "Archive of arXiv security listings; its copy shows the arXiv page of the HonestAGI paper.",
    },
]

EVIDENCE = [
    {
        "slug": "intrinsic-fingerprint-of-llms",
        "title": "“Intrinsic Fingerprint of LLMs” (HonestAGI, arXiv 2507.03014)",
        "kind": "paper",
        "author": "honestagi",
        "url": "https://arxiv.org/abs/2507.03014",
        "published_on": date(2025, 7, 2),
        "date_precision": DAY,
        "description": (
            "“Intrinsic Fingerprint of LLMs: Continue Training is NOT All You Need to Steal A Model!”, "
            "submitted to arXiv on 2 July 2025 (arXiv listing, read at web3.arxiv.org/abs/2507.03014). "
            "Builds a fingerprint from the standard deviations of attention parameter matrices across "
            "layers; its abstract says the investigation “uncovers evidence that a recently Pangu Pro MoE "
            "model released by Huawei is derived from Qwen-2.5 14B model through upcycling techniques "
            "rather than training from scratch”. It reports an average correlation of 0.927 between the "
            "two models (Shenzhen Electronic Chamber of Commerce, 7 July 2025). **Withdrawn**: "
            "arXiv's version 2 (24 April 2026) reads “This paper has been withdrawn by arXiv Admin” "
            "(see the record of the withdrawal notice)."
        ),
    },
    {
        "slug": "arxiv-2507-03014-withdrawal",
        "title": "arXiv withdrawal notice for 2507.03014, version 2 (24 April 2026), as archived",
        "kind": "other",
        "author": "kalymoon-cyberintel",
        "url": "https://cyberintel.kalymoon.com/article/17115",
        "published_on": date(2026, 4, 24),
        "date_precision": DAY,
        "description": (
            "An archived copy of the arXiv page (archived 27 April 2026) shows “This paper has been "
            "withdrawn by arXiv Admin” and “[Submitted on 2 Jul 2025 (v1), last revised 24 Apr 2026 (this "
            "version, v2)]”. The reason for the withdrawal is not given in the copy we read; we did not "
            "reach arxiv.org's own page for version 2."
        ),
    },
    {
        "slug": "honestagi-github-repository",
        "title": "HonestAGI's GitHub repository “LLM-Fingerprint” (deleted)",
        "kind": "code",
        "author": "honestagi",
        "url": "https://github.com/HonestAGI/LLM-Fingerprint",
        "removed_at_source": True,
        "published_on": date(2025, 7, 4),
        "date_precision": DAY,
        "description": (
            "Reuters: HonestAGI “posted an English-language paper on code-sharing platform Github” on 4 "
            "July 2025, the day before Noah's Ark Lab's statement. Bloomberg: the post “was deleted days "
            "later”; AtoZ Tech World (8 July 2025, https://atoztechworld.com/?p=1734) says HonestAGI briefly deleted and then reposted it. "
            "Its address, https://github.com/HonestAGI/LLM-Fingerprint, is as a Chinese news page quoted "
            "it while the repository was up (http://xn--6frv0dj5cj44a.com/news/1239327.html), which also "
            "reports that a reply it attributes to the Pangu team, in the repository's issue 8, denied the "
            "allegation and called the method unscientific. "
            "The repository no longer answers there, and we hold no archived copy."
        ),
    },
    {
        "slug": "noahs-ark-lab-statement-2025-07-05",
        "title": "Noah's Ark Lab (Pangu team) statement on Pangu Pro MoE (5 July 2025)",
        "kind": "statement",
        "author": "noahs-ark-lab",
        "url": "http://news.teluyg.com/item/32168.html",
        "published_on": date(2025, 7, 5),
        "date_precision": DAY,
        "description": (
            "Issued on the afternoon of Saturday 5 July 2025 as a WeChat post (Bloomberg). We read its "
            "full text as reproduced by news.teluyg.com (“华为盘古团队声明:严格遵循开源要求”, published "
            "2025-07-05 20:03); we have not reached the WeChat original. Besides the denial quoted here, it "
            "says some basic components' code refers to open-source practice, including parts of other "
            "open-source models' code, and: “我们严格遵循开源许可证的要求,在开源代码文件中清晰标注开源代码的版权"
            "声明。” (“We strictly follow the requirements of open-source licences and clearly mark the "
            "copyright notices of open-source code in the open-source code files.”)"
        ),
        "original_language": "zh-Hans",
        "original_text": NOAH_STATEMENT_ZH,
        "translation": NOAH_STATEMENT_EN,
        "translator": TRANSLATOR,
        "machine_translation": True,
    },
    {
        "slug": "reuters-report-july-2025",
        "title": "“Huawei's AI lab denies that one of its Pangu models copied Alibaba's Qwen” (Reuters, 7 July 2025)",
        "kind": "media_report",
        "author": "reuters",
        "url": "https://www.thestar.com.my/tech/tech-news/2025/07/07/huawei039s-ai-lab-denies-that-one-of-its-pangu-models-copied-alibaba039s-qwen",
        "published_on": date(2025, 7, 7),
        "date_precision": DAY,
        "description": (
            "Reuters report (Beijing/Shanghai), read as republished by The Star (Malaysia) on 7 July 2025; "
            "a syndicated copy is stamped “Sun, July 6, 2025 at 10:59 PM PDT”. We did not reach "
            "reuters.com's own page. It reports HonestAGI's claim and Noah's Ark Lab's statement of 5 "
            "July; Reuters could not contact HonestAGI or learn who is behind it; Alibaba did not "
            "immediately respond to a request for comment; it says Qwen 2.5-14B was released in May 2024 "
            "(that sentence read in the same text at "
            "https://test.daily8.com/en/article/4f2ca91027ec1d42e9d32ddfb4a83c71)."
        ),
    },
    {
        "slug": "bloomberg-huawei-rebuts-july-2025",
        "title": "Bloomberg report on Huawei's rebuttal (July 2025), as republished by advancedainews.com",
        "kind": "media_report",
        "author": "bloomberg",
        "url": "https://advancedainews.com/?p=48281",
        "published_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "description": (
            "Bloomberg: the lab rebutted the accusations “in a WeChat post over the weekend”; quotes "
            "“We strictly adhere to the requirements of open-source licenses, and clearly mark copyright "
            "statements in the relevant source files”; “A Huawei representative declined to comment "
            "beyond the statement issued by Noah's Ark”; the HonestAGI post “was deleted days later”. The "
            "copy we read shows no publication date: dated to the month of the events it reports (day "
            "unconfirmed)."
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
        "slug": "szec-pangu-2025-07-07",
        "title": "“華為盤古大模型回應抄襲質疑” (Shenzhen Electronic Chamber of Commerce, 7 July 2025)",
        "kind": "media_report",
        "author": "szec",
        "url": "http://m.hunheji.cc/document/detail/id/34426.html",
        "published_on": date(2025, 7, 7),
        "date_precision": DAY,
        "description": (
            "Says Huawei open-sourced a 7-billion-parameter dense Pangu model and the 72-billion-parameter "
            "Pangu Pro MoE on 30 June 2025; that on 4 July a GitHub report compared Pangu Pro MoE and "
            "Qwen-2.5 14B with “LLM-Fingerprint”, found a similarity of 0.927, and found the notice "
            "“Copyright 2024 The Qwen team, Alibaba Group” in Pangu's open-source code files. We read it "
            "on the mirror at this address (the page carries unrelated spam)."
        ),
    },
    {
        "slug": "zhihu-counter-analysis",
        "title": "Counter-analysis by engineers on the Pangu side (Zhihu, July 2025)",
        "kind": "social_post",
        "author": "pangu-engineers",
        "url": "https://livinginharmony.substack.com/p/controversy-and-false-allegations",
        "published_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "description": "Read through a copy: a Substack post (“Controversy & False Allegations of Plagiarism "
        "Surrounding Huawei's Pangu Model”) quoting, in English, Zhihu answers to question "
        "1924254207063593527 - by 深度不学习 "
        "(https://www.zhihu.com/question/1924254207063593527/answer/1924946130719966040), which reposts “a "
        "post made on the intranet of the Pangu team”, and by JoJoJoJoya "
        "(https://www.zhihu.com/question/1924254207063593527/answer/1924429291443164725). The repost says "
        "the team re-ran HonestAGI's method on 7B models (Llama, DeepSeek, Qwen, Baichuan): the normalised "
        "standard deviations of deepseek-llm-7b and llama2-7b correlate at 0.91, and the per-layer QKVO "
        "curves are hard to tell apart. We have not read the Chinese originals; **the date is unconfirmed** "
        "(July 2025, as the controversy's other sources date the debate).",
    },
    {
        "slug": "whistleblower-github-account",
        "title": "“盘古之殇” (The Tragedy of Pangu), anonymous whistleblower's GitHub repository (July 2025)",
        "kind": "social_post",
        "author": "pangu-whistleblower",
        "url": "https://github.com/HW-whistleblower/True-Story-of-Pangu",
        "published_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "description": (
            "A repository holding only a README: a long Chinese text by a self-described member of Noah's "
            "Ark Lab's Pangu team (https://explaingit.com/hw-whistleblower/true-story-of-pangu; https://techly.relevanpress.com/huawei_s-star-ai-model-was-built-on-burnout-and-plagiarism--221351). Its date differs between "
            "reports: 5 July (techly.relevanpress.com) or Sunday 6 July 2025 (Republic World, 8 July "
            "2025; https://redcensor.com/huawei-ai-caught-in-plagiarism-scandal-with-allegations-from-insider-employees). The address is as the repository is named on explaingit.com "
            "(hw-whistleblower/true-story-of-pangu); we have not read the repository itself."
        ),
    },
    {
        "slug": "itbear-whistleblower-2025-07-06",
        "title": "“华为盘古大模型风波:内部员工揭露研发过程中的套壳与续训问题” (ITBEAR, 6 July 2025)",
        "kind": "media_report",
        "author": "itbear",
        "url": "https://m.zhikuai.com/Tech/202507/136718.html",
        "published_on": date(2025, 7, 6),
        "date_precision": DAY,
        "description": (
            "Reports the open letter of a presumed Noah's Ark Lab employee describing “套壳、续训、洗水印” "
            "(shell-wrapping, continued training, watermark washing) in the development of Pangu, and "
            "asking to be removed from the author list of some Pangu technical reports."
        ),
    },
    {
        "slug": "republic-world-2025-07-08",
        "title": "“Huawei denies copying Alibaba AI model amid GitHub controversy” (Republic World, 8 July 2025)",
        "kind": "media_report",
        "author": "republic-world",
        "url": "https://www.republicworld.com/tech/huawei-denies-copying-alibaba-ai-model-amid-github-controversy",
        "published_on": date(2025, 7, 8),
        "date_precision": DAY,
        "description": (
            "Reports that on Sunday an anonymous person who claimed to work for Huawei posted a long "
            "message on GitHub saying the company trained its newest model using other companies' data "
            "and architectures, under internal pressure to catch up with rivals such as DeepSeek, and "
            "that “Huawei is yet to comment on this”."
        ),
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
    "title": "Model weights of Pangu Pro MoE and Qwen2.5-14B",
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
        "release_date": date(2025, 6, 30),
        "release_date_precision": DAY,
        "release_date_source": "szec-pangu-2025-07-07",
        "description": (
            "Huawei / Noah's Ark Lab model, trained on Huawei Ascend chips and open-sourced on GitCode on "
            "30 June 2025, with a 7-billion-parameter dense Pangu model (Shenzhen Electronic Chamber of "
            "Commerce, 7 July 2025). Architecture and sizes as stated in the technical report (arXiv "
            "2505.21411)."
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
    "started_on": date(2025, 7, 2),
    "started_on_precision": DAY,
    "summary": (
        "On 2 July 2025 the pseudonymous HonestAGI posted a paper on arXiv, and on 4 July on GitHub, "
        "claiming that Pangu Pro MoE, developed by Huawei's Noah's Ark Lab, shows an “extraordinary "
        "correlation” with Alibaba's Qwen2.5-14B and was derived from it rather than trained from scratch. "
        "Noah's Ark Lab denied it on 5 July 2025, saying it followed open-source licences for third-party "
        "code. Reuters and Bloomberg reported the story; Alibaba did not immediately respond.\n\n"
        "**What followed.** On 5 or 6 July an anonymous GitHub account presented as a Pangu team member's "
        "alleged that some Pangu models were built by continued training of other companies' models; "
        "Huawei had not commented on it as of 8 July (Republic World). HonestAGI's GitHub post was "
        "deleted days later (Bloomberg). On 24 April 2026 arXiv's version 2 of the paper reads “This paper "
        "has been withdrawn by arXiv Admin”, without a reason in the copy we read."
    ),
    "models_at_stake": ["pangu-pro-moe", "qwen2-5-14b"],
}

DISPUTE_ROLES = [
    ("honestagi", "accuser", ""),
    (
        "pangu-whistleblower",
        "accuser",
        "Pseudonymous; alleges continued training of other companies' models.",
    ),
    ("huawei", "accused", ""),
    ("noahs-ark-lab", "accused", "Developer of Pangu Pro MoE."),
    ("alibaba", "rights_holder", "Developer of Qwen2.5-14B, the alleged source model."),
    ("reuters", "reporter", ""),
    ("bloomberg", "reporter", ""),
]

_CONTESTED_RATIONALE = (
    "Contested. Source of record: the statement of the model's owner — Noah's Ark Lab denies that the "
    "model was based on incremental training of other manufacturers' models (statement of 5 July 2025). "
    "The paper making the claim was withdrawn by arXiv's administrators (version 2, 24 April 2026), "
    "without a reason in the copy we read. A counter-analysis attributed to engineers on the Pangu side "
    "(the same statistic gives 0.91 for two unrelated models) is unconfirmed: we have not found it. The "
    "supporting observations (QKV-bias patterns, LayerNorm weights) have not been verified by us, and we "
    "have not yet recomputed the statistic."
)

CLAIMS = [
    {
        "slug": "honestagi-pangu-derived-from-qwen",
        "title": "Pangu Pro MoE was derived from Qwen2.5-14B by upcycling, not trained from scratch",
        "claimant": "honestagi",
        "kind": "derived_from",
        "made_on": date(2025, 7, 2),
        "date_precision": DAY,
        "venue": "Paper “Intrinsic Fingerprint of LLMs” (arXiv 2507.03014, 2 July 2025), and GitHub (4 July)",
        "source": "intrinsic-fingerprint-of-llms",
        "subject_model": "pangu-pro-moe",
        "alleged_source_model": "qwen2-5-14b",
        "statement": (
            "Pangu Pro MoE shows an “extraordinary correlation” (average 0.927) with Qwen2.5-14B in a "
            "fingerprint built from the standard deviations of attention parameters, so it was derived from "
            "Qwen by “upcycling” rather than trained from scratch — implying copyright violation, "
            "fabrication of information in technical reports and false claims about Huawei's investment in "
            "training (Reuters).\n\n"
            "Supporting points:\n\n"
            "- a notice “Copyright 2024 The Qwen team, Alibaba Group” found in Pangu's open-source code "
            "(Shenzhen Electronic Chamber of Commerce, 7 July 2025);\n"
            "- near-identical QKV-bias patterns and similar attention LayerNorm weights (from the project "
            "brief; unconfirmed in the sources we could reach)."
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
        "venue": "Statement of Saturday 5 July 2025 (WeChat)",
        "source": "noahs-ark-lab-statement-2025-07-05",
        "subject_model": "pangu-pro-moe",
        "statement": (
            "The model was “not based on incremental training of other manufacturers' models” (Reuters's "
            "translation). It has key innovations in architecture design and technical features, and it is "
            "the first large-scale model built entirely on Ascend chips. Some basic components' code refers "
            "to open-source practice, including other open-source models' code; the team strictly followed "
            "open-source licence requirements and marked the copyright notices. The statement does not say "
            "which models it referenced."
        ),
        "original_language": "zh-Hans",
        "original_text": NOAH_STATEMENT_ZH,
        "translation": NOAH_STATEMENT_EN,
        "translator": TRANSLATOR,
        "machine_translation": True,
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
        "venue": "Zhihu answer reposting a Pangu team intranet post",
        "source": "zhihu-counter-analysis",
        "statement": (
            "Re-running HonestAGI's statistic on two unrelated models, deepseek-llm-7b and llama2-7b, gave "
            "0.91 — close to the 0.927 that HonestAGI reports for Pangu Pro MoE and Qwen2.5-14B — and that "
            "the per-layer curves of unrelated 7B models are hard to tell apart by this method. Read through "
            "an English quotation of the Zhihu repost; the Chinese original not read."
        ),
        "assessment": "unverified",
        "assessment_rationale": "Posted by engineers on the accused side, and read by us only through an "
        "English quotation of the Zhihu repost; we have not re-run the statistic on those models.",
    },
    {
        "slug": "whistleblower-continued-training",
        "title": "Anonymous whistleblower alleges continued training from other companies' models, Qwen among them",
        "claimant": "pangu-whistleblower",
        "kind": "misrepresented_training",
        "made_on": date(2025, 7, 1),
        "date_precision": MONTH,
        "venue": "GitHub repository “True-Story-of-Pangu” (“盘古之殇”)",
        "source": "whistleblower-github-account",
        "statement": (
            "An anonymous GitHub account, presented as a Pangu team member's, describes shell-wrapping, "
            "continued training and watermark washing (“套壳、续训、洗水印”, ITBEAR) of other companies' "
            "models in the development of Pangu, under pressure to catch up with rivals; one summary says "
            "it alleges a Pangu model was derived from Alibaba's Qwen (explaingit.com), another that a "
            "DeepSeek checkpoint was loaded and repackaged (techly.relevanpress.com). Which Qwen model is "
            "meant is not stated in the summaries we read, so no alleged source model is recorded."
        ),
        "original_language": "zh-Hans",
        "original_text": "套壳、续训、洗水印",
        "translation": "shell-wrapping, continued training, watermark washing",
        "translator": TRANSLATOR,
        "machine_translation": True,
        "assessment": "unverified",
        "assessment_rationale": "The account is pseudonymous. We do not know who is behind it and have not "
        "verified the allegation; Huawei had not commented on it as of 8 July 2025 (Republic World).",
    },
]

EVIDENCE_LINKS = [
    ("honestagi-pangu-derived-from-qwen", "intrinsic-fingerprint-of-llms", "supports",
     "The paper itself: the 0.927 average correlation between attention-parameter fingerprints."),
    ("honestagi-pangu-derived-from-qwen", "honestagi-github-repository", "supports",
     "The post on GitHub; deleted days later, its address unconfirmed."),
    ("honestagi-pangu-derived-from-qwen", "szec-pangu-2025-07-07", "supports",
     "Reports the 0.927 similarity and the Qwen copyright notice in Pangu's code."),
    ("honestagi-pangu-derived-from-qwen", "noahs-ark-lab-statement-2025-07-05", "refutes",
     "The developer's denial."),
    ("honestagi-pangu-derived-from-qwen", "zhihu-counter-analysis", "refutes",
     "The statistic gives 0.91 for two unrelated models (unconfirmed)."),
    ("honestagi-pangu-derived-from-qwen", "arxiv-2507-03014-withdrawal", "context",
     "The paper was withdrawn by arXiv's administrators (24 April 2026); no reason in the copy we read."),
    ("honestagi-pangu-derived-from-qwen", "reuters-report-july-2025", "context",
     "Reports the claim and the denial; HonestAGI could not be contacted."),
    ("honestagi-pangu-derived-from-qwen", "bloomberg-huawei-rebuts-july-2025", "context",
     "Reports the rebuttal; Huawei declined further comment; the post was deleted."),
    ("honestagi-pangu-derived-from-qwen", "pangu-pro-moe-technical-report", "context",
     "Huawei's own description of the model's architecture and training on Ascend chips."),
    ("honestagi-pangu-derived-from-qwen", "pangu-and-qwen-weights", "context",
     "The weights the statistic is computed from; not yet on this server, so not yet recomputed by us."),
    ("noahs-ark-lab-denial", "noahs-ark-lab-statement-2025-07-05", "supports", "The statement itself."),
    ("noahs-ark-lab-denial", "reuters-report-july-2025", "context", "Reports the statement."),
    ("noahs-ark-lab-denial", "bloomberg-huawei-rebuts-july-2025", "context", "Reports the statement."),
    ("pangu-engineers-counter-analysis", "zhihu-counter-analysis", "supports", "The post itself, as quoted in English on Substack."),
    ("whistleblower-continued-training", "whistleblower-github-account", "supports", "The account itself."),
    ("whistleblower-continued-training", "itbear-whistleblower-2025-07-06", "supports", "Reports the letter."),
    ("whistleblower-continued-training", "republic-world-2025-07-08", "context",
     "Reports the post and Huawei's silence on it."),
    ("whistleblower-continued-training", "szec-pangu-2025-07-07", "context", "Dates Pangu's open-sourcing."),
]  # fmt: skip

RIGHTS_OF_REPLY = [
    {
        "claim": "honestagi-pangu-derived-from-qwen",
        "party": "alibaba",
        "asked_by": "reuters",
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2025, 7, 7),
        "source": "reuters-report-july-2025",
    },
    {
        "claim": "honestagi-pangu-derived-from-qwen",
        "party": "noahs-ark-lab",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": date(2025, 7, 5),
        "answer": "The model was “not based on incremental training of other manufacturers' models” "
        "(statement of 5 July 2025, as translated by Reuters).",
        "source": "noahs-ark-lab-statement-2025-07-05",
    },
    {
        "claim": "honestagi-pangu-derived-from-qwen",
        "party": "huawei",
        "asked_by": "bloomberg",
        "asked_on": None,
        "date_precision": MONTH,
        "outcome": "declined",
        "outcome_on": date(2025, 7, 1),
        "source": "bloomberg-huawei-rebuts-july-2025",
    },
    {
        "claim": "noahs-ark-lab-denial",
        "party": "honestagi",
        "asked_by": "reuters",
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2025, 7, 7),
        "source": "reuters-report-july-2025",
    },
    {
        "claim": "whistleblower-continued-training",
        "party": "huawei",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2025, 7, 8),
        "source": "republic-world-2025-07-08",
    },
]
