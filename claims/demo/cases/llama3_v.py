"""Llama3-V and MiniCPM-Llama3-V 2.5 (May-June 2024): a Stanford student project's multimodal model,
said to be ModelBest's with its variable names changed; two of its three authors apologised.

Every fact below comes from the source cited next to it (``EVIDENCE``). Several copies we read show
no publication date: those are dated to the month of the events they report, and say so.
"""

from datetime import date

from claims.demo.cases.common import DAY, MONTH, TRANSLATOR, outlet

UNDATED = (
    " The copy we read shows no publication date: it is dated to the month of the events it reports "
    "(date unconfirmed)."
)

PARTIES = [
    {
        "slug": "modelbest",
        "name": "ModelBest (面壁智能)",
        "kind": "organisation",
        "aliases": "Mianbi Intelligence",
        "identity_verified": True,
        "note": "Beijing start-up that developed MiniCPM-Llama3-V 2.5 with Tsinghua University's natural "
        "language processing lab (ETtoday, 5 June 2024). Its CEO is Li Dahai (cpdym.com) and its chief "
        "scientist Liu Zhiyuan (ETtoday).",
    },
    {
        "slug": "llama3-v-team",
        "name": "The Llama3-V authors",
        "kind": "organisation",
        "identity_verified": True,
        "note": "The three people who released Llama3-V: Aksh Garg, Siddharth Sharma and Mustafa Aljadery "
        "(Securities Times, 4 June 2024); press reports call them a Stanford AI team.",
    },
    {
        "slug": "aksh-garg",
        "name": "Aksh Garg",
        "kind": "person",
        "parent": "llama3-v-team",
        "identity_verified": True,
        "note": "Co-author of Llama3-V; announced it on X (Securities Times, 4 June 2024).",
    },
    {
        "slug": "siddharth-sharma",
        "name": "Siddharth Sharma",
        "kind": "person",
        "parent": "llama3-v-team",
        "identity_verified": True,
        "note": "Co-author of Llama3-V.",
    },
    {
        "slug": "mustafa-aljadery",
        "name": "Mustafa Aljadery",
        "kind": "person",
        "parent": "llama3-v-team",
        "identity_verified": True,
        "note": "Co-author of Llama3-V who, according to his two co-authors, wrote all of its code "
        "(Securities Times, 4 June 2024).",
    },
    {
        "slug": "llama3-v-github-reporters",
        "name": "Users who posted the Llama3-V comparison (GitHub, X)",
        "kind": "pseudonymous",
        "identity_verified": False,
        "note": "The users who first listed the evidence, on GitHub under ModelBest's project and on X. "
        "The sources we read do not name them.",
    },
    outlet("securities-times", "Securities Times (证券时报)", "Chinese financial daily."),
    outlet("ettoday", "ETtoday", "Taiwanese news site."),
    outlet("cpdym", "cpdym.com", "Chinese news site; it does not name the outlet it took the report from."),
    outlet("bytebriefly", "ByteBriefly", "News aggregator; its copy does not name the original outlet."),
    outlet("ctol-digital", "CTOL Digital", "Technology news site."),
]

