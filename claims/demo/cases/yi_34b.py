"""Yi-34B and LLaMA's tensor names (November 2023 - April 2024): 01.AI's model used the LLaMA
architecture with two tensors renamed; 01.AI called the renaming an oversight and said it trained
the model from scratch; a later New York Times report and EleutherAI's answer to it.

Every fact below comes from the source cited next to it.
"""

from datetime import date

from claims.demo.cases.common import DAY, LLAMA_2, META, MONTH, TRANSLATOR, outlet

PARTIES = [
    META,
    {
        "slug": "01-ai",
        "name": "01.AI (零一万物)",
        "kind": "organisation",
        "aliases": "Lingyiwanwu",
        "identity_verified": True,
        "note": "Start-up founded by Kai-Fu Lee, valued above US$1 billion (China Money Network); "
        "developer of Yi-34B and Yi-6B.",
    },
    {
        "slug": "richard-lin",
        "name": "Richard Lin",
        "kind": "person",
        "parent": "01-ai",
        "identity_verified": True,
        "note": "01.AI's open-source director (multiplatform.ai; 酷瑞百科).",
    },
    {
        "slug": "ehartford",
        "name": "Eric Hartford (ehartford)",
        "kind": "person",
        "identity_verified": True,
        "note": "AI researcher who raised the tensor names on Yi-34B's Hugging Face page (multiplatform.ai "
        "names him; 酷瑞百科 gives the handle ehartford).",
    },
    {
        "slug": "jia-yangqing",
        "name": "Jia Yangqing",
        "kind": "person",
        "identity_verified": True,
        "note": "Former vice-president of technology at Alibaba, creator of the Caffe framework "
        "(China Money Network).",
    },
    {
        "slug": "new-york-times",
        "name": "The New York Times",
        "kind": "media_outlet",
        "identity_verified": True,
        "note": "US newspaper; its report of 21 February 2024 is quoted by EleutherAI.",
    },
    {
        "slug": "eleutherai",
        "name": "EleutherAI",
        "kind": "lab",
        "identity_verified": True,
        "note": "Non-profit AI research group; published a fact check of the New York Times report.",
    },
    outlet("krbk", "酷瑞百科 (krbk.com)", "Chinese technology news site."),
    outlet("china-money-network", "China Money Network", "News site on Chinese technology investment."),
    outlet("multiplatform-ai", "multiplatform.ai", "AI news site."),
]

