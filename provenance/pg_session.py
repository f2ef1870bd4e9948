"""Settings of each PostgreSQL session, set when Django opens the connection.

``join_collapse_limit``: the claim lists join fifteen tables (a claim, its dispute, claimant, source
with its author and report's models, its models, the claim it answers...: what ``is_public`` and the
page need, ``claims.selectors.timeline.CLAIM_RELATED``). With PostgreSQL's default (8), planning
that query took 95-150 ms, for 2-4 ms of execution: the first render of the claims index, the
API's claim list and a timeline page paid it after every write. At 4 the planner keeps the join
order Django writes (the listed table first, then each row's related rows by primary key), within
groups of four: planning 5 ms, execution 3.5 ms (``benchmarks/RESULTS.md``, "first render").
``PG_JOIN_COLLAPSE_LIMIT`` changes it (0: PostgreSQL's own default). A ``SET`` rather than a startup
option, so a connection pooler that refuses unknown startup parameters still connects.
"""

from __future__ import annotations

from django.conf import settings


def configure_session(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: the session settings above, on PostgreSQL only."""
    limit = getattr(settings, "PG_JOIN_COLLAPSE_LIMIT", 0)
    if connection.vendor != "postgresql" or not limit:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET join_collapse_limit = {int(limit)}")
