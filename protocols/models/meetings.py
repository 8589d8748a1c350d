"""Meetings of one body or joint, their agenda items (exempt ones under LGA 1972 Schedule 12A),
papers and minuted decisions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework import policy
from scrutiny.casework.models import Organisation, Partnership, Topic
from scrutiny.casework.models.access import transition_permission
from scrutiny.casework.roles import Perm
from workflows.cache import MEETINGS, CacheScope
from workflows.models import ClockedModel
from workflows.services import condition

# Support officers of the object's bodies move it on (scrutiny.casework.policy).
manage_permission = transition_permission(Perm.MEETING_MANAGE)

# --- Meetings -------------------------------------------------------------------------------


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"


M = MeetingState


class AgendaState(models.TextChoices):
    """A meeting's second lifecycle: whether its agenda is open to the public (s100B)."""

    UNPUBLISHED = "unpublished", "Not published"
    PUBLISHED = "published", "Published"


A = AgendaState


@condition("A meeting can be marked as held on or after its date.")
def _date_reached(meeting):
    return meeting.date <= timezone.localdate()


@condition("Only a scheduled meeting's agenda is published.")
def _scheduled(meeting):
    return meeting.state == M.SCHEDULED


class MeetingQuerySet(models.QuerySet):
    def published(self):
        """Meetings whose agenda is public (cancelled ones stay, marked cancelled)."""
        return self.filter(agenda_published_at__isnull=False)

    def involving(self, body_ids):
        """Meetings of these bodies, and joint meetings of partnerships they are party to."""
        return policy.owned_by(self, body_ids)


class Meeting(FSMModelMixin, ClockedModel):
    """A meeting of one body, or a joint meeting of a partnership.

    The clock is the agenda-publication one: `due_on` is the latest day to publish the agenda.
    """

    CLOCK_OPEN_STATES = (M.SCHEDULED,)
    RULE = "agenda-publication"
    DEFAULT_LENGTH = dt.timedelta(hours=2)

    title = models.CharField(max_length=200)
    body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    date = models.DateField(db_index=True)
    start_time = models.TimeField()
    end_time = models.TimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(blank=True)
    state = FSMField(default=M.SCHEDULED, choices=M.choices, protected=True, db_index=True)
    cancellation_reason = models.TextField(blank=True)
    agenda = FSMField(default=A.UNPUBLISHED, choices=A.choices, protected=True)
    agenda_published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    urgency_reason = models.TextField(
        blank=True, help_text="The chair's reason of urgency for a late agenda (s100B(4)(b))."
    )
    urgency_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The chair's action: an officer asks, the chair gives the reason on their own page.
    urgency_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When an officer asked the chair for the reason."
    )
    urgency_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    urgency_given_at = models.DateTimeField(
        null=True, blank=True, help_text="When the chair gave the reason of urgency."
    )
    # What the chair gave on their page; `publish_agenda` records it as `urgency_reason` and
    # `urgency_chair` when the agenda goes out late.
    urgency_given_reason = models.TextField(blank=True)
    urgency_given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    import_key = models.CharField(
        max_length=500,
        null=True,
        blank=True,
        unique=True,
        help_text="UID (and recurrence) of the calendar event this meeting was imported from.",
    )
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                name="meeting_of_one_body_or_joint",
                condition=(Q(partnership__isnull=False) & Q(body__isnull=True))
                | (Q(partnership__isnull=True) & Q(body__isnull=False)),
            ),
            models.CheckConstraint(
                name="meeting_has_place_or_link",
                condition=~Q(place="", online_url=""),
            ),
        ]

    def __str__(self):
        return f"{self.title}, {self.date:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("protocols:meeting-detail", args=[self.pk])

    def public_cache_scope(self) -> CacheScope:
        """The public pages a change to this meeting can show on (workflows.cache): the lists
        and calendars of meetings, and the pages of the topics on its agenda."""
        topics = self.items.exclude(topic=None).values_list("topic_id", flat=True)
        return CacheScope.of(topics=set(topics), lists=[MEETINGS])

    @classmethod
    def open_clocks(cls):
        return super().open_clocks().filter(agenda_published_at__isnull=True)

    @property
    def is_joint(self):
        return self.partnership_id is not None

    @property
    def organiser(self):
        return self.partnership if self.is_joint else self.body

    @property
    def agenda_published(self):
        return self.agenda_published_at is not None

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.date, self.start_time), timezone.get_default_timezone()
        )

    def ends_at(self) -> dt.datetime:
        if self.end_time and self.end_time > self.start_time:
            return timezone.make_aware(
                dt.datetime.combine(self.date, self.end_time), timezone.get_default_timezone()
            )
        return self.starts_at() + self.DEFAULT_LENGTH

    @property
    def awaiting_chair_reason(self) -> bool:
        """An officer has asked the chair for the reason of urgency, and it is not given yet."""
        return bool(
            self.urgency_requested_at and not self.urgency_given_at and not self.agenda_published
        )

    def published_late(self) -> bool:
        return bool(
            self.agenda_published_at
            and self.due_on
            and timezone.localdate(self.agenda_published_at) > self.due_on
        )

    @transition(
        field=state,
        source=M.SCHEDULED,
        target=M.CANCELLED,
        permission=manage_permission,
    )
    def cancel(self, *, by, reason: str):
        self.cancellation_reason = reason
        self.sequence += 1

    @transition(
        field=state,
        source=M.SCHEDULED,
        target=M.HELD,
        conditions=[_date_reached],
        permission=manage_permission,
    )
    def mark_held(self, *, by):
        self.sequence += 1

    @transition(
        field=agenda,
        source=A.UNPUBLISHED,
        target=A.PUBLISHED,
        conditions=[_scheduled],
        permission=manage_permission,
        custom={"forbidden": "Only a support officer of the meeting's body may change it."},
    )
    def publish_agenda(self, *, by, at: dt.datetime, urgency_reason: str = "", chair=None):
        """Open the agenda. Late (after `due_on`, the agenda-publication clock) it records the
        chair's reason of urgency, which the service has checked; on time it records none."""
        self.agenda_published_at = at
        late = self.due_on is not None and timezone.localdate(at) > self.due_on
        self.urgency_reason = urgency_reason if late else ""
        self.urgency_chair = chair if late else None
        self.sequence += 1


