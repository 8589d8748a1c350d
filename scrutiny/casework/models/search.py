"""The search index: one row per searchable object, its text and (on PostgreSQL) its stored,
weighted `tsvector`. Maintained by `scrutiny.casework.search` in the services' transactions;
`manage.py search_reindex` rebuilds it. See docs/decisions/0020-search.md."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from scrutiny.casework.models.organisations import Organisation, Partnership
from scrutiny.casework.models.topics import Topic


class SearchKind(models.TextChoices):
    TOPIC = "topic", "Topic"
    INFORMATION_REQUEST = "information_request", "Information request"
    RECOMMENDATION = "recommendation", "Recommendation"
    RESPONSE = "response", "Response"
    # Issue 17: everything else that is published (docs/decisions/0033-search-everything.md).
    # The meeting kinds are written by `protocols.search`, which registers them here.
    MEETING = "meeting", "Meeting"
    AGENDA_ITEM = "agenda_item", "Agenda item"
    PAPER = "paper", "Paper"
    MINUTES = "minutes", "Minutes"
    VISIT = "visit", "Enter and View report"
    CONSULTATION = "consultation", "Service-change consultation"


# The kinds that belong to a topic's case file, whose publicity is the topic's.
TOPIC_KINDS = (
    SearchKind.TOPIC,
    SearchKind.INFORMATION_REQUEST,
    SearchKind.RECOMMENDATION,
    SearchKind.RESPONSE,
)


class SearchEntry(models.Model):
    """What one object says, for search. `public` is the object's own publicity (an issued
    request or recommendation, a current response; a topic's own entry always): whether its
    topic is public is read from the topic at query time, so publishing and withdrawing need no
    reindex. The GIN index on `vector` exists on PostgreSQL only (migration 0016).

    (kind, object_id) is a generic reference: the casework kinds name casework rows, the meeting
    kinds name `protocols` rows (this layer may not import them). `topic` is the topic an entry
    is about, when there is one (a paper on an agenda item about a topic); `meeting_id` the
    meeting of a meeting, agenda item, paper or minutes entry. Whether an entry of a kind may
    be shown is asked of that kind's registered source (`scrutiny.casework.search.Source`)."""

    kind = models.CharField(max_length=30, choices=SearchKind)
    object_id = models.PositiveBigIntegerField()
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    meeting_id = models.PositiveBigIntegerField(null=True, blank=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    health_body = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    public = models.BooleanField(default=False)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    vector = SearchVectorField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="search_entry_one_per_object"
            )
        ]
        indexes = [
            models.Index(fields=["topic", "public"], name="search_entry_topic_public"),
            models.Index(fields=["meeting_id"], name="search_entry_meeting"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.object_id}"
