"""Reference data: the TOPIC prioritisation framework (Oxford City Council / CfGS), the default.

Created by migration and re-created after a database flush (post_migrate), never overwritten.
"""

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


def ensure_topic_framework(*, framework_model=None, using="default") -> bool:
    if framework_model is None:
        from scrutiny.casework.models import PrioritisationFramework as framework_model
    _, created = framework_model.objects.using(using).get_or_create(
        slug="topic",
        defaults={"name": "TOPIC", "criteria": TOPIC, "scale_max": 2, "threshold": 6},
    )
    return created
