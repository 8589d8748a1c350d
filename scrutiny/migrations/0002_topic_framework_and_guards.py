from django.db import migrations

from workflows.db import append_only_sql

TOPIC = [
    {"key": "timely", "label": "Timely", "question": "Is this the right time to look at it?"},
    {
        "key": "organisational_priority",
        "label": "Organisational priority",
        "question": "Is it a priority for the council, the NHS or the partners?",
    },
    {
        "key": "public_interest",
        "label": "Public interest",
        "question": "Do residents care about it, or are they affected by it?",
    },
    {"key": "influence", "label": "Influence", "question": "Can scrutiny influence the outcome?"},
    {
        "key": "cost_effective",
        "label": "Cost-effective",
        "question": "Is the likely benefit worth the effort?",
    },
]


def add_topic(apps, schema_editor):
    Framework = apps.get_model("scrutiny", "PrioritisationFramework")
    Framework.objects.update_or_create(
        slug="topic",
        defaults={"name": "TOPIC", "criteria": TOPIC, "scale_max": 2, "threshold": 6},
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
