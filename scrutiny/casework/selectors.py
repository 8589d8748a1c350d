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
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower

from scrutiny.casework import notices
from scrutiny.casework.models import (
    AttachmentPublication,
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
    ResponseAttachment,
    Topic,
    TopicState,
    Visit,
)
from scrutiny.casework.policy import (
    body_ids,
    case_files_visible_to,
    recommendations_visible_to,
    referrals_visible_to,
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


_KIND_ORDER = {"request": 0, "recommendation": 1, "referral": 2}
_ITEM_MODELS = {"request": InformationRequest, "recommendation": Recommendation}
# Sort keys: a missing due date sorts last either way (as "no deadline").
_COLUMNS = ("kind", "item_id", "category", "due_asc", "due_desc", "title_key", "kind_order")
SORTS = {
    "due": ("due_asc", "title_key", "kind_order", "item_id"),
    "-due": ("-due_desc", "title_key", "kind_order", "item_id"),
    "topic": ("title_key", "due_asc", "kind_order", "item_id"),
    "kind": ("kind", "due_asc", "item_id"),
}


def _row_columns(kind: str, category) -> dict:
    """The columns every kind's branch of the dashboard's union selects, in one order."""
    return {
        "kind": Value(kind, output_field=CharField()),
        "item_id": F("pk"),
        "category": category,
        "due_asc": Coalesce("due_on", Value(dt.date.max), output_field=DateField()),
        "due_desc": Coalesce("due_on", Value(dt.date.min), output_field=DateField()),
        "title_key": Lower("topic__title"),
        "kind_order": Value(_KIND_ORDER[kind], output_field=IntegerField()),
    }


class Dashboard:
    """The work items that need `user` now, read in SQL: the counts per category in one
    aggregate query, and a page of items in one ordered query with LIMIT (then one query per
    kind on the page for its rows). Nothing grows with the user's work but the numbers.

    An issued item whose notice reached nobody is "Asks nobody received" whatever its due date:
    the clock assumes it arrived. The items are those of topics whose case file the user may
    see (`case_files_visible_to`, one semi-join); that is also every item they may see there.
    """

    def __init__(self, user, *, today, soon_until, filters: DashboardFilters):
        self.user, self.today, self.soon_until, self.filters = user, today, soon_until, filters
        self._branches = self._build()

    def _build(self) -> list:
        f, today, soon_until = self.filters, self.today, self.soon_until
        topic_ids = _filtered_topic_ids(self.user, f)
        clocked = Q(state="issued", due_on__isnull=False, due_on__lte=soon_until)
        review = {
            "request": Q(
                state__in=[
                    RequestState.ANSWERED,
                    RequestState.PARTIALLY_ANSWERED,
                    RequestState.REFUSED,
                ],
                topic__state=TopicState.RESPONSE_DUE,
            ),
            "recommendation": Q(
                state=RecommendationState.RESPONDED, topic__state=TopicState.RECOMMENDATION_MADE
            ),
        }
        hb = Q(recipient=f.health_body) if f.health_body else Q()
        branches = []
        for kind, model in _ITEM_MODELS.items():
            unreached = Q(state="issued") & notices.unreached_filter(model)
            category = Case(
                When(unreached, then=Value(UNREACHED)),
                When(state="issued", due_on__lt=today, then=Value(OVERDUE)),
                When(state="issued", then=Value(DUE_SOON)),
                When(state="draft", then=Value(TO_ISSUE)),
                default=Value(TO_REVIEW),
                output_field=CharField(),
            )
            branches.append(
                model.all_objects.filter(topic__in=topic_ids)
                .filter(hb)
                .filter(clocked | review[kind] | Q(state="draft") | unreached)
                .annotate(**_row_columns(kind, category))
            )
        if not f.health_body:
            acknowledge = visible(self.user, Referral.objects.all(), Perm.REFERRAL_ACKNOWLEDGE)
            category = Case(
                When(pk__in=acknowledge.values("pk"), then=Value(TO_ACKNOWLEDGE)),
                When(due_on__lt=today, then=Value(OVERDUE)),
                When(due_on__lte=soon_until, then=Value(DUE_SOON)),
                default=None,
                output_field=CharField(),
            )
            branches.append(
                Referral.objects.filter(
                    topic__in=topic_ids, state=ReferralState.AWAITING_ACKNOWLEDGEMENT
                )
                .annotate(**_row_columns("referral", category))
                .filter(category__isnull=False)
            )
        return branches

    def counts(self) -> dict[str, int]:
        """{category: number of items}, every category, in one aggregate query."""
        found = {key: 0 for key in CATEGORY_LABELS}
        grouped = [
            qs.values("category").annotate(n=Count("pk")).values_list("category", "n").order_by()
            for qs in self._branches
        ]
        for category, n in grouped[0].union(*grouped[1:], all=True):
            found[category] += n
        return found

    def items(self, *, show: str = "", sort: str = "due", total: int) -> WorkItems:
        """The items (of one category with `show`) in the order `sort`, to be sliced by a
        paginator: each slice is one query with LIMIT/OFFSET."""
        return WorkItems(self, show=show, sort=SORTS.get(sort, SORTS["due"]), total=total)

    def rows(self, *, show: str, sort: tuple[str, ...], offset: int, limit: int) -> list:
        branches = [qs.filter(category=show) if show else qs for qs in self._branches]
        keys = [b.values(*_COLUMNS).order_by() for b in branches]
        page = keys[0].union(*keys[1:], all=True).order_by(*sort)[offset : offset + limit]
        return list(page)


class WorkItems:
    """A sequence a `Paginator` can slice: its length is known from the counts, a slice is one
    ordered query of the keys plus one query per kind on the page."""

    def __init__(self, dashboard: Dashboard, *, show: str, sort: tuple[str, ...], total: int):
        self.dashboard, self.show, self.sort, self.total = dashboard, show, sort, total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, self.total if index.stop is None else index.stop
        if stop <= start:
            return []
        rows = self.dashboard.rows(show=self.show, sort=self.sort, offset=start, limit=stop - start)
        return _work_items(rows)


def _work_items(rows) -> list[WorkItem]:
    """WorkItems for the keyed rows, in their order: one query per kind present."""
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row["item_id"])
    objects = {}
    for kind, ids in by_kind.items():
        if kind == "referral":
            qs = Referral.objects.select_related("topic", "from_body", "to_body")
        else:
            qs = _ITEM_MODELS[kind].all_objects.select_related("topic", "recipient")
        objects.update({(kind, obj.pk): obj for obj in qs.filter(pk__in=ids)})
    items = []
    for row in rows:
        obj = objects[(row["kind"], row["item_id"])]
        if row["kind"] == "referral":
            what, health_body = f"Referral from {obj.from_body} to {obj.to_body}", None
        else:
            what, health_body = obj.body_text, obj.recipient
        items.append(
            WorkItem(
                row["category"],
                row["kind"],
                obj,
                obj.topic,
                what,
                health_body,
                obj.due_on,
                obj.due_explanation,
                obj.state,
            )
        )
    return items


