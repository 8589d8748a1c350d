from django.db import migrations

from workflows.db import append_only_sql

DEFAULT_RULES = [
    {
        "slug": "osc-recommendation-response",
        "name": "NHS body answers an OSC report or recommendation",
        "kind": "period",
        "period": 28,
        "unit": "calendar_days",
        "start_day_counts": False,
        "source": "SI 2002/3048 reg 3(3); SI 2013/218 reg 22",
    },
    {
        "slug": "link-information-request",
        "name": "Health body answers a request for information",
        "kind": "period",
        "period": 20,
        "unit": "working_days",
        "start_day_counts": False,
        "source": "SI 2008/528 (the working day after receipt is day 1)",
    },
    {
        "slug": "link-recommendation-response",
        "name": "Health body answers a LINk report or recommendation",
        "kind": "period",
        "period": 20,
        "unit": "working_days",
        "start_day_counts": False,
        "source": "SI 2008/528; Local Healthwatch protocols",
    },
    {
        "slug": "referral-acknowledgement",
        "name": "OSC acknowledges a LINk referral",
        "kind": "period",
        "period": 20,
        "unit": "working_days",
        "start_day_counts": True,
        "source": "SI 2008/528 regs 17-18 (reg 2(2A) of SI 2002/3048): beginning with the referral date",
    },
    {
        "slug": "agenda-publication",
        "name": "Agenda and reports open to the public",
        "kind": "clear_days_before",
        "period": 5,
        "unit": "working_days",
        "start_day_counts": False,
        "source": "LGA 1972 s100B(3); clear days exclude weekends and bank holidays (R v Swansea CC ex p Elitestone, 1993)",
    },
    {
        "slug": "council-executive-response",
        "name": "Council executive answers an OSC report",
        "kind": "period",
        "period": 2,
        "unit": "months",
        "start_day_counts": False,
        "source": "LGA 2000 s9FE",
    },
]


def add_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("workflows", "DeadlineRule")
    for rule in DEFAULT_RULES:
        DeadlineRule.objects.update_or_create(slug=rule["slug"], defaults=rule)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]

    operations = [
        migrations.RunPython(add_rules, migrations.RunPython.noop),
        append_only_sql("workflows_transitionlog"),
        append_only_sql("workflows_duedatechange"),
    ]
