"""Annual reports of an involvement network and of a scrutiny committee.

A LINk had to make an annual report of its activities and send it to the Secretary of State
and others (Local Government and Public Involvement in Health Act 2007 s227, the financial year
ending 31 March); Local Healthwatch has the same duty under s227 as the Health and Social Care
Act 2012 amended it. A health overview and scrutiny committee reports on its year to council,
by municipal year. A report is one body's, for one year (`starts_on` to `ends_on`, fixed when
it is started): its figures are computed from the casework and meetings of that period when the
report is read (`scrutiny.casework.annual_figures`, `protocols.annual`); its narrative is the
sections the body writes. Drafted, then published; only published reports are public
(docs/decisions/0028-annual-reports.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from scrutiny.casework.models.access import transition_permission, visible_rows
from scrutiny.casework.models.organisations import Organisation
from scrutiny.casework.roles import Perm
from workflows.cache import CacheScope
from workflows.services import condition


class AnnualReportState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


# The sections a new report starts with; the body may rename, fill or add to them.
DEFAULT_SECTIONS = (
    "Foreword",
    "Our year",
    "What changed because of our work",
    "Looking ahead",
)


@condition("Write at least one section of the report before publishing it.")
def _has_narrative(report) -> bool:
    return any(section.text.strip() for section in report.sections.all())


class AnnualReportQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=AnnualReportState.PUBLISHED)

    def visible_to(self, user, perm: Perm | None = None):
        """The reports `user` may see (the body's staff), as the policy answers."""
        return visible_rows(user, self, perm)


class AnnualReport(FSMModelMixin, models.Model):
    """One body's report on one year of its work."""

    body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(
        help_text="The year the period starts in: 2025 is the year 2025/26."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    title = models.CharField(max_length=200)
    state = FSMField(
        default=AnnualReportState.DRAFT,
        choices=AnnualReportState.choices,
        protected=True,
        db_index=True,
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "body__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "year"], name="annual_report_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="annual_report_period_forwards",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published") | models.Q(published_at__isnull=False),
                name="annual_report_published_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("scrutiny:annual-report", args=[self.pk])

    def public_cache_scope(self):
        """None: the public report pages are not cached (their figures follow every topic,
        request and meeting of the year), so publishing one needs no other page refreshed."""
        return CacheScope()

    def get_public_url(self):
        return reverse("public:annual-report", args=[self.pk])

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def period_name(self) -> str:
        """Which kind of year the report covers."""
        if self.body.kind == Organisation.Kind.SCRUTINY_COMMITTEE:
            return "municipal year"
        return "financial year"

    @transition(
        field=state,
        source=AnnualReportState.DRAFT,
        target=AnnualReportState.PUBLISHED,
        permission=transition_permission(Perm.TOPIC_MANAGE),
        conditions=[_has_narrative],
    )
    def publish(self, *, by, at=None):
        self.published_at = at or timezone.now()


class AnnualReportSection(models.Model):
    """A part of the narrative: a heading and the body's own words."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["report_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "position"], name="annual_report_section_position"
            )
        ]

    def __str__(self):
        return self.heading
