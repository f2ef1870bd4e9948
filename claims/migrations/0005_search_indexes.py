"""GIN indexes for the public search (claims/search.py), on PostgreSQL only.

Each index is over the same weighted ``SearchVector`` expression the search query builds, so the
planner can use it (a test reads the query plan). SQLite has no GIN or tsvector: there the
operation does nothing, and the search falls back to ``icontains``. The model state is not
touched (the indexes are not declared on the models, which SQLite could not build), so
``makemigrations`` stays clean on both.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIG = "english"
# Must equal claims.search.FIELDS (tests/site/test_site_search.py checks it).
SEARCH_FIELDS = {
    "dispute": [("title", "A"), ("summary", "B")],
    "claim": [("title", "A"), ("statement", "B"), ("venue", "C")],
    "party": [("name", "A"), ("aliases", "A"), ("note", "B")],
    "aimodel": [("name", "A"), ("hub_id", "B"), ("family", "B"), ("description", "C")],
    "evidenceartifact": [("title", "A"), ("description", "B")],
}


def _vector(fields):
    vector = None
    for name, weight in fields:
        part = SearchVector(name, weight=weight, config=CONFIG)
        vector = part if vector is None else vector + part
    return vector


class AddPostgresIndex(migrations.operations.base.Operation):
    """``AddIndex`` that runs on PostgreSQL only and leaves the model state alone. Reversible."""

    reversible = True

    def __init__(self, model_name, index):
        self.model_name = model_name
        self.index = index

    def deconstruct(self):
        return self.__class__.__name__, [], {"model_name": self.model_name, "index": self.index}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(to_state.apps.get_model(app_label, self.model_name), self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(from_state.apps.get_model(app_label, self.model_name), self.index)

    def describe(self):
        return f"Create GIN index {self.index.name} on {self.model_name} (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_dispute_models_history")]

    operations = [
        AddPostgresIndex(model, GinIndex(_vector(fields), name=f"{model}_search_gin"))
        for model, fields in SEARCH_FIELDS.items()
    ]
