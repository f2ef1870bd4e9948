"""Stored search vectors for the public search, on PostgreSQL only (replaces 0005's indexes).

0005 indexed the weighted ``SearchVector`` *expression*: matching used the index, but ranking
recomputed ``to_tsvector`` for every matching row (most of a search's time on 20,000 evidence
records). Here each searchable table gets a ``search_vector`` column ``GENERATED ALWAYS AS
(...) STORED`` - PostgreSQL keeps it current on every write - with a GIN index on it; the search
matches and ranks on the stored vector. The column is unknown to the Django models (SQLite has
no tsvector), so ``makemigrations`` stays clean; ``claims/search.py`` reads it by name.
"""

from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models.sql import Query

CONFIG = "english"
# Must equal claims.search.FIELDS (tests/site/test_site_search.py checks it).
SEARCH_FIELDS = {
    "dispute": [("title", "A"), ("summary", "B")],
    "claim": [("title", "A"), ("statement", "B"), ("venue", "C")],
    "party": [("name", "A"), ("aliases", "A"), ("note", "B")],
    "aimodel": [("name", "A"), ("hub_id", "B"), ("family", "B"), ("description", "C")],
    "evidenceartifact": [("title", "A"), ("description", "B")],
}
COLUMN = "search_vector"


def _vector_sql(model, fields, schema_editor) -> str:
    """The weighted vector as SQL over bare column names (as a generated column needs)."""
    vector = None
    for name, weight in fields:
        part = SearchVector(name, weight=weight, config=CONFIG)
        vector = part if vector is None else vector + part
    query = Query(model=model, alias_cols=False)
    compiler = query.get_compiler(connection=schema_editor.connection)
    sql, params = vector.resolve_expression(query).as_sql(compiler, schema_editor.connection)
    return sql % tuple(schema_editor.quote_value(p) for p in params)


class AddSearchVectorColumns(migrations.operations.base.Operation):
    """Adds the stored vector columns and their GIN indexes on PostgreSQL; nothing elsewhere."""

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model_name, fields in SEARCH_FIELDS.items():
            model = to_state.apps.get_model(app_label, model_name)
            table = schema_editor.quote_name(model._meta.db_table)
            schema_editor.execute(f"DROP INDEX IF EXISTS {model_name}_search_gin")
            schema_editor.execute(
                f"ALTER TABLE {table} ADD COLUMN {COLUMN} tsvector "
                f"GENERATED ALWAYS AS ({_vector_sql(model, fields, schema_editor)}) STORED"
            )
            schema_editor.execute(f"CREATE INDEX {model_name}_search_gin ON {table} USING gin ({COLUMN})")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for model_name, fields in SEARCH_FIELDS.items():
            model = from_state.apps.get_model(app_label, model_name)
            table = schema_editor.quote_name(model._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {COLUMN}")  # drops its index too
            vector = _vector_sql(model, fields, schema_editor)
            schema_editor.execute(f"CREATE INDEX {model_name}_search_gin ON {table} USING gin (({vector}))")

    def describe(self):
        return "Add stored search_vector columns with GIN indexes (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_search_indexes")]

    operations = [AddSearchVectorColumns()]
