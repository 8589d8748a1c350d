from django.db import migrations

from scrutiny.casework.defaults import ensure_topic_framework
from workflows.db import append_only_sql


def add_topic(apps, schema_editor):
    ensure_topic_framework(
        framework_model=apps.get_model("scrutiny", "PrioritisationFramework"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("scrutiny", "0001_initial")]

    operations = [
        migrations.RunPython(add_topic, migrations.RunPython.noop),
        append_only_sql("scrutiny_providerresponse"),
        append_only_sql("scrutiny_responseattachment"),
        append_only_sql("scrutiny_actionplanitem"),
        append_only_sql("scrutiny_implementationupdate"),
        append_only_sql("scrutiny_referralupdate"),
    ]
