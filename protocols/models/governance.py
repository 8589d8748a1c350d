"""Meeting governance: who sits on a committee in a municipal year, who attended a meeting,
the interests declared item by item, and the minutes approved as a correct record at a later
meeting (docs/decisions/0024-meeting-governance.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from protocols.models.meetings import AgendaItem, Meeting, MeetingState, manage_permission
from scrutiny.casework.models import Organisation
from workflows.services import condition

# --- Committee membership by municipal year --------------------------------------------------


class SeatKind(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    MEMBER = "member", "Member"
    CO_OPTEE = "co_optee", "Co-opted member"
    SUBSTITUTE = "substitute", "Substitute"


class SeatQuerySet(models.QuerySet):
    def on(self, day):
        """Seats held on `day` (the first day counts, and the last)."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class CommitteeSeat(models.Model):
    """One person's seat on a body for (part of) a municipal year.

    A councillor may have no sign-in: `user` is then empty and `name` says who. A co-optee from
    the involvement network signs in as themself, and opens the committee's agenda packs
    (`scrutiny.casework.policy`, the co-optee rule)."""

    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="seats")
    year = models.PositiveSmallIntegerField(
        help_text="The municipal year, by the calendar year it starts in (2026 is 2026/27)."
    )
    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
    )
    role = models.CharField(max_length=20, choices=SeatKind.choices)
    voting = models.BooleanField(
        default=True, help_text="Co-optees are often non-voting (e.g. the network's member)."
    )
    represents = models.CharField(
        max_length=200, blank=True, help_text="Whom a co-optee represents (optional)."
    )
    substitute_for = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="substitutes"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SeatQuerySet.as_manager()

    class Meta:
        ordering = ["body_id", "-year", "role", "name", "id"]
        constraints = [
            models.CheckConstraint(
                name="seat_ends_after_it_starts",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
            models.CheckConstraint(
                name="councillors_vote",
                condition=Q(role="co_optee") | Q(role="substitute") | Q(voting=True),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()}, {self.year_label})"

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"


class CommitteeRules(models.Model):
    """A committee's own rules on governance (one row per body; none means the defaults)."""

    body = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="governance_rules"
    )
    co_optees_see_exempt = models.BooleanField(
        default=False,
        help_text="Co-opted members receive exempt items and papers in their agenda pack.",
    )

    def __str__(self):
        return f"Governance rules of {self.body}"


# --- Attendance and declarations --------------------------------------------------------------


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"
    SUBSTITUTE = "substitute", "Present as substitute"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    name = models.CharField(max_length=200)
    seat = models.ForeignKey(
        CommitteeSeat, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    substitute_for = models.CharField(
        max_length=200, blank=True, help_text="Whom a substitute sat for."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "name"], name="one_attendance_per_name"),
            models.CheckConstraint(
                name="substitute_names_whom",
                condition=(Q(status="substitute") & ~Q(substitute_for=""))
                | (~Q(status="substitute") & Q(substitute_for="")),
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.get_status_display()}"


class InterestKind(models.TextChoices):
    """Localism Act 2011 ss29-34 and the council's code of conduct."""

    PECUNIARY = "pecuniary", "Disclosable pecuniary interest"
    OTHER_REGISTRABLE = "other_registrable", "Other registrable interest"
    NON_REGISTRABLE = "non_registrable", "Non-registrable interest"


class Declaration(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="declarations")
    attendee = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="declarations")
    kind = models.CharField(max_length=20, choices=InterestKind.choices)
    interest = models.TextField(help_text="What the interest is.")
    withdrew = models.BooleanField(
        default=False, help_text="The member left the room and took no part in the item."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item_id", "id"]

    def __str__(self):
        return f"{self.attendee.name}: {self.get_kind_display()}"


# --- Minutes ---------------------------------------------------------------------------------


class MinutesState(models.TextChoices):
    DRAFT = "draft", "Draft"
    CIRCULATED = "circulated", "Circulated to members"
    APPROVED = "approved", "Approved as a correct record"
    PUBLISHED = "published", "Published"


MS = MinutesState


@condition("Minutes are circulated once the meeting has been held.")
def _meeting_held(minutes):
    return minutes.meeting.state == MeetingState.HELD


@condition(
    "Minutes are approved at a later held meeting of the same body or partnership: choose "
    "the item of that meeting that approved them."
)
def _approved_at_a_later_meeting(minutes):
    item = minutes.approved_at_item
    if item is None:
        return False
    later, this = item.meeting, minutes.meeting
    same_organiser = (later.body_id, later.partnership_id) == (this.body_id, this.partnership_id)
    return (
        same_organiser
        and later.pk != this.pk
        and later.state == MeetingState.HELD
        and (later.date, later.start_time) > (this.date, this.start_time)
    )


class Minutes(FSMModelMixin, models.Model):
    """The minutes of a meeting: its attendance, declarations and per-item decisions, with the
    officer's preamble, approved as a correct record at a later meeting (LGA 1972 Sch 12 para
    41), then published. Public only once published."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    state = FSMField(default=MS.DRAFT, choices=MS.choices, protected=True, db_index=True)
    introduction = models.TextField(blank=True, help_text="Anything the minutes record first.")
    circulated_on = models.DateField(null=True, blank=True)
    approved_at_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="approves"
    )
    approved_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "minutes"
        constraints = [
            models.CheckConstraint(
                name="approved_minutes_name_the_approving_item",
                condition=Q(state__in=["draft", "circulated"])
                | (Q(approved_at_item__isnull=False) & Q(approved_on__isnull=False)),
            ),
        ]

    def __str__(self):
        return f"Minutes of {self.meeting}"

    def get_absolute_url(self):
        return reverse("protocols:minutes", args=[self.meeting_id])

    @property
    def is_public(self) -> bool:
        return self.state == MS.PUBLISHED

    @transition(
        field=state,
        source=MS.DRAFT,
        target=MS.CIRCULATED,
        conditions=[_meeting_held],
        permission=manage_permission,
    )
    def circulate(self, *, by, on):
        self.circulated_on = on

    @transition(field=state, source=MS.CIRCULATED, target=MS.DRAFT, permission=manage_permission)
    def return_to_draft(self, *, by):
        self.circulated_on = None

    @transition(
        field=state,
        source=MS.CIRCULATED,
        target=MS.APPROVED,
        conditions=[_approved_at_a_later_meeting],
        permission=manage_permission,
    )
    def approve(self, *, by):
        self.approved_on = self.approved_at_item.meeting.date

    @transition(field=state, source=MS.APPROVED, target=MS.PUBLISHED, permission=manage_permission)
    def publish(self, *, by, at):
        self.published_at = at
