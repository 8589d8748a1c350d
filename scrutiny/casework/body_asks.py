"""A health body's public record, row by row: every published information request and
recommendation addressed to it, with its status, due date, the date of its first answer and how
many working days late that was (or, still unanswered, how late it is today).

One UNION of the two kinds, filtered and ordered in the database, so a page of rows costs the
same queries however many there are (a count and the page). Lateness is judged as on the
body's figures (`health_body_record`): on the *first* answer, the root of its chain of
corrections; the days late of an answer are those the response clock recorded
(`ProviderResponse.working_days_late`), and of an overdue request or recommendation they are
counted with the same working-day calendar (`workflows.clocks.working_days_late`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, F, FilteredRelation, Q, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from scrutiny.casework.models import RecommendationState, RequestState, ResponseKind
from scrutiny.casework.publication import recommendations_public, requests_public
from workflows.clocks import calendar_for, working_days_late

REQUEST, RECOMMENDATION = "information_request", "recommendation"

# The states a resident can filter by, in words (both kinds share issued and withdrawn).
STATE_CHOICES = [
    (RequestState.ISSUED.value, "Awaiting an answer"),
    (RequestState.ANSWERED.value, "Answered"),
    (RequestState.PARTIALLY_ANSWERED.value, "Partially answered"),
    (RequestState.REFUSED.value, "Refused"),
    (RecommendationState.RESPONDED.value, "Responded to (recommendations)"),
    (RequestState.WITHDRAWN.value, "Withdrawn"),
]
STATE_WORDS = dict(STATE_CHOICES) | {RecommendationState.RESPONDED.value: "Responded to"}

COLUMNS = (
    "kind",
    "id",
    "topic_id",
    "ask_text",
    "state",
    "issued_on",
    "due_on",
    "answered_at",
    "first_on_time",
    "first_days_late",
    "recipient_id",
)


@dataclass(frozen=True)
class AskRow:
    kind: str  # REQUEST or RECOMMENDATION
    pk: int
    topic_id: int
    text: str
    state: str
    issued_on: dt.date | None
    due_on: dt.date | None
    answered_on: dt.date | None
    working_days_late: int | None  # None: not due yet, or withdrawn unanswered
    late: bool
    recipient_id: int

    @property
    def kind_label(self) -> str:
        return "Information request" if self.kind == REQUEST else "Recommendation"

    @property
    def state_label(self) -> str:
        return STATE_WORDS.get(self.state, self.state.replace("_", " ").capitalize())

    @property
    def lateness(self) -> str:
        if self.working_days_late is None:
            return "Not due yet" if self.answered_on is None and self.state == "issued" else ""
        if not self.late:
            return "On time"
        days = self.working_days_late
        suffix = "" if self.answered_on else ", no answer yet"
        return f"{days} working day{'' if days == 1 else 's'} late{suffix}"


def _annotated(qs, *, kind: str, text_field: str):
    return (
        qs.annotate(
            first=FilteredRelation(
                "responses",
                condition=Q(
                    responses__kind=ResponseKind.ANSWER, responses__supersedes__isnull=True
                ),
            )
        )
        .annotate(
            kind=Value(kind, output_field=CharField()),
            ask_text=Cast(F(text_field), TextField()),
            answered_at=F("first__received_at"),
            first_on_time=F("first__on_time"),
            first_days_late=F("first__working_days_late"),
        )
        .order_by()
        .values_list(*COLUMNS)
    )


def asks_public(
    *,
    body_id: int | None = None,
    state: str = "",
    year: int | None = None,
    late_only: bool = False,
    today: dt.date | None = None,
):
    """The UNION of the public requests and recommendations (to `body_id` when given), as
    tuples of `COLUMNS`, newest first; filtered by `state`, the `year` they were issued and
    `late_only` (answered late, or overdue with no answer). Page it, then `rows()` it."""
    today = today or timezone.localdate()
    parts = []
    for qs, kind, text_field in (
        (requests_public(), REQUEST, "question"),
        (recommendations_public(), RECOMMENDATION, "text"),
    ):
        if body_id is not None:
            qs = qs.filter(recipient_id=body_id)
        if state:
            qs = qs.filter(state=state)
        if year:
            qs = qs.filter(issued_on__year=year)
        qs = _annotated(qs, kind=kind, text_field=text_field)
        if late_only:
            qs = qs.filter(
                Q(first__on_time=False)
                | Q(first__id__isnull=True, state="issued", due_on__lt=today)
            )
        parts.append(qs)
    return parts[0].union(parts[1], all=True).order_by("-issued_on", "-id")


def rows(tuples, *, today: dt.date | None = None) -> list[AskRow]:
    """`AskRow`s of tuples from `asks_public` (one query for the working-day calendar)."""
    today = today or timezone.localdate()
    tuples = list(tuples)
    calendar = calendar_for() if tuples else None
    out = []
    for t in tuples:
        v = dict(zip(COLUMNS, t, strict=True))
        answered = timezone.localdate(v["answered_at"]) if v["answered_at"] else None
        if answered is not None:
            days, late = v["first_days_late"], not v["first_on_time"]
        elif v["state"] == "issued" and v["due_on"] and v["due_on"] < today:
            days = working_days_late(v["due_on"], today, calendar=calendar)
            late = days > 0
        else:
            days, late = None, False
        out.append(
            AskRow(
                kind=v["kind"],
                pk=v["id"],
                topic_id=v["topic_id"],
                text=v["ask_text"],
                state=v["state"],
                issued_on=v["issued_on"],
                due_on=v["due_on"],
                answered_on=answered,
                working_days_late=days,
                late=late,
                recipient_id=v["recipient_id"],
            )
        )
    return out


def years_issued(*, body_id: int) -> list[int]:
    """Years in which public requests or recommendations were issued to the body, newest first."""
    years = set()
    for qs in (requests_public(), recommendations_public()):
        years |= {
            d.year
            for d in qs.filter(recipient_id=body_id, issued_on__isnull=False).dates(
                "issued_on", "year"
            )
        }
    return sorted(years, reverse=True)