EVIDENCE = [
    {
        "slug": "krbk-yi-tensor-names",
        "title": "零一万物回应Yi大模型涉嫌抄袭LLaMA (酷瑞百科, 15 November 2023)",
        "kind": "media_report",
        "author": "krbk",
        "url": "https://krbk.com/qydt/277936.html",
        "published_on": date(2023, 11, 15),
        "date_precision": DAY,
        "description": (
            "Reports that the developer ehartford said on Yi-34B's Hugging Face page that the model uses "
            "Meta's LLaMA architecture with only two tensors renamed (input_layernorm and "
            "post_attention_layernorm), and asked 01.AI to rename them to match LLaMA; that 01.AI's "
            "open-source director Richard Lin answered “yesterday” that the renaming was improper and "
            "that the tensor names would be changed back from Yi to LLaMA; and that the developer "
            "JosephusCheung then said Yi is a derivative of LLaMA. The page says “11月15日消息” without a "
            "year; 2023 follows from its statement that 01.AI was founded “this year” and released Yi "
            "“at the start of this month” (year inferred, unconfirmed)."
        ),
        "original_language": "zh-Hans",
        "original_text": "零一万物开源团队总监Richard Lin昨天承认,修改Llama张量名的做法不妥,将会按照外界建议把“修改后的张量名称从Yi改回LLaMA”。",
        "translation": "Richard Lin, director of 01.AI's open-source team, admitted yesterday that renaming "
        "the Llama tensors was improper, and said that, as suggested, “the modified tensor names will be "
        "changed back from Yi to LLaMA”.",
        "translator": TRANSLATOR,
        "machine_translation": True,
    },
    {
        "slug": "multiplatform-yi-oversight",
        "title": "“01.AI's oversight: changing AI model name raises questions” (multiplatform.ai)",
        "kind": "media_report",
        "author": "multiplatform-ai",
        "url": "https://multiplatform.ai/01-ais-oversight-changing-ai-model-name-raises-questions-in-the-tech-unicorn-realm",
        "published_on": date(2023, 11, 1),
        "date_precision": MONTH,
        "description": (
            "Reports that 01.AI called the renaming “an oversight”, not an attempt to hide the model's "
            "source, in a Hugging Face post by its open-source director Richard Lin answering the AI "
            "researcher Eric Hartford. The copy we read shows no publication date: dated to the month of "
            "the events it reports (date unconfirmed)."
        ),
    },
    {
        "slug": "china-money-network-01-ai-statement",
        "title": "“Kai-Fu Lee's 01.AI Startup Addresses Controversy Surrounding Model Architecture” (China Money Network)",
        "kind": "media_report",
        "author": "china-money-network",
        "url": "https://www.chinamoneynetwork.com/2023/12/12/kai-fu-lees-01-ai-startup-addresses-controversy-surrounding-model-architecture",
        "published_on": date(2023, 12, 12),
        "date_precision": DAY,
        "description": (
            "Reports that Jia Yangqing hinted Yi was just a shell of the LLaMA architecture; that some "
            "developers said Yi used the LLaMA architecture entirely apart from two renamed tensors; and "
            "01.AI's statement that it used the basic GPT/LLaMA architecture, trained Yi-34B and Yi-6B "
            "from scratch, and renamed some inference code after experiments without intending to "
            "deceive. Dated by its address (2023/12/12); the article says the statement was issued "
            "“today”."
        ),
    },
    {
        "slug": "eleutherai-nyt-yi-34b",
        "title": "“Yi-34B, Llama 2, and common practices in LLM training: a fact check of the New York Times” (EleutherAI)",
        "kind": "analysis",
        "author": "eleutherai",
        "url": "https://blog.eleuther.ai/nyt-yi-34b-response/",
        "published_on": date(2024, 4, 4),
        "date_precision": DAY,
        "description": (
            "Quotes the New York Times of 21 February 2024 (“Some of the technology in 01.AI's system came "
            "from Llama. Mr. Lee's start-up then built on Meta's technology, training its system with new "
            "data to make it more powerful.”) and answers that this misreads the cited Hugging Face issue: "
            "Yi-34B adopts Llama 2's architecture, which gave 01.AI no previously inaccessible innovation; "
            "the November 2023 request was to rename two components for compatibility with code written "
            "for Llama 2. Dated 4 April 2024 by two copies (https://bestofai.com/article/yi-34b-llama-2-and-common-practices-in-llm-training-a-fact-check-of-the-new-york-times "
            "and https://vuink.com/post/oybt-d-dryrhgure-d-dnv/nyt-yi-34b-response); the blog page we "
            "read shows no date."
        ),
    },
]

AI_MODELS = [
    LLAMA_2,
    {
        "slug": "yi-34b",
        "name": "Yi-34B",
        "developer": "01-ai",
        "family": "Yi",
        "architecture": "dense transformer (LLaMA architecture, per 01.AI)",
        "parameters_total": None,
        "release_date": date(2023, 11, 1),
        "release_date_precision": MONTH,
        "release_date_source": "china-money-network-01-ai-statement",
        "hub_id": "01-ai/Yi-34B",
        "description": (
            "Open pre-trained model released with Yi-6B on Hugging Face in November 2023 (China Money "
            "Network: “last month”, in an article of 12 December 2023). 01.AI says it trained the model "
            "from scratch on the GPT/LLaMA basic architecture (same source)."
        ),
    },
]

DISPUTE = {
    "slug": "yi-34b-llama-tensor-names",
    "title": "Is Yi-34B LLaMA with two tensors renamed?",
    "started_on": date(2023, 11, 1),
    "started_on_precision": MONTH,
    "summary": (
        "In November 2023 Eric Hartford noted on Yi-34B's Hugging Face page that the model used Meta's "
        "LLaMA architecture with two tensors renamed, and asked 01.AI to rename them back. 01.AI's "
        "open-source director called the renaming improper, an oversight, and said the names would revert "
        "to LLaMA's; 01.AI stated that it used the GPT/LLaMA architecture but trained the model from "
        "scratch. In February 2024 the New York Times wrote that 01.AI built on Meta's technology; "
        "EleutherAI answered that this misread the Hugging Face issue."
    ),
    "models_at_stake": ["yi-34b", "llama-2"],
}

DISPUTE_ROLES = [
    ("ehartford", "accuser", "Raised the renamed tensors on Hugging Face."),
    ("jia-yangqing", "accuser", "Hinted that Yi was a shell of LLaMA."),
    ("new-york-times", "accuser", "Wrote that 01.AI built on Meta's technology (21 February 2024)."),
    ("01-ai", "accused", ""),
    ("richard-lin", "accused", "01.AI's open-source director; answered on Hugging Face."),
    ("meta", "rights_holder", "Developer of LLaMA."),
    ("eleutherai", "independent_analyst", ""),
    ("krbk", "reporter", ""),
]