EVIDENCE = [
    {
        "slug": "securities-times-llama3-v-2024-06-04",
        "title": "“炸锅!斯坦福AI团队,被曝抄袭中国大模型!各方最新回应” (Securities Times, 4 June 2024)",
        "kind": "media_report",
        "author": "securities-times",
        "url": "https://app.bjtitle.com/8816/newshow.php?did=357616606653247&mood=wx&newsid=6533183&typeid=13",
        "published_on": date(2024, 6, 4),
        "date_precision": DAY,
        "description": (
            "Securities Times report, as republished by the Beijing Youth Daily app (stamped 2024-06-04 "
            "20:48). It says the team published “Llama 3-V: Matching GPT4-V with a 100x smaller model "
            "and 500 dollars” on 29 May; that users found Llama 3-V and MiniCPM-Llama3-V 2.5 almost "
            "identical in model structure, code and configuration files, with variable names changed; "
            "that the GitHub project then showed 404 and the Hugging Face project was no longer visible; "
            "and it quotes Aksh Garg's statement of 3 June."
        ),
        "original_language": "zh-Hans",
        "original_text": ("我和Siddharth都忙于自己的全职工作,所以Mustafa为该项目编写了所有代码。"),
        "translation": "Siddharth and I were both busy with our full-time jobs, so Mustafa wrote all the "
        "code for the project.",
        "translator": TRANSLATOR,
        "machine_translation": True,
    },
    {
        "slug": "li-dahai-statement-2024-06-03",
        "title": "Li Dahai (ModelBest CEO) on Llama3-V, 3 June 2024 (as reported by cpdym.com)",
        "kind": "statement",
        "author": "modelbest",
        "url": "http://m.cpdym.com/news/1382016.html",
        "published_on": date(2024, 6, 1),
        "date_precision": MONTH,
        "description": (
            "Report quoting ModelBest's CEO: besides the evidence users listed, his team found that "
            "Llama3-V recognises the Tsinghua bamboo slips (清华简) as MiniCPM-Llama3-V 2.5 does, down to "
            "the same wrong answers, from training data ModelBest has not published. ETtoday dates the "
            "statement to 3 June 2024. The copy mixes simplified and traditional script; quotes are "
            "given as it shows them." + UNDATED
        ),
        "original_language": "zh-Hans",
        "original_text": "我们对这件事深表遗憾!一方面感慨这也是一种受到国际团队认可的方式,另一方面也呼吁大家共建开放、合作、有信任的社区环境。",
        "translation": "We deeply regret this! On the one hand, it is, we suppose, a kind of recognition by an "
        "international team; on the other, we call on everyone to build an open, cooperative and "
        "trusting community.",
        "translator": TRANSLATOR,
        "machine_translation": True,
    },
    {
        "slug": "ettoday-llama3-v-2024-06-05",
        "title": "ETtoday report on Llama3-V and MiniCPM-Llama3-V 2.5 (5 June 2024)",
        "kind": "media_report",
        "author": "ettoday",
        "url": "https://www.ettoday.net/news/20240605/2752637.htm",
        "published_on": date(2024, 6, 5),
        "date_precision": DAY,
        "description": (
            "Reports Liu Zhiyuan's answer on Zhihu: recognising the Tsinghua bamboo slips is an "
            "experimental feature of MiniCPM-Llama3-V 2.5, trained on images recently scanned and "
            "annotated and not yet published, and Llama3-V has the same ability; the two models' right "
            "and wrong answers largely coincide. Also reports that the Llama3-V author deleted the "
            "announcement and the GitHub and Hugging Face repositories, and that Li Dahai expressed "
            "deep regret on the 3rd."
        ),
        "original_language": "zh-Hant",
        "original_text": "MiniCPM-Llama3-V 2.5在研發時,內置了一個彩蛋,就是對『清華簡』的識別能力,而Llama3-V模型居然也有一模一樣的能力。",
        "translation": "MiniCPM-Llama3-V 2.5 was built with an Easter egg: it can read the “Tsinghua bamboo "
        "slips”; and the Llama3-V model turns out to have exactly the same ability.",
        "translator": TRANSLATOR,
        "machine_translation": True,
    },
    {
        "slug": "ctol-llama3-v-report",
        "title": "“Stanford AI Team Engulfed in Plagiarism Scandal” (CTOL Digital, Xiaoling Qian)",
        "kind": "media_report",
        "author": "ctol-digital",
        "url": "https://ctol.digital/news/stanford-ai-team-plagiarism-scandal-llama-3v-copying-tsinghua-model",
        "published_on": date(2024, 6, 1),
        "date_precision": MONTH,
        "description": (
            "Reports that the Stanford team first denied the accusation, saying they used only the "
            "tokenizer from MiniCPM, and then deleted related posts and repositories." + UNDATED
        ),
    },
    {
        "slug": "bytebriefly-llama3-v-apology",
        "title": "“Stanford AI project team apologizes for plagiarizing Chinese model” (ByteBriefly)",
        "kind": "media_report",
        "author": "bytebriefly",
        "url": "https://bytebriefly.com/news/239986",
        "published_on": date(2024, 6, 1),
        "date_precision": MONTH,
        "description": (
            "Quotes Aksh Garg and Siddharth Sharma's apology on X and reports that they said their role "
            "was to promote the model, that they could not reach the member who wrote the code, and that "
            "they had taken all references to Llama3-V down." + UNDATED
        ),
    },
]

