"""Original language and translation on claims and evidence (searched too), a deadline on rights of
reply, and the record of what the editors' desk has emailed.

The search indexes of claims and evidence gain the original text and the translation: on
PostgreSQL the stored ``search_vector`` column (0006) is rebuilt with the new fields, on SQLite
the FTS5 table (0007) is rebuilt with the new columns. Both run after the fields exist and are
reversed before they are removed. Reversible.
"""

import importlib

from django.db import migrations, models
from django.conf import settings

import claims.models.language
from claims.search.fts5 import FtsIndex

_vectors = importlib.import_module("claims.migrations.0006_search_vector_columns")

# Must equal claims.search.FIELDS for these models (tests/test_search.py checks it); the others
# keep 0006's and 0007's.
SEARCH_FIELDS_BEFORE = {
    "claim": [("title", "A"), ("statement", "B"), ("venue", "C")],
    "evidenceartifact": [("title", "A"), ("description", "B")],
}
SEARCH_FIELDS = {
    "claim": [("title", "A"), ("statement", "B"), ("original_text", "B"), ("translation", "B"), ("venue", "C")],
    "evidenceartifact": [("title", "A"), ("description", "B"), ("original_text", "B"), ("translation", "B")],
}


class ReplaceSearchFields(migrations.operations.base.Operation):
    """Rebuilds the search index of ``SEARCH_FIELDS``' tables: PostgreSQL's stored vector column
    and its GIN index, or SQLite's FTS5 table and triggers."""

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def _replace(self, apps, schema_editor, app_label, old, new):
        vendor = schema_editor.connection.vendor
        for model_name in new:
            model = apps.get_model(app_label, model_name)
            table = model._meta.db_table
            if vendor == "postgresql":
                quoted = schema_editor.quote_name(table)
                vector = _vectors._vector_sql(model, new[model_name], schema_editor)
                schema_editor.execute(f"ALTER TABLE {quoted} DROP COLUMN {_vectors.COLUMN}")  # and its index
                schema_editor.execute(
                    f"ALTER TABLE {quoted} ADD COLUMN {_vectors.COLUMN} tsvector GENERATED ALWAYS AS ({vector}) STORED"
                )
                schema_editor.execute(f"CREATE INDEX {model_name}_search_gin ON {quoted} USING gin ({_vectors.COLUMN})")
            elif vendor == "sqlite":
                pk = model._meta.pk.column

                def columns(fields):
                    return tuple(model._meta.get_field(name).column for name, _weight in fields)

                for statement in FtsIndex(table, pk, columns(old[model_name])).drop():
                    schema_editor.execute(statement, params=None)
                for statement in FtsIndex(table, pk, columns(new[model_name])).create():
                    schema_editor.execute(statement, params=None)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._replace(to_state.apps, schema_editor, app_label, SEARCH_FIELDS_BEFORE, SEARCH_FIELDS)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._replace(from_state.apps, schema_editor, app_label, SEARCH_FIELDS, SEARCH_FIELDS_BEFORE)

    def describe(self):
        return "Search claims and evidence in their original text and translation too"


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0011_report_progress_phase'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DeskNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text="The attention item's key.", max_length=200, unique=True)),
                ('batch', models.UUIDField(db_index=True, help_text='The digest that sent it.')),
                ('sent_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'desk notice sent',
                'verbose_name_plural': 'desk notices sent',
                'ordering': ['-sent_at'],
            },
        ),
        migrations.AddField(
            model_name='claim',
            name='machine_translation',
            field=models.BooleanField(default=False, help_text='The translation was made by software; readers see it labelled so.'),
        ),
        migrations.AddField(
            model_name='claim',
            name='original_language',
            field=models.CharField(blank=True, help_text='BCP 47 language tag of the original text: zh, zh-Hans, ja, de, …', max_length=35, validators=[claims.models.language.validate_language_tag]),
        ),
        migrations.AddField(
            model_name='claim',
            name='original_text',
            field=models.TextField(blank=True, help_text='The quote in its original language, verbatim (plain text).'),
        ),
        migrations.AddField(
            model_name='claim',
            name='translation',
            field=models.TextField(blank=True, help_text='The English translation of that quote (plain text).'),
        ),
        migrations.AddField(
            model_name='claim',
            name='translator',
            field=models.CharField(blank=True, help_text='Who translated it: a person, an outlet, or the tool for a machine translation.', max_length=200),
        ),
        migrations.AddField(
            model_name='evidenceartifact',
            name='machine_translation',
            field=models.BooleanField(default=False, help_text='The translation was made by software; readers see it labelled so.'),
        ),
        migrations.AddField(
            model_name='evidenceartifact',
            name='original_language',
            field=models.CharField(blank=True, help_text='BCP 47 language tag of the original text: zh, zh-Hans, ja, de, …', max_length=35, validators=[claims.models.language.validate_language_tag]),
        ),
        migrations.AddField(
            model_name='evidenceartifact',
            name='original_text',
            field=models.TextField(blank=True, help_text='The quote in its original language, verbatim (plain text).'),
        ),
        migrations.AddField(
            model_name='evidenceartifact',
            name='translation',
            field=models.TextField(blank=True, help_text='The English translation of that quote (plain text).'),
        ),
        migrations.AddField(
            model_name='evidenceartifact',
            name='translator',
            field=models.CharField(blank=True, help_text='Who translated it: a person, an outlet, or the tool for a machine translation.', max_length=200),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='machine_translation',
            field=models.BooleanField(default=False, help_text='The translation was made by software; readers see it labelled so.'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='original_language',
            field=models.CharField(blank=True, help_text='BCP 47 language tag of the original text: zh, zh-Hans, ja, de, …', max_length=35, validators=[claims.models.language.validate_language_tag]),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='original_text',
            field=models.TextField(blank=True, help_text='The quote in its original language, verbatim (plain text).'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='translation',
            field=models.TextField(blank=True, help_text='The English translation of that quote (plain text).'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='translator',
            field=models.CharField(blank=True, help_text='Who translated it: a person, an outlet, or the tool for a machine translation.', max_length=200),
        ),
        migrations.AddField(
            model_name='historicalevidenceartifact',
            name='machine_translation',
            field=models.BooleanField(default=False, help_text='The translation was made by software; readers see it labelled so.'),
        ),
        migrations.AddField(
            model_name='historicalevidenceartifact',
            name='original_language',
            field=models.CharField(blank=True, help_text='BCP 47 language tag of the original text: zh, zh-Hans, ja, de, …', max_length=35, validators=[claims.models.language.validate_language_tag]),
        ),
        migrations.AddField(
            model_name='historicalevidenceartifact',
            name='original_text',
            field=models.TextField(blank=True, help_text='The quote in its original language, verbatim (plain text).'),
        ),
        migrations.AddField(
            model_name='historicalevidenceartifact',
            name='translation',
            field=models.TextField(blank=True, help_text='The English translation of that quote (plain text).'),
        ),
        migrations.AddField(
            model_name='historicalevidenceartifact',
            name='translator',
            field=models.CharField(blank=True, help_text='Who translated it: a person, an outlet, or the tool for a machine translation.', max_length=200),
        ),
        migrations.AddField(
            model_name='historicalrightofreply',
            name='reply_by',
            field=models.DateField(blank=True, help_text='The deadline given for an answer. Past it, the editors\' desk suggests "no response as of" that day for an editor to confirm.', null=True),
        ),
        migrations.AddField(
            model_name='rightofreply',
            name='reply_by',
            field=models.DateField(blank=True, help_text='The deadline given for an answer. Past it, the editors\' desk suggests "no response as of" that day for an editor to confirm.', null=True),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('original_language', ''), ('original_text', '')), models.Q(models.Q(('original_text', ''), _negated=True), models.Q(('original_language', ''), _negated=True)), _connector='OR'), name='claim_original_has_language', violation_error_message='An original text needs its language tag, and a language tag its text.'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('translation', ''), models.Q(('original_text', ''), _negated=True), _connector='OR'), name='claim_translation_has_original', violation_error_message='A translation needs the original text it translates.'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('translation', ''), models.Q(('translator', ''), _negated=True), _connector='OR'), name='claim_translation_has_translator', violation_error_message='Say who translated it (for a machine translation: the tool).'),
        ),
        migrations.AddConstraint(
            model_name='claim',
            constraint=models.CheckConstraint(condition=models.Q(('machine_translation', False), models.Q(('translation', ''), _negated=True), _connector='OR'), name='claim_machine_translation_has_text', violation_error_message='Only a translation can be flagged as a machine translation.'),
        ),
        migrations.AddConstraint(
            model_name='evidenceartifact',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('original_language', ''), ('original_text', '')), models.Q(models.Q(('original_text', ''), _negated=True), models.Q(('original_language', ''), _negated=True)), _connector='OR'), name='evidenceartifact_original_has_language', violation_error_message='An original text needs its language tag, and a language tag its text.'),
        ),
        migrations.AddConstraint(
            model_name='evidenceartifact',
            constraint=models.CheckConstraint(condition=models.Q(('translation', ''), models.Q(('original_text', ''), _negated=True), _connector='OR'), name='evidenceartifact_translation_has_original', violation_error_message='A translation needs the original text it translates.'),
        ),
        migrations.AddConstraint(
            model_name='evidenceartifact',
            constraint=models.CheckConstraint(condition=models.Q(('translation', ''), models.Q(('translator', ''), _negated=True), _connector='OR'), name='evidenceartifact_translation_has_translator', violation_error_message='Say who translated it (for a machine translation: the tool).'),
        ),
        migrations.AddConstraint(
            model_name='evidenceartifact',
            constraint=models.CheckConstraint(condition=models.Q(('machine_translation', False), models.Q(('translation', ''), _negated=True), _connector='OR'), name='evidenceartifact_machine_translation_has_text', violation_error_message='Only a translation can be flagged as a machine translation.'),
        ),
        migrations.AddConstraint(
            model_name='rightofreply',
            constraint=models.CheckConstraint(condition=models.Q(('reply_by__isnull', True), ('asked_on__isnull', True), ('reply_by__gte', models.F('asked_on')), _connector='OR'), name='rightofreply_deadline_after_request', violation_error_message='The deadline cannot be before the request.'),
        ),
        ReplaceSearchFields(),
    ]
