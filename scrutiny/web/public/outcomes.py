"""Presenters for the public site: lateness, due dates, the outcome page.

States' words and colours come from the one table in `scrutiny.web.presenters` (its `public`
words where residents get plainer ones), so staff and public pages colour a state alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.utils import timezone

from scrutiny.casework.models import (
    ActionPlanItem,
    ImplementationEvidence,
    ImplementationUpdate,
    ProviderResponse,
    RecommendationState,
    RequestState,
    Topic,
    TopicPosition,
)
from scrutiny.casework.publication import (
    attachments_public,
    consultation_recommendations_public,
    consultation_requests_public,
    recommendations_public,
    requests_public,
)
from scrutiny.web.presenters import answer_rows, public_state_label, rag_for, state_tag
from workflows.audit import PUBLIC_EVENTS, EventType, event_label, event_public_note
from workflows.calendar import fmt
from workflows.models import AuditEvent

# --- Presenters (pure) ----------------------------------------------------------------------


def public_tag_class(state: str, kind: str = "topic") -> str:
    """The tag class of a state on the public site: the colour staff pages give it too."""
    return f"govuk-tag--{state_tag(state, kind).colour}"


def present_topics(topics):
    """Give each topic its public state label and tag class (for lists); returns a list."""
    topics = list(topics)
    for t in topics:
        t.public_state = public_state_label(t.state)
        t.public_tag = public_tag_class(t.state)
    return topics


def lateness_text(*, on_time: bool, working_days_late: int) -> str:
    if on_time:
        return "On time"
    if working_days_late == 1:
        return "1 working day late"
    return f"{working_days_late} working days late"


def due_text(obj, *, today: dt.date) -> str:
    """'Due 20 January 2027' / 'Overdue: due 20 January 2027' for an issued request or
    recommendation still awaiting its answer."""
    if obj.due_on is None:
        return ""
    if obj.state in (RequestState.ISSUED, RecommendationState.ISSUED) and obj.due_on < today:
        return f"Overdue: was due {obj.due_on:%-d %B %Y}"
    return f"Due {obj.due_on:%-d %B %Y}"


# --- The outcome page -----------------------------------------------------------------------


@dataclass
class TimelineEntry:
    on: dt.date
    title: str
    text: str = ""
    order: int = 0


@dataclass
class PublicItem:
    """A public request or recommendation with what came back."""

    obj: object
    response: ProviderResponse | None
    due: str
    lateness: str
    actions: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    evidence: list = field(default_factory=list)  # implementation evidence an officer published
    documents: list = field(default_factory=list)  # AttachmentPublications of its responses
    rag: object | None = None  # scrutiny.web.presenters.Rag
    further: list = field(default_factory=list)  # further information, oldest first
    # "An earlier answer received … was superseded on … — reason": the fact and the reason,
    # never the superseded words (a correction may be what took them off the record).
    superseded: list[str] = field(default_factory=list)

    @property
    def rag_tag_class(self) -> str:
        return f"govuk-tag--{self.rag.tag.colour}" if self.rag else ""

    @property
    def outcome_tag(self) -> str:
        return public_tag_class(getattr(self.obj, "outcome", ""), "outcome")


# A topic's requests and recommendations are shown this many to a page each (a topic with 3,000
# requests made a 5.9 MB page); the page is chosen by `?requests=N` and `?recommendations=N`.
ITEMS_PER_PAGE = 50


@dataclass
class OutcomeView:
    topic: Topic
    requests: list[PublicItem]
    recommendations: list[PublicItem]
    positions: list
    timeline: list[TimelineEntry]
    state_label: str
    state_tag: str
    requests_page: Page | None = None
    recommendations_page: Page | None = None

    @property
    def paged(self) -> bool:
        """Whether either list is on more than one page (the timeline then shows the items
        of the pages shown)."""
        return any(p is not None and p.has_other_pages() for p in self._pages)

    @property
    def _pages(self):
        return (self.requests_page, self.recommendations_page)


def _answers(responses):
    """(current answer, further information, notes of superseded answers) from all responses."""
    rows = answer_rows(responses)
    current = next((row.response for row in rows if row.current), None)
    further = [row.response for row in rows if row.response.is_further_information]
    superseded = [
        f"An earlier answer received {fmt(timezone.localdate(row.response.received_at))} was "
        + row.superseded_note[0].lower()
        + row.superseded_note[1:]
        for row in rows
        if row.superseded_note
    ]
    return current, further, superseded


def public_asks_querysets(requests, recommendations):
    """The querysets given, ordered, with what a public page shows of each loaded with it:
    every response (and a recommendation's action plan, implementation updates and published
    evidence). Paged or listed by the caller."""
    current = ProviderResponse.objects.order_by("received_at", "id")
    reqs = (
        requests.select_related("recipient", "requested_by")
        .prefetch_related(Prefetch("responses", queryset=current, to_attr="public_responses"))
        .order_by("issued_on", "id")
    )
    recs = (
        recommendations.select_related("recipient", "made_by")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=current.prefetch_related(
                    Prefetch("action_plan", queryset=ActionPlanItem.objects.order_by("id"))
                ),
                to_attr="public_responses",
            ),
            Prefetch(
                "implementation_updates",
                queryset=ImplementationUpdate.objects.order_by("at", "id").prefetch_related(
                    Prefetch(
                        "evidence",
                        queryset=ImplementationEvidence.objects.filter(published_at__isnull=False),
                        to_attr="public_evidence",
                    )
                ),
                to_attr="public_updates",
            ),
        )
        .order_by("issued_on", "id")
    )
    return reqs, recs


def fetch_public_asks(requests, recommendations):
    """The public requests and recommendations of the querysets given, as lists, in four
    queries (`public_asks_querysets`)."""
    reqs, recs = public_asks_querysets(requests, recommendations)
    return list(reqs), list(recs)


def public_items(reqs, recs, *, today: dt.date) -> tuple[list[PublicItem], list[PublicItem]]:
    """What was asked and recommended, what came back, when and whether on time: requests and
    recommendations fetched with their `public_responses` (and recommendations with their
    `public_updates`). Pure: no queries."""
    request_items = []
    for r in reqs:
        resp, further, superseded = _answers(r.public_responses)
        request_items.append(
            PublicItem(
                obj=r,
                response=resp,
                further=further,
                superseded=superseded,
                due=due_text(r, today=today),
                lateness=lateness_text(
                    on_time=resp.on_time, working_days_late=resp.working_days_late
                )
                if resp
                else "",
            )
        )
    rec_items = []
    for r in recs:
        resp, further, superseded = _answers(r.public_responses)
        actions = list(resp.action_plan.all()) if resp else []
        rec_items.append(
            PublicItem(
                obj=r,
                response=resp,
                further=further,
                superseded=superseded,
                due=due_text(r, today=today),
                lateness=lateness_text(
                    on_time=resp.on_time, working_days_late=resp.working_days_late
                )
                if resp
                else "",
                actions=actions,
                updates=r.public_updates,
                evidence=[e for u in r.public_updates for e in u.public_evidence],
                rag=rag_for(r, today),
            )
        )

    return request_items, rec_items


def attach_documents(items: list[PublicItem]) -> None:
    """Give each item the attachments of its current answer and further information that an
    officer published (`documents`), in one query for all the items."""
    by_response = {}
    for item in items:
        for response in ([item.response] if item.response else []) + list(item.further):
            by_response[response.pk] = item
    if not by_response:
        return
    published = (
        attachments_public()
        .filter(attachment__response_id__in=list(by_response))
        .select_related("attachment")
        .order_by("attachment_id")
    )
    for pub in published:
        by_response[pub.attachment.response_id].documents.append(pub)


def outcome_detail(
    topic: Topic,
    *,
    today: dt.date | None = None,
    requests_page=None,
    recommendations_page=None,
    per_page: int | None = None,
) -> OutcomeView:
    """Everything the outcome page shows, in a fixed number of queries however many requests
    and recommendations the topic has: one page of each (`requests_page`,
    `recommendations_page`: the page numbers asked for, as typed; a bad one gives the nearest
    page)."""
    today = today or timezone.localdate()
    per_page = per_page or ITEMS_PER_PAGE
    all_reqs, all_recs = public_asks_querysets(
        requests_public().filter(topic=topic), recommendations_public().filter(topic=topic)
    )
    reqs_page = Paginator(all_reqs, per_page).get_page(requests_page)
    recs_page = Paginator(all_recs, per_page).get_page(recommendations_page)
    reqs, recs = list(reqs_page.object_list), list(recs_page.object_list)
    positions = list(
        # Only what the body agreed (at a meeting or by its chair), never a proposal.
        TopicPosition.objects.agreed().filter(topic=topic).select_related("organisation")
        if topic.is_joint
        else []
    )
    log = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Topic),
        object_id=topic.pk,
        event_type__in=list(PUBLIC_EVENTS),
    ).order_by("at", "id")

    request_items, rec_items = public_items(reqs, recs, today=today)
    attach_documents(request_items + rec_items)

    timeline = []
    for row in log:
        text = event_public_note(row)
        if row.event_type == EventType.TOPIC_CONCLUDED and text:
            text = f"Closed without waiting for every response: {text}"
        timeline.append(
            TimelineEntry(timezone.localdate(row.at), event_label(row, public=True), text, 0)
        )
    for item in request_items:
        r = item.obj
        timeline.append(
            TimelineEntry(r.issued_on, f"Information requested from {r.recipient}", item.due, 1)
        )
        if item.response:
            timeline.append(
                TimelineEntry(
                    timezone.localdate(item.response.received_at),
                    f"{r.recipient} replied: {r.get_state_display().lower()}",
                    item.lateness,
                    2,
                )
            )
    for item in rec_items:
        r = item.obj
        timeline.append(
            TimelineEntry(r.issued_on, f"Recommendation made to {r.recipient}", item.due, 1)
        )
        if item.response:
            timeline.append(
                TimelineEntry(
                    timezone.localdate(item.response.received_at),
                    f"{r.recipient} responded: {r.get_outcome_display().lower()}",
                    item.lateness,
                    2,
                )
            )
        for u in item.updates:
            timeline.append(
                TimelineEntry(
                    timezone.localdate(u.at),
                    f"Implementation by {r.recipient}: {u.get_status_display().lower()}",
                    " ".join(
                        part
                        for part in (
                            f"Revised date {u.revised_date:%-d %B %Y}." if u.revised_date else "",
                            u.note,
                        )
                        if part
                    ),
                    3,
                )
            )
    timeline.sort(key=lambda e: (e.on, e.order))
    return OutcomeView(
        topic=topic,
        requests=request_items,
        recommendations=rec_items,
        positions=positions,
        timeline=timeline,
        state_label=public_state_label(topic.state),
        state_tag=public_tag_class(topic.state),
        requests_page=reqs_page,
        recommendations_page=recs_page,
    )


# --- Enter and View reports -------------------------------------------------------------------


@dataclass(frozen=True)
class VisitReportView:
    """What a published visit report shows residents (never the team, the provider's accuracy
    comments or safeguarding concerns)."""

    state_label: str
    state_tag: str
    how: str  # announced or unannounced
    response_status: str  # due, overdue, or when it came and whether on time


def visit_report(visit, *, today: dt.date) -> VisitReportView:
    how = "Unannounced visit" if visit.unannounced_reason else "Announced visit"
    if visit.responded_on is not None:
        if visit.due_on is None or visit.responded_on <= visit.due_on:
            status = f"Responded on {visit.responded_on:%-d %B %Y}, on time"
        else:
            status = (
                f"Responded on {visit.responded_on:%-d %B %Y}, after the due date of "
                f"{visit.due_on:%-d %B %Y}"
            )
    elif visit.due_on is not None and visit.due_on < today:
        status = f"Overdue: the provider's response was due {visit.due_on:%-d %B %Y}"
    elif visit.due_on is not None:
        status = f"The provider's response is due by {visit.due_on:%-d %B %Y}"
    else:
        status = ""
    return VisitReportView(
        state_label=public_state_label(visit.state, "visit"),
        state_tag=public_tag_class(visit.state, "visit"),
        how=how,
        response_status=status,
    )


# --- Service-change consultations -----------------------------------------------------------


def present_consultations(consultations):
    """Each public consultation with its state's public words and tag class; returns a list."""
    consultations = list(consultations)
    for c in consultations:
        c.public_state = public_state_label(c.state, "consultation")
        c.public_tag = public_tag_class(c.state, "consultation")
    return consultations


