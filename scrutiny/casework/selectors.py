"""Named reads for the staff pages: the dashboard's work items, a topic's case file and
timeline, the referrals list, the work programme and the members' page.

Every read starts from the policy's `visible(user, queryset)` (or its `*_visible_to(user)`
shorthands), so no page can forget a filter; each runs a fixed number of queries whatever the
amount of data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q

from scrutiny.casework import notices
from scrutiny.casework.models import (
    ImplementationUpdate,
    InformationRequest,
    Organisation,
    Partnership,
    ProviderResponse,
    Recommendation,
    RecommendationState,
    Referral,
    ReferralState,
    RequestState,
    Topic,
    TopicState,
    Visit,
)
from scrutiny.casework.policy import (
    body_ids,
    can,
    case_files_visible_to,
    recommendations_visible_to,
    referrals_visible_to,
    requests_visible_to,
    topics_visible_to,
    visible,
)
from scrutiny.casework.roles import Perm
from workflows.audit import event_label
from workflows.models import AuditEvent

# --- the dashboard ---------------------------------------------------------------------------

UNREACHED, OVERDUE, DUE_SOON, TO_REVIEW, TO_ACKNOWLEDGE, TO_ISSUE = (
    "unreached",
    "overdue",
    "due_soon",
    "to_review",
    "to_acknowledge",
    "to_issue",
)
CATEGORY_LABELS = {
    UNREACHED: "Asks nobody received",
    OVERDUE: "Overdue",
    DUE_SOON: "Due in the next 5 working days",
    TO_REVIEW: "Responses received to review",
    TO_ACKNOWLEDGE: "Referrals to acknowledge",
    TO_ISSUE: "Drafts to issue",
}
SOON_WORKING_DAYS = 5


@dataclass
class WorkItem:
    category: str
    kind: str  # "request" | "recommendation" | "referral"
    obj: object
    topic: Topic
    what: str
    health_body: Organisation | None
    due_on: dt.date | None
    due_explanation: str = ""
    state: str = ""

    @property
    def category_label(self):
        return CATEGORY_LABELS[self.category]


@dataclass
class DashboardFilters:
    body: int | None = None
    partnership: int | None = None
    state: str = ""
    health_body: int | None = None


def _topic_filter(prefix: str, f: DashboardFilters) -> Q:
    q = Q()
    if f.body:
        q &= (
            Q(**{f"{prefix}body": f.body})
            | Q(**{f"{prefix}partnership__involvement_network": f.body})
            | Q(**{f"{prefix}partnership__scrutiny_committees": f.body})
        )
    if f.partnership:
        q &= Q(**{f"{prefix}partnership": f.partnership})
    if f.state:
        q &= Q(**{f"{prefix}state": f.state})
    return q


def _filtered_topic_ids(user, f: DashboardFilters):
    return case_files_visible_to(user).filter(_topic_filter("", f)).values("pk")


def dashboard_items(user, *, today: dt.date, soon_until: dt.date, filters: DashboardFilters):
    """Everything that needs `user` now, in four queries. An issued item whose notice reached
    nobody is "Asks nobody received" whatever its due date: the clock assumes it arrived."""
    topic_ids = _filtered_topic_ids(user, filters)
    items: list[WorkItem] = []
    clocked = Q(state__in=["issued"], due_on__isnull=False, due_on__lte=soon_until)
    # Responses to review: the item was answered while its topic still waits on it.
    review_req = Q(
        state__in=[RequestState.ANSWERED, RequestState.PARTIALLY_ANSWERED, RequestState.REFUSED],
        topic__state=TopicState.RESPONSE_DUE,
    )
    review_rec = Q(state=RecommendationState.RESPONDED, topic__state=TopicState.RECOMMENDATION_MADE)
    draft = Q(state="draft")
    hb = Q(recipient=filters.health_body) if filters.health_body else Q()
    related = ("topic", "recipient")
    for kind, qs, review, model in (
        ("request", requests_visible_to(user), review_req, InformationRequest),
        ("recommendation", recommendations_visible_to(user), review_rec, Recommendation),
    ):
        unreached = Q(state="issued") & notices.unreached_filter(model)
        rows = (
            qs.filter(topic__in=topic_ids)
            .filter(hb)
            .filter(clocked | review | draft | unreached)
            .annotate(unreached=ExpressionWrapper(unreached, output_field=BooleanField()))
            .select_related(*related)
        )
        for obj in rows:
            if obj.unreached:
                category = UNREACHED
            elif obj.state == "issued":
                category = OVERDUE if obj.due_on < today else DUE_SOON
            elif obj.state == "draft":
                category = TO_ISSUE
            else:
                category = TO_REVIEW
            items.append(
                WorkItem(
                    category,
                    kind,
                    obj,
                    obj.topic,
                    obj.body_text,
                    obj.recipient,
                    obj.due_on,
                    obj.due_explanation,
                    obj.state,
                )
            )
    if not filters.health_body:
        referrals = (
            referrals_visible_to(user)
            .filter(topic__in=topic_ids, state=ReferralState.AWAITING_ACKNOWLEDGEMENT)
            .select_related("topic", "from_body", "to_body")
        )
        for ref in referrals:
            if can(user, Perm.REFERRAL_ACKNOWLEDGE, ref):
                category = TO_ACKNOWLEDGE
            elif ref.due_on and ref.due_on < today:
                category = OVERDUE
            elif ref.due_on and ref.due_on <= soon_until:
                category = DUE_SOON
            else:
                continue
            items.append(
                WorkItem(
                    category,
                    "referral",
                    ref,
                    ref.topic,
                    f"Referral from {ref.from_body} to {ref.to_body}",
                    None,
                    ref.due_on,
                    ref.due_explanation,
                    ref.state,
                )
            )
    return items


SORTS = {
    "due": lambda i: (i.due_on or dt.date.max, i.topic.title.lower()),
    "-due": lambda i: (-(i.due_on or dt.date.min).toordinal(), i.topic.title.lower()),
    "topic": lambda i: (i.topic.title.lower(), i.due_on or dt.date.max),
    "kind": lambda i: (i.kind, i.due_on or dt.date.max),
}


def sort_items(items, sort: str):
    return sorted(items, key=SORTS.get(sort, SORTS["due"]))


def filter_choices(user):
    """Bodies, partnerships and health bodies the dashboard can be filtered by."""
    topics = case_files_visible_to(user)
    partnerships = Partnership.objects.filter(topics__in=topics.values("pk")).distinct()
    bodies = Organisation.objects.filter(
        Q(pk__in=body_ids(user, Perm.STAFF_PAGES))
        | Q(network_partnerships__in=partnerships)
        | Q(committee_partnerships__in=partnerships)
    ).distinct()
    health_bodies = Organisation.objects.filter(
        kind=Organisation.Kind.HEALTH_BODY, requests_received__topic__in=topics.values("pk")
    ).distinct()
    return bodies, partnerships, health_bodies


# --- topics ----------------------------------------------------------------------------------


def topic_list(user, *, state: str = "", partnership: int | None = None, q: str = ""):
    qs = topics_visible_to(user).select_related("lead_body", "partnership", "body")
    if state:
        qs = qs.filter(state=state)
    if partnership:
        qs = qs.filter(partnership=partnership)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    return qs.order_by("-created_at", "-id")


def topic_for_page(queryset, pk):
    """One topic with everything its page shows, related rows loaded in a fixed number of
    queries."""
    return (
        queryset.select_related(
            "partnership__involvement_network", "body", "lead_body", "framework", "created_by"
        )
        .prefetch_related(
            "health_bodies",
            "partnership__scrutiny_committees",
            # The transitions' conditions read these; prefetched, they cost no query per row.
            "requests__recipient",
            "recommendations__recipient",
        )
        .get(pk=pk)
    )


def _responses_prefetch():
    return Prefetch(
        "responses",
        queryset=ProviderResponse.objects.select_related(
            "organisation", "recorded_by", "submitted_by"
        ).prefetch_related("attachments", "action_plan"),
    )


def _topic_items(user, model, topic, *related):
    return (
        model.all_objects.visible_to(user)
        .filter(topic=topic)
        .select_related("recipient", model.ASKING_FIELD, "due_rule")
        .prefetch_related(_responses_prefetch(), *related)
        .order_by("created_at", "id")
    )


def topic_requests(user, topic):
    return _topic_items(user, InformationRequest, topic)


def topic_recommendations(user, topic):
    updates = Prefetch(
        "implementation_updates",
        queryset=ImplementationUpdate.objects.select_related("action").prefetch_related("evidence"),
    )
    return _topic_items(user, Recommendation, topic, updates).select_related(
        "agreed_by", "agreed_at_item"
    )


@dataclass
class TimelineEntry:
    at: dt.datetime
    title: str
    detail: str = ""
    who: str = ""
    anchor: str = ""
    kind: str = "event"


def topic_timeline(user, topic, requests, recommendations, referral=None):
    """Audit events of the topic and of its items, responses and referral updates, oldest first.
    (The web layer adds the topic's meetings: scrutiny.web.meetings.)"""
    ctypes = ContentType.objects.get_for_models(Topic, InformationRequest, Recommendation, Referral)
    wanted = Q(content_type=ctypes[Topic], object_id=topic.pk)
    by_key = {}
    for model, items in ((InformationRequest, requests), (Recommendation, recommendations)):
        ids = [i.pk for i in items]
        if ids:
            wanted |= Q(content_type=ctypes[model], object_id__in=ids)
        for i in items:
            by_key[(ctypes[model].pk, i.pk)] = (str(i.recipient), f"{i.ANCHOR}-{i.pk}")
    if referral is not None:
        wanted |= Q(content_type=ctypes[Referral], object_id=referral.pk)
        by_key[(ctypes[Referral].pk, referral.pk)] = ("", "referral")
    entries = []
    for row in AuditEvent.objects.filter(wanted).select_related("actor"):
        recipient, anchor = by_key.get((row.content_type_id, row.object_id), ("", ""))
        title = f"{event_label(row)}: {recipient}" if recipient else event_label(row)
        entries.append(
            TimelineEntry(
                row.at,
                title,
                row.note,
                row.actor.get_full_name() or row.actor.username if row.actor else "",
                anchor,
                "transition",
            )
        )
    for item in [*requests, *recommendations]:
        for response in item.responses.all():
            entries.append(
                TimelineEntry(
                    response.received_at,
                    f"Response from {response.organisation} ({response.get_channel_display()})",
                    f"{response.outcome.replace('_', ' ')}, {response.lateness}",
                    "",
                    f"response-{response.pk}",
                    "response",
                )
            )
    if referral is not None:
        for update in referral.updates.all():
            entries.append(
                TimelineEntry(update.at, "Referral: keeping informed", update.text, "", "referral")
            )
    return sorted(entries, key=lambda e: e.at)


def topic_state_since(topic) -> dt.datetime | None:
    """When the topic moved into its current state (its latest move there), if recorded."""
    row = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Topic),
            object_id=topic.pk,
            target_state=topic.state,
        )
        .exclude(source_state=topic.state)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    return row


