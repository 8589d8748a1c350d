# Object permissions on topics (django-guardian direct foreign-key tables).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


TOPIC_CODENAMES = {
    "view_case_file": "Can see the topic's whole case file",
    "manage_topic": "Can manage the topic's case",
    "prioritise_topic": "Can score and prioritise the topic",
    "record_position": "Can record a body's position on the topic",
}


def add_topic_permissions(apps, schema_editor):
    """The object permissions granted on topics (besides Django's own view_topic)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    ctype, _ = ContentType.objects.get_or_create(app_label="scrutiny", model="topic")
    for codename, name in TOPIC_CODENAMES.items():
        Permission.objects.get_or_create(
            content_type=ctype, codename=codename, defaults={"name": name}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("scrutiny", "0002_topic_framework_and_guards"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TopicGroupObjectPermission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "content_object",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="group_permissions",
                        to="scrutiny.topic",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="auth.group"),
                ),
                (
                    "permission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="auth.permission"
                    ),
                ),
            ],
            options={
                "abstract": False,
                "indexes": [
                    models.Index(fields=["group", "permission"], name="topic_gperm_group_perm")
                ],
                "unique_together": {("group", "permission", "content_object")},
            },
        ),
        migrations.CreateModel(
            name="TopicUserObjectPermission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "content_object",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="user_permissions",
                        to="scrutiny.topic",
                    ),
                ),
                (
                    "permission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="auth.permission"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "abstract": False,
                "unique_together": {("user", "permission", "content_object")},
            },
        ),
        migrations.RunPython(add_topic_permissions, migrations.RunPython.noop),
    ]
