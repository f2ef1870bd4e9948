"""Source checks without an answer are "unreachable", no longer "gone" (issue 26): a host that did
not resolve from this machine says nothing about the source. Checks record their host. Existing
"gone" checks that had no HTTP answer become "unreachable", and the open "removed at source"
suggestions they made are withdrawn (an editor never confirmed them)."""

from urllib.parse import urlsplit

from django.db import migrations, models


def forwards(apps, schema_editor):
    SourceCheck = apps.get_model("claims", "SourceCheck")
    SourceSuggestion = apps.get_model("claims", "SourceSuggestion")
    for check in SourceCheck.objects.filter(host="").only("pk", "url").iterator():
        host = (urlsplit(check.url).hostname or "").lower()
        SourceCheck.objects.filter(pk=check.pk).update(host=host[:255])
    unanswered = SourceCheck.objects.filter(outcome="gone", http_status__isnull=True)
    SourceSuggestion.objects.filter(kind="removed", state="open", check_result__in=unanswered).delete()
    unanswered.update(outcome="unreachable")


def backwards(apps, schema_editor):
    SourceCheck = apps.get_model("claims", "SourceCheck")
    SourceCheck.objects.filter(outcome="unreachable").update(outcome="error")


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0018_report_charts_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='sourcecheck',
            name='host',
            field=models.CharField(blank=True, db_index=True, help_text="The URL's host, lower case: another host's answers show this machine was online.", max_length=255),
        ),
        migrations.AlterField(
            model_name='sourcecheck',
            name='outcome',
            field=models.CharField(choices=[('unchanged', 'answers, unchanged'), ('not_modified', 'not modified (304)'), ('changed', 'answers, text changed'), ('gone', 'gone (the source answered 404 or 410)'), ('unreachable', 'no answer (the host did not resolve or connect)'), ('error', 'error')], max_length=15),
        ),
        migrations.RunPython(forwards, backwards),
    ]
