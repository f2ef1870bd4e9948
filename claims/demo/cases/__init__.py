"""The documented cases: real provenance disputes other than the founding one, each a module of
plain data in the shape ``claims.demo.loader.load_case`` writes (see ``founding_dispute``).

Each module records a dispute's parties and roles, the models with their declared and alleged
lineage, the claims in the order they were made, the responses, rights of reply and an assessment,
and the sources: every source has its address, publisher and date, or says in its description
what is unconfirmed. Records that several cases name live in ``common`` (one definition per slug).
``docs/cases.md`` lists the cases, their sources and what could not be confirmed.
"""

from __future__ import annotations

from types import ModuleType

from claims.demo.cases import bard_sharegpt, deepseek_distillation, llama3_v, miqu, reflection_70b, yi_34b
from claims.demo.loader import LoadStats, load_case

CASES: tuple[ModuleType, ...] = (
    bard_sharegpt,
    yi_34b,
    miqu,
    llama3_v,
    reflection_70b,
    deepseek_distillation,
)


def case_reason(case: ModuleType) -> str:
    """The internal history reason of a case's records, as an editor's import would write one."""
    return f"load_demo: documented case {case.DISPUTE['slug']}"


def load_cases() -> LoadStats:
    """Load every documented case, published, idempotently; the totals of all of them."""
    total = LoadStats(reason="load_demo: documented cases")
    for case in CASES:
        stats = load_case(case, reason=case_reason(case))
        total.created += stats.created
        total.updated += stats.updated
        total.unchanged += stats.unchanged
        total.touched += stats.touched
    return total
