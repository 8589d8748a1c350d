"""A health body's inbox: everything addressed to it, as its responders work through it.

Groups (an item is in one): overdue; requests to answer; recommendations to respond to;
implementation updates due (an accepted recommendation not yet achieved or not achieved);
answered (requests answered, partly answered or refused, and recommendations responded to
that need no update). Counts come from one aggregate query per kind; a group's page is fetched
in SQL order with a limit, so the cost follows the page, not the body's history.

Only the bodies whose responder the user is, and only what the policy lets them see
(`requests_visible_to` / `recommendations_visible_to`): drafts and other bodies' items never.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from scrutiny.casework.models import (
    ImplementationEvidence,
    ImplementationStatus,
    InformationRequest,
    Organisation,
    ProviderResponse,
    Recommendation,
    RecommendationState,
    RequestState,
)
from scrutiny.casework.models.items import IMPLEMENTATION_MONITORED_OUTCOMES
from scrutiny.casework.policy import body_ids, recommendations_visible_to, requests_visible_to
from scrutiny.casework.roles import Perm
from workflows.audit import EventType, log_event
from workflows.models import AuditEvent, Notification

log = logging.getLogger(__name__)

OVERDUE, TO_ANSWER, TO_RESPOND, UPDATES_DUE, ANSWERED = (
    "overdue",
    "to_answer",
    "to_respond",
    "updates_due",
    "answered",
)
GROUPS = {
    OVERDUE: "Overdue",
    TO_ANSWER: "Requests to answer",
    TO_RESPOND: "Recommendations to respond to",
    UPDATES_DUE: "Implementation updates due",
    ANSWERED: "Answered",
}
_OPEN_IMPLEMENTATION = (
    ImplementationStatus.NOT_STARTED,
    ImplementationStatus.ON_TRACK,
    ImplementationStatus.SLIPPED,
)


def responder_bodies(user):
    """The health bodies `user` answers for, by name."""
    return Organisation.objects.filter(
        pk__in=body_ids(user, Perm.HEALTH_BODY_ACT), kind=Organisation.Kind.HEALTH_BODY
    ).order_by("name")


def _conditions(today: dt.date) -> dict[str, tuple[Q | None, Q | None]]:
    """Each group as (requests' condition, recommendations' condition); None: not that kind."""
    issued_req = Q(state=RequestState.ISSUED)
    issued_rec = Q(state=RecommendationState.ISSUED)
    late = Q(due_on__lt=today)
    monitored = Q(
        state=RecommendationState.RESPONDED,
        outcome__in=IMPLEMENTATION_MONITORED_OUTCOMES,
        implementation_status__in=_OPEN_IMPLEMENTATION,
    )
    answered_req = Q(
        state__in=[RequestState.ANSWERED, RequestState.PARTIALLY_ANSWERED, RequestState.REFUSED]
    )
    return {
        OVERDUE: (issued_req & late, issued_rec & late),
        TO_ANSWER: (issued_req & ~late, None),
        TO_RESPOND: (None, issued_rec & ~late),
        UPDATES_DUE: (None, monitored),
        ANSWERED: (answered_req, Q(state=RecommendationState.RESPONDED) & ~monitored),
    }


@dataclass
class Entry:
    kind: str  # "request" | "recommendation"
    obj: InformationRequest | Recommendation

    @property
    def what(self) -> str:
        return self.obj.body_text


class GroupRows:
    """One group's items in due order, fetched a slice at a time (a `Paginator` can page it):
    each kind's first `stop` rows, merged — a page never loads more than it shows."""

    def __init__(self, parts, total: int):
        self._parts, self._total = parts, total

    def __len__(self) -> int:
        return self._total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self._total
        rows = [Entry(kind, obj) for kind, qs in self._parts for obj in qs[:stop]]
        rows.sort(key=lambda e: (e.obj.due_on or dt.date.max, e.kind, e.obj.pk))
        return rows[start:stop]


@dataclass
class Inbox:
    body: Organisation
    counts: dict[str, int]
    show: str
    rows: GroupRows

    @property
    def groups(self):
        return [(key, label, self.counts[key]) for key, label in GROUPS.items()]


def _querysets(user, body: Organisation):
    return (
        requests_visible_to(user).filter(recipient=body),
        recommendations_visible_to(user).filter(recipient=body),
    )