AI_MODELS = [
    {
        "slug": "minicpm-llama3-v-2-5",
        "name": "MiniCPM-Llama3-V 2.5",
        "developer": "modelbest",
        "family": "MiniCPM",
        "architecture": "multimodal (vision and language), built on Llama 3",
        "release_date": None,
        "release_date_precision": DAY,
        "release_date_source": None,
        "description": (
            "Multimodal model by ModelBest and Tsinghua University's NLP lab (ETtoday, 5 June 2024). It "
            "can read the Tsinghua bamboo slips, an experimental feature trained on unpublished images "
            "(same source). Its release date is not recorded here: the sources we cite do not give it."
        ),
    },
    {
        "slug": "llama3-v",
        "name": "Llama3-V",
        "developer": "llama3-v-team",
        "family": "Llama3-V",
        "architecture": "multimodal (vision and language)",
        "release_date": date(2024, 5, 29),
        "release_date_precision": DAY,
        "release_date_source": "securities-times-llama3-v-2024-06-04",
        "description": (
            "Announced on 29 May 2024 as matching GPT-4V “with a 100x smaller model and 500 dollars” "
            "(Securities Times, 4 June 2024). Withdrawn in early June 2024: its GitHub project showed 404 "
            "and its Hugging Face project was no longer visible (same source)."
        ),
    },
]

DISPUTE = {
    "slug": "llama3-v-minicpm",
    "title": "Was Llama3-V ModelBest's MiniCPM-Llama3-V 2.5 with its names changed?",
    "started_on": date(2024, 5, 29),
    "started_on_precision": DAY,
    "summary": (
        "On 29 May 2024 three authors presented Llama3-V, a multimodal model said to match GPT-4V for "
        "500 dollars. Users then posted evidence that its structure, code and configuration were almost "
        "identical to ModelBest's MiniCPM-Llama3-V 2.5 with variable names changed. ModelBest said "
        "Llama3-V also reads the Tsinghua bamboo slips, from training data it never published, down to "
        "the same errors. The team first said it had used only MiniCPM's tokenizer; on 3 June two of "
        "the authors apologised to MiniCPM's authors, said the third had written all the code, and took "
        "Llama3-V down."
    ),
    "models_at_stake": ["llama3-v", "minicpm-llama3-v-2-5"],
}

DISPUTE_ROLES = [
    ("llama3-v-github-reporters", "accuser", "First listed the code and configuration evidence."),
    ("modelbest", "rights_holder", "Developer of MiniCPM-Llama3-V 2.5; also an accuser."),
    ("llama3-v-team", "accused", ""),
    ("aksh-garg", "accused", ""),
    ("siddharth-sharma", "accused", ""),
    ("mustafa-aljadery", "accused", "Wrote the code, according to his co-authors."),
    ("securities-times", "reporter", ""),
    ("ettoday", "reporter", ""),
]

_SUPPORTED = (
    "Supported. Sources of record: (1) a statement by the owner of the model said to be copied: "
    "ModelBest's CEO Li Dahai (3 June 2024) and chief scientist Liu Zhiyuan report that Llama3-V reads "
    "the Tsinghua bamboo slips from unpublished training data, with the same wrong answers; (2) a "
    "partial admission: two of Llama3-V's three authors apologised to MiniCPM's authors and took "
    "Llama3-V down (3 June 2024). The third author, who wrote the code according to them, has no "
    "response on record. We have not compared the weights ourselves."
)

