"""Indexes in the order of the claims and evidence indexes' sorts, on PostgreSQL only.

The claims index sorts by ``made_on DESC NULLS LAST, id DESC NULLS LAST`` (newest, the default) or
``made_on ASC NULLS LAST, id ASC NULLS LAST`` (oldest), the evidence index likewise by
``published_on`` (``claims.selectors.browse._ordering``). Without an index in that order PostgreSQL
sorted every row (10,000 claims, 20,000 evidence records, their joins) to show twenty: 75-100 ms
of the first render after a write; with it, it reads the first twenty from the index (under 3 ms).
SQLite cannot declare NULLS LAST in an index (and serves the tests only), so the model state is
not touched and ``makemigrations`` stays clean on both databases. Reversible.
"""

from django.db import migrations

INDEXES = {
    "claims_claim_newest_idx": ("claims_claim", "made_on DESC NULLS LAST, id DESC NULLS LAST"),
    "claims_claim_oldest_idx": ("claims_claim", "made_on ASC NULLS LAST, id ASC NULLS LAST"),
    "claims_evidence_newest_idx": (
        "claims_evidenceartifact",
        "published_on DESC NULLS LAST, id DESC NULLS LAST",
    ),
    "claims_evidence_oldest_idx": (
        "claims_evidenceartifact",
        "published_on ASC NULLS LAST, id ASC NULLS LAST",
    ),
}


class AddSortIndexes(migrations.operations.base.Operation):
    """Creates the indexes of ``INDEXES`` on PostgreSQL; nothing elsewhere."""

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            for name, (table, columns) in INDEXES.items():
                schema_editor.execute(
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})', params=None
                )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            for name in INDEXES:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"', params=None)

    def describe(self):
        return "Create the claims and evidence indexes' sort indexes (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [("claims", "0020_null_cache")]

    operations = [AddSortIndexes()]