def topic_referral(topic):
    try:
        return (
            Referral.objects.select_related("from_body", "to_body", "due_rule")
            .prefetch_related("updates")
            .get(topic=topic)
        )
    except Referral.DoesNotExist:
        return None


# --- referrals -------------------------------------------------------------------------------


def referral_list(user, *, state: str = ""):
    qs = referrals_visible_to(user).select_related("topic", "from_body", "to_body")
    if state:
        qs = qs.filter(state=state)
    return qs.annotate(update_count=Count("updates")).order_by("state", "due_on", "id")


# --- Enter and View ----------------------------------------------------------------------------


def visit_list(user, *, state: str = ""):
    """The visits `user` may see, newest first, with what the list shows (fixed queries)."""
    qs = Visit.all_objects.visible_to(user).select_related("site__body", "network", "due_rule")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-planned_for", "-id")


def visit_detail(user, pk: int):
    """One visit `user` may see, with its team and recommendations (DoesNotExist otherwise)."""
    return (
        Visit.all_objects.visible_to(user)
        .select_related("site__body", "network", "topic", "due_rule")
        .prefetch_related("team")
        .get(pk=pk)
    )


def visit_recommendations(visit):
    return (
        Recommendation.all_objects.filter(visit=visit)
        .exclude(state=RecommendationState.WITHDRAWN)
        .select_related("recipient")
        .order_by("pk")
    )


