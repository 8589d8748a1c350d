from django.db import migrations

from workflows.db import append_only_sql
from workflows.defaults import ensure_default_rules


def add_rules(apps, schema_editor):
    ensure_default_rules(
        rule_model=apps.get_model("workflows", "DeadlineRule"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]

    operations = [
        migrations.RunPython(add_rules, migrations.RunPython.noop),
        append_only_sql("workflows_transitionlog"),
        append_only_sql("workflows_duedatechange"),
    ]
