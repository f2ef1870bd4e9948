"""FTS5 search tables for the public search, on SQLite only (PostgreSQL has 0006's vectors).

For each searchable table: ``<table>_fts`` (an FTS5 table of the searchable columns, rowid = the
record's id), filled from the existing rows, and insert/update/delete triggers that keep it
current (``claims/search/fts5.py`` writes the SQL; the fields are frozen here). The model state is
not touched, so ``makemigrations`` stays clean on both databases. Reversible.
"""

from django.db import migrations

from claims.search.fts5 import FtsIndex

# Must equal claims.search.FIELDS, in order (tests/test_search.py checks it).
SEARCH_FIELDS = {
    "dispute": ["title", "summary"],
    "claim": ["title", "statement", "venue"],
    "party": ["name", "aliases", "note"],
    "aimodel": ["name", "hub_id", "family", "description"],
    "evidenceartifact": ["title", "description"],
}


def _indexes(apps, app_label):
    for model_name, fields in SEARCH_FIELDS.items():
        model = apps.get_model(app_label, model_name)
        columns = tuple(model._meta.get_field(name).column for name in fields)
        yield FtsIndex(model._meta.db_table, model._meta.pk.column, columns)


class AddSqliteFullText(migrations.operations.base.Operation):
    """Creates the FTS5 tables and their triggers on SQLite; nothing elsewhere."""

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            for index in _indexes(to_state.apps, app_label):
                for statement in index.create():
                    schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "sqlite":
            for index in _indexes(from_state.apps, app_label):
                for statement in index.drop():
                    schema_editor.execute(statement, params=None)

    def describe(self):
        return "Create FTS5 search tables kept current by triggers (SQLite only)"


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_search_vector_columns")]

    operations = [AddSqliteFullText()]
