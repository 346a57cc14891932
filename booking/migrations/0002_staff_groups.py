"""
Create the staff groups "Reception" and "Clinic manager" with their permissions.

Idempotent: it can run again (or after someone edited a group) and only adds what is
missing. Permissions are normally created after all migrations have run, so they are
created here first; on an existing database that is a no-op.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RECEPTION = [
    ("booking", "consultationrequest", "view"),
    ("booking", "consultationrequest", "change"),
    ("booking", "requestnote", "add"),
    ("booking", "requestnote", "view"),
    ("booking", "requestevent", "view"),
]
CLINIC_MANAGER = [
    *RECEPTION,
    ("booking", "consultationrequest", "export"),
    ("booking", "consultationrequest", "delete"),
]
GROUPS = {"Reception": RECEPTION, "Clinic manager": CLINIC_MANAGER}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        # create_permissions skips app configs without a models module, as they are here.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, action in wanted:
            permission = Permission.objects.get(
                content_type__app_label=app_label,
                content_type__model=model,
                codename=f"{action}_{model}",
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("booking", "0001_initial"),
    ]

    # Reversing leaves the groups: deleting them would strip staff of their access.
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