def inbox_for(user, body: Organisation, *, today: dt.date, show: str = "") -> Inbox:
    """`body`'s inbox for `user` (who must answer for it): the counts of every group (one query
    per kind), and the rows of the group `show` (default: the first with anything in it),
    soonest due first, to be paged."""
    conditions = _conditions(today)
    requests, recommendations = _querysets(user, body)
    counts = dict.fromkeys(GROUPS, 0)
    for qs, index in ((requests, 0), (recommendations, 1)):
        aggregates = {
            key: Count("pk", filter=cond[index])
            for key, cond in conditions.items()
            if cond[index] is not None
        }
        for key, value in qs.aggregate(**aggregates).items():
            counts[key] += value
    if show not in GROUPS:
        show = next((key for key in GROUPS if counts[key]), TO_ANSWER)
    parts = []
    for kind, qs, cond, asker in (
        ("request", requests, conditions[show][0], "requested_by"),
        ("recommendation", recommendations, conditions[show][1], "made_by"),
    ):
        if cond is not None:
            parts.append(
                (kind, qs.filter(cond).select_related("topic", asker).order_by("due_on", "pk"))
            )
    return Inbox(body=body, counts=counts, show=show, rows=GroupRows(parts, counts[show]))


# --- One item, as its body's responders see it ------------------------------------------------


def item_first_viewed(item: InformationRequest | Recommendation, user) -> bool:
    """Record, once, that a responder of the body the item is addressed to opened it: the
    item's `first_viewed_at` and an `ITEM_FIRST_VIEWED` event, in one transaction. Staff, the
    public and later views write nothing (a conditional UPDATE decides who was first, so two
    colleagues opening it at the same moment record it once). True when this view was it."""
    if item.first_viewed_at is not None or not item.was_issued:
        return False
    if item.recipient_id not in body_ids(user, Perm.HEALTH_BODY_ACT):
        return False
    now = timezone.now()
    try:
        with transaction.atomic():
            first = (
                type(item)
                .all_objects.filter(pk=item.pk, first_viewed_at__isnull=True)
                .update(first_viewed_at=now)
            )
            if not first:
                return False
            log_event(item, EventType.ITEM_FIRST_VIEWED, by=user, data={"body": item.recipient_id})
    except DatabaseError:
        # A page that reads must not fail because the record of reading it could not be
        # written (a read-only replica, a lock timeout): the next view records it.
        log.warning("first view of %s %s not recorded", type(item).__name__, item.pk)
        return False
    item.first_viewed_at = now
    return True


ASKED, NOTICE, ANSWER, UPDATE, WITHDRAWN, NOTE = (
    "asked",
    "notice",
    "answer",
    "update",
    "withdrawn",
    "note",
)
_EVENT_ENTRIES = {
    EventType.INFORMATION_REQUEST_ISSUED: ASKED,
    EventType.RECOMMENDATION_ISSUED: ASKED,
    EventType.INFORMATION_REQUEST_WITHDRAWN: WITHDRAWN,
    EventType.RECOMMENDATION_WITHDRAWN: WITHDRAWN,
    EventType.ITEM_NOTE_TO_BODY: NOTE,
}


@dataclass
class Said:
    """One entry of an item's conversation with its body: `what` is one of ASKED, NOTICE,
    ANSWER, UPDATE, WITHDRAWN, NOTE; `obj` the row behind it (an audit event, a notification,
    a response or an implementation update)."""

    at: dt.datetime
    what: str
    obj: object


def conversation(item: InformationRequest | Recommendation) -> list[Said]:
    """Everything said between the asking body and the health body about `item`, oldest
    first: what was asked, the notices and reminders sent (when, to whom), the answers and
    corrections, implementation updates and their evidence, a withdrawal, and the officers'
    notes meant for the body. Other notes on the record (transition notes, internal events)
    never show. A fixed number of queries, however long the conversation."""
    ctype = ContentType.objects.get_for_model(type(item))
    said: list[Said] = []
    events = AuditEvent.objects.filter(
        content_type=ctype, object_id=item.pk, event_type__in=list(_EVENT_ENTRIES)
    ).select_related("actor")
    said += [Said(e.at, _EVENT_ENTRIES[e.event_type], e) for e in events]
    sent = Notification.objects.filter(content_type=ctype, object_id=item.pk).exclude(
        state=Notification.State.CANCELLED
    )
    said += [Said(n.sent_at or n.created_at, NOTICE, n) for n in sent]
    field = "information_request" if isinstance(item, InformationRequest) else "recommendation"
    responses = (
        ProviderResponse.objects.filter(**{field: item})
        .select_related("submitted_by", "recorded_by", "superseded_by")
        .prefetch_related("attachments", "action_plan")
    )
    said += [Said(r.received_at, ANSWER, r) for r in responses]
    if isinstance(item, Recommendation):
        updates = item.implementation_updates.select_related("action", "by").prefetch_related(
            Prefetch("evidence", queryset=ImplementationEvidence.objects.order_by("id"))
        )
        said += [Said(u.at, UPDATE, u) for u in updates]
    said.sort(key=lambda s: s.at)
    return said
