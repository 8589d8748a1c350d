"""Publication: what residents may see, and the services that publish and withdraw it.

A topic is public when an officer of one of its bodies has published it (its `publication`
lifecycle is 'published', which sets `published_at`, the field the selectors read) and it is in a
state with something to show (`PUBLISHABLE_STATES`, see
docs/decisions/0008-publication.md). Every public page, feed and download reads through the
selectors here, so none can forget a filter:

- `topics_published()`: the public topics;
- `requests_public()` / `recommendations_public()`: issued (never draft) requests and
  recommendations of public topics;
- `responses_public()`: the current (not superseded) responses to those;
- `topics_search(qs, text)`: search over the index of `scrutiny.casework.search`.

Public pages are cached under a version key (`workflows.cache`); publishing and withdrawing
are transitions of the topic's `publication` lifecycle, and `transition_apply` bumps the version
after commit of every move.
"""

from __future__ import annotations

from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone

# The publishable states are defined with the topic's `publish` transition (its condition) and
# named here too, where the public pages look for them.
from scrutiny.casework.models import (  # noqa: F401
    ONGOING_STATES,
    OUTCOME_STATES,
    PUBLISHABLE_STATES,
    Consultation,
    ImplementationEvidence,
    InformationRequest,
    ProviderResponse,
    Recommendation,
    RelevantDecision,
    Topic,
    Visit,
)
from scrutiny.casework.search import topics_search  # noqa: F401 (the public search)
from workflows.errors import InvalidInput
from workflows.services import transition_apply

# --- Selectors ------------------------------------------------------------------------------


def topics_published():
    """Topics residents may see. A published topic that moves back to 'raised' (a declined topic
    reopened) drops out until it is back in a publishable state."""
    return Topic.objects.filter(published_at__isnull=False, state__in=PUBLISHABLE_STATES)


def requests_public():
    """Issued information requests of public topics (drafts, and drafts withdrawn unissued,
    never appear)."""
    return InformationRequest.all_objects.issued().filter(
        topic__published_at__isnull=False, topic__state__in=PUBLISHABLE_STATES
    )


def recommendations_public():
    """Issued recommendations of public topics."""
    return Recommendation.all_objects.issued().filter(
        topic__published_at__isnull=False, topic__state__in=PUBLISHABLE_STATES
    )


def evidence_public():
    """Evidence documents an officer published, on public recommendations."""
    return ImplementationEvidence.objects.filter(
        published_at__isnull=False,
        update__recommendation__in=recommendations_public().values("pk"),
    )


def decisions_published():
    """Statements of relevant decisions the networks published (SI 2008/528 reg 2(1)(d)). A
    statement names its topic only when the topic itself is public (`topic_public`)."""
    return RelevantDecision.objects.published().annotate(
        topic_public=Exists(topics_published().filter(pk=OuterRef("topic_id")))
    )


def visits_published():
    """Enter and View visits whose report is published (or answered). What a visit page shows is
    chosen by its presenter: never its team, safeguarding concerns or the accuracy comments."""
    return Visit.all_objects.published().select_related("site__body", "network")


def visit_recommendations_public(visit):
    """The issued recommendations of a published visit's report."""
    return Recommendation.all_objects.issued().filter(visit=visit).order_by("pk")


def responses_public():
    """The current response of each public request and recommendation: a response that a
    correction superseded is no longer shown."""
    return ProviderResponse.objects.filter(
        Q(information_request__in=requests_public().values("pk"))
        | Q(recommendation__in=recommendations_public().values("pk")),
        superseded_by__isnull=True,
    )


def consultations_public():
    """Consultations residents see: those the committee has considered at a minuted meeting
    (docs/consultations.md). Their documents, dates, view, comments, the body's decision and
    reasons, and the requests to the Secretary of State are public with them."""
    return Consultation.all_objects.public()


def consultation_requests_public():
    """Issued information requests of public consultations (the committee's questions)."""
    return InformationRequest.all_objects.issued().filter(
        topic__consultation__in=consultations_public().values("pk")
    )


def consultation_recommendations_public():
    """Issued recommendations of public consultations."""
    return Recommendation.all_objects.issued().filter(
        topic__consultation__in=consultations_public().values("pk")
    )


def years_published() -> list[int]:
    """The years (raised) of public topics, newest first: every year from the first public
    topic's to the last's, from two index probes on `created_at` rather than a DISTINCT over
    every topic (a year in between with no public topic finds nothing)."""
    span = topics_published().aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] is None:
        return []
    first, last = timezone.localtime(span["first"]).year, timezone.localtime(span["last"]).year
    return list(range(last, first - 1, -1))


def topics_with_last_change(qs):
    """`qs` annotated with `last_change`: when residents last saw it change, the time of its
    latest public event (`workflows.audit.PUBLIC_EVENTS`: raised, prioritised, requests issued,
    concluded, published…), never earlier than its publication. A feed's `updated`."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Subquery
    from django.db.models.functions import Coalesce, Greatest

    from workflows.audit import PUBLIC_EVENTS
    from workflows.models import AuditEvent

    latest = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Topic),
            object_id=OuterRef("pk"),
            event_type__in=list(PUBLIC_EVENTS),
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return qs.annotate(
        last_change=Greatest("published_at", Coalesce(Subquery(latest), "published_at"))
    )


def topic_ids_concerning(*, body_id: int):
    """Ids of topics about the health body `body_id`: named as concerned, or asked or
    recommended to (issued items only). One UNION of three indexed lookups, never an OR of
    subqueries, so the planner need not scan every topic; combine with `topics_published()`."""
    named = Topic.health_bodies.through.objects.filter(organisation_id=body_id).values("topic_id")
    asked = InformationRequest.all_objects.issued().filter(recipient_id=body_id)
    recommended = Recommendation.all_objects.issued().filter(recipient_id=body_id)
    return named.order_by().union(
        asked.order_by().values("topic_id"), recommended.order_by().values("topic_id")
    )


# --- Services -------------------------------------------------------------------------------


def topic_publish(*, topic: Topic, by, note: str = "") -> Topic:
    """Publish a topic's outcome (or, while it is on the work programme, that it is being
    scrutinised): the topic's `publish` transition. Only officers of the topic's bodies may
    publish, and only a topic in a publishable state."""
    return transition_apply(
        instance=topic,
        name="publish",
        by=by,
        note=(note or "").strip(),
    )


def topic_unpublish(*, topic: Topic, by, reason: str) -> Topic:
    """Withdraw publication, with a reason (kept in the log, not shown to residents)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Enter the reason for withdrawing publication.",
            field_errors={"reason": ["Enter the reason for withdrawing publication."]},
        )
    return transition_apply(
        instance=topic,
        name="unpublish",
        by=by,
        note=reason,
        reason=reason,
    )