class ExemptParagraph(models.IntegerChoices):
    """LGA 1972 Schedule 12A Part 1 (England)."""

    INDIVIDUAL = 1, "1 — information relating to any individual"
    IDENTITY = 2, "2 — information likely to reveal the identity of an individual"
    FINANCIAL = 3, "3 — financial or business affairs of any particular person"
    LABOUR_RELATIONS = 4, "4 — consultations or negotiations on labour relations"
    LEGAL_PRIVILEGE = 5, "5 — information subject to legal professional privilege"
    NOTICES = 6, "6 — a notice, order or direction the authority proposes to give or make"
    CRIME = 7, "7 — prevention, investigation or prosecution of crime"


class Resolution(models.TextChoices):
    """What a minuted decision does to the item's topic (through the casework services)."""

    NONE = "", "No change to the topic"
    PRIORITISE = "prioritise", "Resolved to prioritise the topic"
    REQUEST_INFORMATION = "request_information", "Resolved to request information"
    MAKE_RECOMMENDATIONS = "make_recommendations", "Resolved to make recommendations"
    CONCLUDE = "conclude", "Resolved to conclude the topic"


class AgendaItemQuerySet(models.QuerySet):
    def public(self):
        return self.filter(exempt=False)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    presenter = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    exempt = models.BooleanField(default=False)
    exempt_paragraph = models.PositiveSmallIntegerField(
        choices=ExemptParagraph.choices, null=True, blank=True
    )
    public_interest_reason = models.TextField(blank=True)
    late = models.BooleanField(default=False, help_text="Added after the agenda was published.")
    late_reason = models.TextField(blank=True, help_text="The chair's reason of urgency.")
    decision = models.TextField(blank=True)
    resolution = models.CharField(max_length=30, choices=Resolution.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                name="exempt_item_has_paragraph_and_reason",
                condition=Q(exempt=False, exempt_paragraph__isnull=True)
                | (
                    Q(exempt=True, exempt_paragraph__gte=1, exempt_paragraph__lte=7)
                    & ~Q(public_interest_reason="")
                ),
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Paper(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to="papers/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item_id", "uploaded_at", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("protocols:paper-download", args=[self.pk])
