"""Which bodies have a part in which topic: the index the policy reads to answer "which topics
may this user see" (docs/decisions/0019-visibility-at-scale.md).

One row per (body, topic), built from the casework by `scrutiny.casework.grants`: the topic's own
body or every party of its partnership (`as_party`), and every health body something on the
topic was ever issued to (`as_recipient`). What a person may do on the topic follows from their
roles in those bodies (`scrutiny.casework.roles.ROLE_TOPIC_PERMS`), never from the row.
"""

from __future__ import annotations

from django.db import models


class TopicAccess(models.Model):
    topic = models.ForeignKey("scrutiny.Topic", on_delete=models.CASCADE, related_name="access")
    # Leading column of the unique index below: no index of its own.
    organisation = models.ForeignKey(
        "scrutiny.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    as_party = models.BooleanField(default=False)
    as_recipient = models.BooleanField(default=False)

    class Meta:
        app_label = "scrutiny"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "topic"], name="topic_access_one_per_body"
            ),
            models.CheckConstraint(
                condition=models.Q(as_party=True) | models.Q(as_recipient=True),
                name="topic_access_has_a_reason",
            ),
        ]

    def __str__(self):
        return f"body {self.organisation_id} on topic {self.topic_id}"