CLAIMS = [
    {
        "slug": "yi-uses-llama-architecture-renamed",
        "title": "Yi-34B uses LLaMA's architecture with two tensors renamed",
        "claimant": "ehartford",
        "kind": "copied_code",
        "made_on": date(2023, 11, 1),
        "date_precision": MONTH,
        "venue": "Yi-34B's Hugging Face page",
        "source": "krbk-yi-tensor-names",
        "subject_model": "yi-34b",
        "alleged_source_model": "llama-2",
        "statement": (
            "Yi-34B uses Meta's LLaMA architecture with only two tensors renamed, input_layernorm and "
            "post_attention_layernorm; 01.AI should rename them to match LLaMA before the model is widely "
            "used (as reported by 酷瑞百科). The request was one for compatibility with code written for "
            "Llama 2 (EleutherAI)."
        ),
        "assessment": "supported",
        "assessment_rationale": (
            "Supported. Source of record: an admission by the party — 01.AI's open-source director "
            "Richard Lin said the renaming was improper, an oversight, and that the names would be changed "
            "back to LLaMA's (酷瑞百科; multiplatform.ai), and 01.AI's statement says it used the "
            "GPT/LLaMA basic architecture (China Money Network). This concerns the architecture and the "
            "tensor names, not the weights."
        ),
    },
    {
        "slug": "jia-yangqing-yi-shell",
        "title": "Jia Yangqing hints that Yi is a shell of LLaMA",
        "claimant": "jia-yangqing",
        "kind": "derived_from",
        "made_on": date(2023, 11, 1),
        "date_precision": MONTH,
        "venue": "Public remarks (as reported by China Money Network)",
        "source": "china-money-network-01-ai-statement",
        "subject_model": "yi-34b",
        "alleged_source_model": "llama-2",
        "statement": "After the release of Yi-34B and Yi-6B, Jia Yangqing hinted that the Yi models were just "
        "a shell of the LLaMA architecture (as reported; we have not read his own words). The month is "
        "inferred from the report (unconfirmed).",
        "assessment": "contested",
        "assessment_rationale": (
            "Contested. Source of record: the statement of the model's owner, 01.AI, that Yi-34B and "
            "Yi-6B were trained from scratch on the GPT/LLaMA basic architecture (China Money Network, "
            "12 December 2023). No published analysis of the weights is on record here."
        ),
    },
    {
        "slug": "richard-lin-renaming-oversight",
        "title": "01.AI: renaming LLaMA's tensors was an oversight; the names will revert",
        "claimant": "richard-lin",
        "kind": "partial_admission",
        "responds_to": "yi-uses-llama-architecture-renamed",
        "made_on": date(2023, 11, 14),
        "date_precision": DAY,
        "venue": "Hugging Face discussion",
        "source": "krbk-yi-tensor-names",
        "subject_model": "yi-34b",
        "statement": (
            "Renaming the Llama tensors was improper and will be undone: developers renamed them several "
            "times in the code to meet testing needs and forgot to change them back to LLaMA's; it was an "
            "oversight, not an attempt to hide the model's source. Dated by 酷瑞百科 (“yesterday” in a "
            "report of 15 November; year inferred)."
        ),
        "original_language": "zh-Hans",
        "original_text": "出现这一问题主要是由于开发人员疏忽导致,开发人员为了满足测试要求,在代码中进行了几次重命名,但是后面忘记将张量名称修改回LLaMA了。",
        "translation": "The problem was mainly caused by the developers' oversight: to meet testing "
        "requirements they renamed things in the code several times, but later forgot to change the "
        "tensor names back to LLaMA's.",
        "translator": TRANSLATOR,
        "machine_translation": True,
        "assessment": "unverified",
        "assessment_rationale": "The party's own account of why the names changed; we cannot verify intent.",
    },
    {
        "slug": "01-ai-trained-from-scratch",
        "title": "01.AI: Yi-34B and Yi-6B were trained from scratch on the GPT/LLaMA basic architecture",
        "claimant": "01-ai",
        "kind": "clarification",
        "responds_to": "jia-yangqing-yi-shell",
        "made_on": date(2023, 12, 12),
        "date_precision": DAY,
        "venue": "Statement (as reported by China Money Network)",
        "source": "china-money-network-01-ai-statement",
        "subject_model": "yi-34b",
        "statement": (
            "“The core of the continuous development and breakthrough of large models lies not only in the "
            "architecture but also in the parameters obtained through training.” 01.AI used the GPT/LLaMA "
            "basic architecture, which allowed a quick start and is developer-friendly, and trained Yi-34B "
            "and Yi-6B from scratch with much original optimisation work (as reported; the date is that of "
            "the report, which says the statement was issued that day)."
        ),
        "assessment": "unverified",
        "assessment_rationale": "The owner's statement; we have not analysed the weights.",
    },
    {
        "slug": "nyt-yi-built-on-llama",
        "title": "The New York Times: 01.AI built Yi on Meta's technology",
        "claimant": "new-york-times",
        "kind": "derived_from",
        "made_on": date(2024, 2, 21),
        "date_precision": DAY,
        "venue": "“China's Rush to Dominate A.I. Comes With a Twist: It Depends on U.S. Technology”",
        "source": "eleutherai-nyt-yi-34b",
        "subject_model": "yi-34b",
        "alleged_source_model": "llama-2",
        "statement": (
            "“Some of the technology in 01.AI's system came from Llama. Mr. Lee's start-up then built on "
            "Meta's technology, training its system with new data to make it more powerful.” (as quoted by "
            "EleutherAI; we have not read the New York Times article itself)."
        ),
        "assessment": "contested",
        "assessment_rationale": (
            "Contested. Sources of record: 01.AI's statement that it trained Yi from scratch (China Money "
            "Network, 12 December 2023), and EleutherAI's published analysis that the report misreads the "
            "Hugging Face issue, which concerned architecture and tensor names, not weights. Neither is an "
            "analysis of the weights."
        ),
    },
    {
        "slug": "eleutherai-architecture-not-weights",
        "title": "EleutherAI: adopting Llama 2's architecture is common practice, and the NYT misread the issue",
        "claimant": "eleutherai",
        "kind": "counter_analysis",
        "responds_to": "nyt-yi-built-on-llama",
        "made_on": date(2024, 4, 4),
        "date_precision": DAY,
        "venue": "EleutherAI blog",
        "source": "eleutherai-nyt-yi-34b",
        "subject_model": "yi-34b",
        "statement": (
            "The assessment “is based on a misreading of the cited Hugging Face issue”: all modern LLMs are "
            "made from the same building blocks; even though Yi-34B adopts Llama 2's architecture, Meta's "
            "model did not give 01.AI access to any previously inaccessible innovation; training data is "
            "the main reason models differ, and 01.AI developed its own English-Chinese dataset."
        ),
        "assessment": "unverified",
        "assessment_rationale": "An independent analysis of the public record, not of the weights.",
    },
]

