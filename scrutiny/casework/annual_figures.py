"""The figures of an annual report: what one body's casework did in one period.

`annual_figures(body, starts_on, ends_on, public=…)` reads, in a fixed number of queries
whatever the data, the topics the body took up and concluded, its information requests and how
promptly each health body answered them (the lateness recorded with each answer, in working
days by the request's deadline rule and its region's calendar; an unanswered request's lateness
at the period's end, by the same `workflows.clocks.working_days_late`), its recommendations,
their responses and implementation, Enter and View visits, service-change consultations,
referrals and call-in requests, and relevant decisions.

`public=True` reads only through the public site's selectors (`scrutiny.casework.publication`):
items of published topics, published visit reports, considered consultations, published
statements. Staff figures (`public=False`) count all the body's work in the period.
Meetings and attendance are joint working's (`protocols.annual`); the web layer adds them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from scrutiny.casework import publication
from scrutiny.casework.models import (
    CallInRequest,
    Consultation,
    ImplementationStatus,
    InformationRequest,
    Organisation,
    ProviderResponse,
    Recommendation,
    RecommendationOutcome,
    Referral,
    RelevantDecision,
    Topic,
    Visit,
)
from scrutiny.casework.models.decisions import DecisionState
from scrutiny.casework.policy import owned_by
from workflows.clocks import calendar_for, working_days_late
from workflows.models import HolidayOverride


@dataclass(frozen=True)
class TopicLine:
    pk: int
    title: str
    on: dt.date | None


@dataclass(frozen=True)
class RequestLine:
    """One information request and how promptly it was answered."""

    pk: int
    topic_id: int
    topic_title: str
    recipient: str
    issued_on: dt.date
    due_on: dt.date | None
    answered_on: dt.date | None
    on_time: bool | None  # None: not answered (yet)
    working_days_late: int  # an unanswered request: at the period's end (or today)

    @property
    def promptness(self) -> str:
        if self.answered_on is not None:
            if self.on_time:
                return "Answered on time"
            return f"Answered {_days(self.working_days_late)} late"
        if self.working_days_late:
            return f"Not answered: {_days(self.working_days_late)} overdue"
        return "Not answered yet: not due"


def _days(n: int) -> str:
    return "1 working day" if n == 1 else f"{n} working days"


@dataclass
class BodyPromptness:
    """How promptly one health body answered the requests of the period."""

    name: str
    asked: int = 0
    on_time: int = 0
    late: int = 0
    late_days: int = 0  # working days late, summed over the late answers
    unanswered: int = 0
    overdue: int = 0  # unanswered and past due at the period's end
    most_late: int = 0  # the latest answer, in working days


@dataclass(frozen=True)
class ItemLine:
    """A row of a short list: what it is, who, when, where it stands."""

    label: str
    who: str
    on: dt.date | None
    status: str


@dataclass
class AnnualFigures:
    body: Organisation
    starts_on: dt.date
    ends_on: dt.date
    as_at: dt.date
    public: bool
    topics_taken_up: list[TopicLine] = field(default_factory=list)
    topics_concluded: list[TopicLine] = field(default_factory=list)
    requests: list[RequestLine] = field(default_factory=list)
    promptness: list[BodyPromptness] = field(default_factory=list)
    recommendations: int = 0
    recommendation_outcomes: dict[str, int] = field(default_factory=dict)
    recommendations_awaiting: int = 0
    implementation: dict[str, int] = field(default_factory=dict)
    visits: list[ItemLine] = field(default_factory=list)
    visit_reports_published: int = 0
    consultations: list[ItemLine] = field(default_factory=list)
    referrals: list[ItemLine] = field(default_factory=list)
    call_ins: list[ItemLine] = field(default_factory=list)
    decisions_recorded: int = 0
    decisions_published: int = 0
    decisions_published_late: int = 0

    @property
    def requests_on_time(self) -> int:
        return sum(1 for r in self.requests if r.on_time)

    @property
    def requests_late(self) -> int:
        return sum(1 for r in self.requests if r.on_time is False)

    @property
    def requests_unanswered(self) -> int:
        return sum(1 for r in self.requests if r.on_time is None)

    def rows(self) -> list[tuple[str, str, int]]:
        """The figures as (section, measure, value): the open data (CSV and JSON)."""
        out = [
            ("topics", "taken up", len(self.topics_taken_up)),
            ("topics", "concluded", len(self.topics_concluded)),
            ("information requests", "issued", len(self.requests)),
            ("information requests", "answered on time", self.requests_on_time),
            ("information requests", "answered late", self.requests_late),
            ("information requests", "not answered", self.requests_unanswered),
        ]
        for p in self.promptness:
            prefix = f"requests to {p.name}"
            out += [
                (prefix, "issued", p.asked),
                (prefix, "answered on time", p.on_time),
                (prefix, "answered late", p.late),
                (prefix, "working days late in all", p.late_days),
                (prefix, "not answered", p.unanswered),
                (prefix, "overdue at the end of the period", p.overdue),
            ]
        out.append(("recommendations", "issued", self.recommendations))
        for label, n in self.recommendation_outcomes.items():
            out.append(("recommendations", f"response: {label.lower()}", n))
        out.append(("recommendations", "awaiting a response", self.recommendations_awaiting))
        for label, n in self.implementation.items():
            out.append(("recommendations", f"implementation: {label.lower()}", n))
        out += [
            ("enter and view", "visits carried out", len(self.visits)),
            ("enter and view", "reports published", self.visit_reports_published),
            ("service-change consultations", "received", len(self.consultations)),
            ("referrals", "made or received", len(self.referrals)),
            ("call-in requests", "made", len(self.call_ins)),
            ("relevant decisions", "recorded", self.decisions_recorded),
            ("relevant decisions", "statements published", self.decisions_published),
            ("relevant decisions", "statements published late", self.decisions_published_late),
        ]
        return out


def _between(name: str, starts_on: dt.date, ends_on: dt.date) -> Q:
    return Q(**{f"{name}__gte": starts_on, f"{name}__lte": ends_on})


def _topics(body, public: bool):
    topics = owned_by(Topic.objects.all(), [body.pk])
    if public:
        topics = topics.filter(pk__in=publication.topics_published().values("pk"))
    return topics


def _calendars(regions) -> dict[str, object]:
    """One working calendar per region, from one read of the holiday overrides."""
    overrides = list(HolidayOverride.objects.all())
    return {region: calendar_for(region, overrides=overrides) for region in regions}


def _request_lines(body, starts_on, ends_on, as_at, public):
    requests = publication.requests_public() if public else InformationRequest.all_objects.issued()
    answers = ProviderResponse.objects.current_answers()
    if public:
        answers = answers.filter(pk__in=publication.responses_public().values("pk"))
    rows = list(
        requests.filter(_between("issued_on", starts_on, ends_on), requested_by=body)
        .select_related("recipient", "topic", "due_rule")
        .prefetch_related(Prefetch("responses", queryset=answers, to_attr="answers"))
        .order_by("recipient__name", "issued_on", "pk")
    )
    calendars = _calendars({r.due_rule.effective_region for r in rows if r.due_rule_id})
    lines = []
    for r in rows:
        answer = min(r.answers, key=lambda a: a.received_at, default=None)
        if answer is not None:
            answered_on = timezone.localdate(answer.received_at)
            on_time, late = answer.on_time, answer.working_days_late
        else:
            answered_on, on_time, late = None, None, 0
            if r.due_on is not None and r.due_rule_id and r.due_on < as_at:
                cal = calendars[r.due_rule.effective_region]
                late = working_days_late(r.due_on, as_at, calendar=cal)
        lines.append(
            RequestLine(
                pk=r.pk,
                topic_id=r.topic_id,
                topic_title=r.topic.title,
                recipient=r.recipient.name,
                issued_on=r.issued_on,
                due_on=r.due_on,
                answered_on=answered_on,
                on_time=on_time,
                working_days_late=late,
            )
        )
    return lines


def _promptness(lines: list[RequestLine]) -> list[BodyPromptness]:
    by_body: dict[str, BodyPromptness] = {}
    for line in lines:
        p = by_body.setdefault(line.recipient, BodyPromptness(name=line.recipient))
        p.asked += 1
        if line.on_time:
            p.on_time += 1
        elif line.on_time is False:
            p.late += 1
            p.late_days += line.working_days_late
            p.most_late = max(p.most_late, line.working_days_late)
        else:
            p.unanswered += 1
            p.overdue += 1 if line.working_days_late else 0
    return sorted(by_body.values(), key=lambda p: p.name)


def _recommendations(figures, body, starts_on, ends_on, public):
    qs = publication.recommendations_public() if public else Recommendation.all_objects.issued()
    rows = qs.filter(_between("issued_on", starts_on, ends_on), made_by=body).values_list(
        "outcome", "implementation_status"
    )
    outcomes, implementation = Counter(), Counter()
    awaiting = 0
    for outcome, status in rows:
        if outcome:
            outcomes[outcome] += 1
            implementation[status] += 1
        else:
            awaiting += 1
    figures.recommendations = sum(outcomes.values()) + awaiting
    figures.recommendation_outcomes = {
        label: outcomes[value] for value, label in RecommendationOutcome.choices if outcomes[value]
    }
    figures.recommendations_awaiting = awaiting
    figures.implementation = {
        label: implementation[value]
        for value, label in ImplementationStatus.choices
        if implementation[value]
    }


def _visits(figures, body, starts_on, ends_on, public):
    if body.kind != Organisation.Kind.INVOLVEMENT_NETWORK:
        return
    qs = publication.visits_published() if public else Visit.all_objects.all()
    visits = list(
        qs.filter(network=body)
        .filter(
            _between("carried_out_on", starts_on, ends_on)
            | _between("published_on", starts_on, ends_on)
        )
        .select_related("site__body")
        .order_by("carried_out_on", "pk")
    )
    figures.visits = [
        ItemLine(
            label=v.site.name,
            who=v.site.body.name,
            on=v.carried_out_on,
            status=v.get_state_display(),
        )
        for v in visits
        if v.carried_out_on and starts_on <= v.carried_out_on <= ends_on
    ]
    figures.visit_reports_published = sum(
        1 for v in visits if v.published_on and starts_on <= v.published_on <= ends_on
    )


def _consultations(figures, body, starts_on, ends_on, public):
    if body.kind != Organisation.Kind.SCRUTINY_COMMITTEE:
        return
    qs = publication.consultations_public() if public else Consultation.all_objects.all()
    figures.consultations = [
        ItemLine(label=c.title, who=c.body.name, on=c.received_on, status=c.get_state_display())
        for c in qs.filter(_between("received_on", starts_on, ends_on), committee=body)
        .select_related("body")
        .order_by("received_on", "pk")
    ]
    calls = CallInRequest.objects.filter(
        _between("requested_on", starts_on, ends_on), consultation__committee=body
    )
    if public:
        calls = calls.filter(consultation__in=publication.consultations_public().values("pk"))
    figures.call_ins = [
        ItemLine(
            label=c.consultation.title,
            who=c.requested_by_name,
            on=c.requested_on,
            status=c.get_state_display(),
        )
        for c in calls.select_related("consultation").order_by("requested_on", "pk")
    ]


def _referrals(figures, body, starts_on, ends_on, public):
    qs = Referral.objects.filter(
        _between("referred_on", starts_on, ends_on), Q(from_body=body) | Q(to_body=body)
    )
    if public:
        qs = qs.filter(topic__in=publication.topics_published().values("pk"))
    figures.referrals = [
        ItemLine(
            label=r.topic.title,
            who=(
                f"To {r.to_body.name}" if r.from_body_id == body.pk else f"From {r.from_body.name}"
            ),
            on=r.referred_on,
            status=r.get_state_display(),
        )
        for r in qs.select_related("topic", "from_body", "to_body").order_by("referred_on", "pk")
    ]


def _decisions(figures, body, starts_on, ends_on, public):
    if body.kind != Organisation.Kind.INVOLVEMENT_NETWORK:
        return
    qs = publication.decisions_published() if public else RelevantDecision.objects.all()
    rows = qs.filter(_between("decided_on", starts_on, ends_on), body=body).values_list(
        "state", "published_at", "due_on"
    )
    for state, published_at, due_on in rows:
        if state == DecisionState.SET_ASIDE:
            continue
        figures.decisions_recorded += 1
        if state == DecisionState.PUBLISHED:
            figures.decisions_published += 1
            if due_on and timezone.localdate(published_at) > due_on:
                figures.decisions_published_late += 1


def annual_figures(
    body: Organisation,
    starts_on: dt.date,
    ends_on: dt.date,
    *,
    public: bool,
    today: dt.date | None = None,
) -> AnnualFigures:
    """The casework figures of `body` for the period (see the module's docstring)."""
    today = today or timezone.localdate()
    as_at = min(ends_on, today)
    figures = AnnualFigures(
        body=body, starts_on=starts_on, ends_on=ends_on, as_at=as_at, public=public
    )
    topics = _topics(body, public)
    taken_up = topics.filter(_between("prioritised_on", starts_on, ends_on)).order_by(
        "prioritised_on", "pk"
    )
    figures.topics_taken_up = [
        TopicLine(t.pk, t.title, t.prioritised_on) for t in taken_up.only("title", "prioritised_on")
    ]
    concluded = topics.filter(_between("concluded_on", starts_on, ends_on)).order_by(
        "concluded_on", "pk"
    )
    figures.topics_concluded = [
        TopicLine(t.pk, t.title, t.concluded_on) for t in concluded.only("title", "concluded_on")
    ]
    figures.requests = _request_lines(body, starts_on, ends_on, as_at, public)
    figures.promptness = _promptness(figures.requests)
    _recommendations(figures, body, starts_on, ends_on, public)
    _visits(figures, body, starts_on, ends_on, public)
    _consultations(figures, body, starts_on, ends_on, public)
    _referrals(figures, body, starts_on, ends_on, public)
    _decisions(figures, body, starts_on, ends_on, public)
    return figures