# --- work programme --------------------------------------------------------------------------

PROGRAMME_STATES = (
    TopicState.PRIORITISED,
    TopicState.INFORMATION_REQUESTED,
    TopicState.RESPONSE_DUE,
    TopicState.RECOMMENDATION_MADE,
)


@dataclass
class ProgrammeRow:
    topic: Topic
    target: tuple[str, str] | None
    scores: list = field(default_factory=list)


@dataclass
class Programme:
    partnership: Partnership
    topics: list
    candidates: list
    capacity: int
    active: int
    threshold: int
    max_total: int
    criteria: list = field(default_factory=list)

    @property
    def capacity_left(self) -> int:
        return max(self.capacity - self.active, 0)


def work_programme(user, partnership: Partnership) -> Programme:
    framework = partnership.framework
    visible = case_files_visible_to(user).filter(partnership=partnership)
    topics = list(
        visible.filter(state__in=PROGRAMME_STATES)
        .select_related("lead_body")
        .order_by("-score_total", "prioritised_on", "id")
    )
    candidates = list(
        visible.filter(state=TopicState.RAISED).select_related("lead_body").order_by("created_at")
    )
    return Programme(
        partnership=partnership,
        topics=[
            ProgrammeRow(t, None, [(t.scores or {}).get(c["key"]) for c in framework.criteria])
            for t in topics
        ],
        candidates=candidates,
        capacity=partnership.programme_capacity,
        active=len(topics),
        threshold=framework.threshold,
        max_total=framework.max_total,
        criteria=framework.criteria,
    )


def partnerships_visible_to(user):
    """The partnerships of the user's bodies, and those with a case file they may see."""
    return visible(user, Partnership.objects.select_related("framework", "involvement_network"))


# --- members ---------------------------------------------------------------------------------


def member_overview(user):
    topics = (
        case_files_visible_to(user)
        .exclude(state__in=[TopicState.WITHDRAWN, TopicState.DECLINED])
        .select_related("lead_body", "partnership")
        .order_by("-created_at", "-id")
    )
    drafts = (
        recommendations_visible_to(user)
        .filter(state=RecommendationState.DRAFT)
        .select_related("topic", "recipient", "made_by")
        .order_by("created_at", "id")
    )
    return topics, drafts