CLAIMS = [
    {
        "slug": "llama3-v-is-minicpm-renamed",
        "title": "Llama3-V's structure, code and configuration are MiniCPM-Llama3-V 2.5's, variable names changed",
        "claimant": "llama3-v-github-reporters",
        "kind": "derived_from",
        "made_on": None,  # between the release (29 May) and 3 June 2024: the day is unconfirmed
        "date_precision": DAY,
        "venue": "GitHub (under ModelBest's project) and X",
        "source": "securities-times-llama3-v-2024-06-04",
        "subject_model": "llama3-v",
        "alleged_source_model": "minicpm-llama3-v-2-5",
        "statement": (
            "Users listed evidence that Llama 3-V and MiniCPM-Llama3-V 2.5 are almost the same in model "
            "structure, code and configuration files, and that only variable names were changed "
            "(as reported by Securities Times, 4 June 2024; the users' own posts are not recorded here). "
            "Between Llama3-V's release on 29 May and early June 2024; the exact date is unconfirmed."
        ),
        "assessment": "supported",
        "assessment_rationale": _SUPPORTED,
    },
    {
        "slug": "modelbest-bamboo-slips",
        "title": "ModelBest: Llama3-V reads the Tsinghua bamboo slips like MiniCPM, down to the same errors",
        "claimant": "modelbest",
        "kind": "derived_from",
        "made_on": date(2024, 6, 3),
        "date_precision": DAY,
        "venue": "Statement by CEO Li Dahai; answer by chief scientist Liu Zhiyuan on Zhihu",
        "source": "li-dahai-statement-2024-06-03",
        "subject_model": "llama3-v",
        "alleged_source_model": "minicpm-llama3-v-2-5",
        "statement": (
            "Besides the users' evidence, ModelBest found that Llama3-V recognises the Tsinghua bamboo "
            "slips as MiniCPM-Llama3-V 2.5 does, with the same wrong answers, although this training data "
            "was scanned and annotated by ModelBest over months and never published; under Gaussian "
            "perturbation the two models' right and wrong answers are also highly similar."
        ),
        "original_language": "zh-Hant",
        "original_text": "我們還發現 Llama3V展現出和小鋼炮一樣的清華簡識別能力,連做錯的樣例都一模一樣,而這一訓練數據尚未對外公開。",
        "translation": "We also found that Llama3V shows the same ability to read the Tsinghua bamboo slips "
        "as our “little steel cannon” (MiniCPM), down to identical wrong answers, although this "
        "training data has not been made public.",
        "translator": TRANSLATOR,
        "machine_translation": True,
        "assessment": "supported",
        "assessment_rationale": _SUPPORTED,
    },
    {
        "slug": "llama3-v-team-only-tokenizer",
        "title": "The Llama3-V team: we only used MiniCPM's tokenizer",
        "claimant": "llama3-v-team",
        "kind": "denial",
        "responds_to": "llama3-v-is-minicpm-renamed",
        "made_on": None,  # between the release (29 May) and 3 June 2024: the day is unconfirmed
        "date_precision": DAY,
        "venue": "Posts later deleted (as reported by CTOL Digital)",
        "source": "ctol-llama3-v-report",
        "subject_model": "llama3-v",
        "statement": (
            "The team first denied the accusation, saying it had used only the tokenizer from MiniCPM "
            "(as reported; the posts were deleted and we have not read them). Which author wrote them, and "
            "when (before the apology of 3 June 2024), is not stated in the sources we read."
        ),
        "assessment": "contested",
        "assessment_rationale": (
            "Contested by the sources of record on the central claim: the statement of MiniCPM's owner "
            "(ModelBest, 3 June 2024) and the later apology of two of the team's authors, who withdrew the "
            "model. The denial itself is known only from press reports; its posts were deleted."
        ),
    },
    {
        "slug": "garg-sharma-apology",
        "title": "Aksh Garg and Siddharth Sharma apologise to MiniCPM's authors and take Llama3-V down",
        "claimant": "aksh-garg",
        "kind": "partial_admission",
        "responds_to": "llama3-v-is-minicpm-renamed",
        "made_on": date(2024, 6, 3),
        "date_precision": DAY,
        "venue": "Post on X",
        "source": "bytebriefly-llama3-v-apology",
        "subject_model": "llama3-v",
        "statement": (
            "With Siddharth Sharma: “We apologize to the authors of MiniCPM for any inconvenience that we "
            "caused for not doing the full diligence to verify and peer review the novelty of this work.” "
            "They said Mustafa Aljadery wrote all the code, that their role was to promote the model, that "
            "they had asked him for proof of originality and the training code without seeing any, and "
            "that they had taken all references to Llama3-V down."
        ),
        "assessment": "unverified",
        "assessment_rationale": "The authors' own account of their roles; we have not verified it.",
    },
]