def filter_choices(user):
    """Bodies, partnerships and health bodies the dashboard can be filtered by, read from the
    user's memberships: the partnerships of their bodies, those bodies and the partnerships'
    parties, and the health bodies asked something on their topics (semi-joins, no sort of the
    topics' joined rows)."""
    partnerships = visible(user, Partnership.objects.all(), Perm.TOPIC_CASE_FILE)
    bodies = Organisation.objects.filter(
        Q(pk__in=body_ids(user, Perm.STAFF_PAGES))
        | Q(
            pk__in=Partnership.objects.filter(pk__in=partnerships.values("pk")).values(
                "involvement_network"
            )
        )
        | Q(
            pk__in=Partnership.scrutiny_committees.through.objects.filter(
                partnership__in=partnerships.values("pk")
            ).values("organisation")
        )
    )
    health_bodies = Organisation.objects.filter(
        kind=Organisation.Kind.HEALTH_BODY,
        pk__in=InformationRequest.all_objects.filter(
            topic__in=case_files_visible_to(user).values("pk")
        ).values("recipient"),
    )
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
        ).prefetch_related(
            Prefetch(
                "attachments",
                queryset=ResponseAttachment.objects.prefetch_related(
                    Prefetch(
                        "publications",
                        queryset=AttachmentPublication.objects.live(),
                        to_attr="live_publications",
                    )
                ),
            ),
            "action_plan",
        ),
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
