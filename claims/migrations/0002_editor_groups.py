"""Create the Editors and Reviewers groups with exactly the permissions each needs.

Editors add, change and view every knowledge-base record and publish/unpublish/retract the public
ones; they delete only the rows they remove from a form while editing (party roles, evidence links,
rights of reply) - records are retracted, not deleted. Reviewers view everything and change nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE = [
    "party", "aimodel", "checkpoint", "dispute", "disputeparty", "claim", "rightofreply",
    "evidenceartifact", "evidencelink", "fingerprintreport",
]  # fmt: skip
READ_ONLY = ["modelfingerprint"]
DELETABLE = ["disputeparty", "evidencelink", "rightofreply"]
PUBLISHABLE = ["party", "aimodel", "dispute", "claim", "evidenceartifact"]

EDITOR_CODENAMES = (
    [f"{action}_{model}" for model in EDITABLE for action in ("add", "change", "view")]
    + [f"view_{model}" for model in READ_ONLY]
    + [f"delete_{model}" for model in DELETABLE]
    + [f"publish_{model}" for model in PUBLISHABLE]
)
REVIEWER_CODENAMES = [f"view_{model}" for model in EDITABLE + READ_ONLY]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now.
    app_config = apps.get_app_config("claims")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", EDITOR_CODENAMES), ("Reviewers", REVIEWER_CODENAMES)):
        permissions = list(Permission.objects.filter(content_type__app_label="claims", codename__in=codenames))
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for group {name}: {sorted(missing)}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