EVIDENCE_LINKS = [
    ("llama3-v-is-minicpm-renamed", "securities-times-llama3-v-2024-06-04", "supports",
     "Reports the users' evidence: same structure, code and configuration, variable names changed."),
    ("llama3-v-is-minicpm-renamed", "li-dahai-statement-2024-06-03", "supports",
     "The owner of MiniCPM confirms and adds the bamboo-slip evidence."),
    ("llama3-v-is-minicpm-renamed", "bytebriefly-llama3-v-apology", "supports",
     "Two of the three authors apologise and withdraw the model."),
    ("llama3-v-is-minicpm-renamed", "ctol-llama3-v-report", "context", "The team's first denial."),
    ("modelbest-bamboo-slips", "li-dahai-statement-2024-06-03", "supports", "The statement itself."),
    ("modelbest-bamboo-slips", "ettoday-llama3-v-2024-06-05", "supports",
     "Liu Zhiyuan's answer on Zhihu: the bamboo-slip data is unpublished."),
    ("llama3-v-team-only-tokenizer", "ctol-llama3-v-report", "supports", "Reports the denial."),
    ("llama3-v-team-only-tokenizer", "li-dahai-statement-2024-06-03", "refutes",
     "The bamboo-slip ability cannot come from the tokenizer alone, according to ModelBest."),
    ("garg-sharma-apology", "bytebriefly-llama3-v-apology", "supports", "Quotes the apology."),
    ("garg-sharma-apology", "securities-times-llama3-v-2024-06-04", "supports", "Quotes Garg's statement."),
]  # fmt: skip

_APOLOGY = (
    "“We apologize to the authors of MiniCPM for any inconvenience that we caused for not doing the "
    "full diligence to verify and peer review the novelty of this work.”"
)

RIGHTS_OF_REPLY = [
    {
        "claim": "llama3-v-is-minicpm-renamed",
        "party": "aksh-garg",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": date(2024, 6, 3),
        "answer": _APOLOGY,
        "source": "bytebriefly-llama3-v-apology",
    },
    {
        "claim": "llama3-v-is-minicpm-renamed",
        "party": "siddharth-sharma",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": date(2024, 6, 3),
        "answer": _APOLOGY,
        "source": "bytebriefly-llama3-v-apology",
    },
    {
        "claim": "llama3-v-is-minicpm-renamed",
        "party": "llama3-v-team",
        "asked_by": None,
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "answered",
        "outcome_on": None,  # before 3 June 2024; the day is unconfirmed
        "answer": "Said it had used only the tokenizer from MiniCPM (as reported by CTOL Digital; the "
        "posts were deleted).",
        "source": "ctol-llama3-v-report",
    },
    {
        "claim": "llama3-v-is-minicpm-renamed",
        "party": "mustafa-aljadery",
        "asked_by": "aksh-garg",
        "asked_on": None,
        "date_precision": DAY,
        "outcome": "no_response",
        "outcome_on": date(2024, 6, 4),
        "source": "securities-times-llama3-v-2024-06-04",
    },
]