@dataclass
class ConsultationView:
    state_label: str
    state_tag: str
    documents: list
    requests: list[PublicItem]
    recommendations: list[PublicItem]
    call_ins: list


def consultation_public_detail(consultation, *, today: dt.date | None = None) -> ConsultationView:
    """The public consultation page: the proposal, its dates and documents, the committee's
    view, its questions and recommendations with what came back and whether on time, its
    comments, the body's decision and reasons, and any request to the Secretary of State."""
    today = today or timezone.localdate()
    reqs, recs = fetch_public_asks(
        consultation_requests_public().filter(topic=consultation.topic_id),
        consultation_recommendations_public().filter(topic=consultation.topic_id),
    )
    request_items, rec_items = public_items(reqs, recs, today=today)
    call_ins = list(consultation.call_in_requests.order_by("requested_on", "id"))
    for r in call_ins:
        r.public_tag = public_tag_class(r.state, "call_in")
        r.public_state = public_state_label(r.state, "call_in")
        r.clock_text = r.due_explanation if r.state in r.CLOCK_OPEN_STATES else ""
    return ConsultationView(
        state_label=public_state_label(consultation.state, "consultation"),
        state_tag=public_tag_class(consultation.state, "consultation"),
        documents=list(consultation.documents.order_by("added_at", "id")),
        requests=request_items,
        recommendations=rec_items,
        call_ins=call_ins,
    )