EVIDENCE_LINKS = [
    ("yi-uses-llama-architecture-renamed", "krbk-yi-tensor-names", "supports", "Reports the request and the admission."),
    ("yi-uses-llama-architecture-renamed", "multiplatform-yi-oversight", "supports", "01.AI calls the renaming an oversight."),
    ("yi-uses-llama-architecture-renamed", "china-money-network-01-ai-statement", "supports", "01.AI: GPT/LLaMA basic architecture."),
    ("yi-uses-llama-architecture-renamed", "eleutherai-nyt-yi-34b", "context", "Explains the request as a compatibility fix."),
    ("jia-yangqing-yi-shell", "china-money-network-01-ai-statement", "supports", "Reports the remark."),
    ("richard-lin-renaming-oversight", "krbk-yi-tensor-names", "supports", "Reports the answer."),
    ("richard-lin-renaming-oversight", "multiplatform-yi-oversight", "supports", "Reports the answer."),
    ("01-ai-trained-from-scratch", "china-money-network-01-ai-statement", "supports", "Reports the statement."),
    ("nyt-yi-built-on-llama", "eleutherai-nyt-yi-34b", "refutes", "Quotes and answers the report."),
    ("eleutherai-architecture-not-weights", "eleutherai-nyt-yi-34b", "supports", "The analysis itself."),
]  # fmt: skip

RIGHTS_OF_REPLY = [
    {
        "claim": "yi-uses-llama-architecture-renamed",
        "party": "01-ai",
        "asked_by": "ehartford",
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": date(2023, 11, 14),
        "answer": "Through its open-source director Richard Lin: the renaming was improper, an oversight, "
        "and the tensor names will be changed back from Yi to LLaMA.",
        "source": "krbk-yi-tensor-names",
    },
    {
        "claim": "nyt-yi-built-on-llama",
        "party": "01-ai",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2024, 4, 4),
        "source": "eleutherai-nyt-yi-34b",
    },
    {
        "claim": "yi-uses-llama-architecture-renamed",
        "party": "meta",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2024, 4, 4),
        "source": "eleutherai-nyt-yi-34b",
    },
    {
        "claim": "eleutherai-architecture-not-weights",
        "party": "new-york-times",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2024, 4, 4),
        "source": "eleutherai-nyt-yi-34b",
    },
]
