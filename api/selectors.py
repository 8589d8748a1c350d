"""What the API may show: named selectors shared by the viewsets, the webhooks and the tests.

A health body's API shows only what is addressed to the acting body: with a key, the key's body;
in the browsable API (session), the bodies the person is a responder for. Both are the policy's
answer for the request's actor (`policy.actor_of`). Public selectors show published topics only,
and never an item that was not issued.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q

from api.models import Webhook
from protocols.models import AgendaItem, Paper
from protocols.selectors import meetings_published
from scrutiny.casework import policy
from scrutiny.casework.models import (
    Consultation,
    InformationRequest,
    ProviderResponse,
    Recommendation,
    Visit,
)
from scrutiny.casework.publication import (
    recommendations_public,
    topics_published,
)
from scrutiny.casework.roles import Perm


def acting_body_ids(request) -> set[int]:
    """The health bodies the request acts for: the key's, or the session user's."""
    return policy.body_ids(policy.actor_of(request), Perm.HEALTH_BODY_ACT)


def _responses_prefetch():
    return Prefetch(
        "responses",
        queryset=ProviderResponse.objects.select_related("superseded_by")
        .prefetch_related("attachments", "action_plan")
        .order_by("received_at", "id"),
    )


def consultations_for(request):
    """The acting body's own consultations (the ones it proposes)."""
    return (
        Consultation.all_objects.visible_to(policy.actor_of(request))
        .filter(body_id__in=acting_body_ids(request))
        .select_related("body", "committee")
        .prefetch_related("documents", "call_in_requests")
        .order_by("-received_on", "-id")
    )


def requests_for(request):
    return (
        InformationRequest.all_objects.visible_to(policy.actor_of(request))
        .issued()
        .filter(recipient_id__in=acting_body_ids(request))
        .select_related("topic", "requested_by", "recipient")
        .prefetch_related(_responses_prefetch())
        .order_by("due_on", "id")
    )


def recommendations_for(request):
    return (
        Recommendation.all_objects.visible_to(policy.actor_of(request))
        .issued()
        .filter(recipient_id__in=acting_body_ids(request))
        .select_related("topic", "made_by", "recipient")
        .prefetch_related(_responses_prefetch(), "implementation_updates")
        .order_by("due_on", "id")
    )


def responses_for(request):
    """The acting body's accountability log, oldest first."""
    bodies = acting_body_ids(request)
    return (
        ProviderResponse.objects.filter(organisation_id__in=bodies)
        .filter(
            Q(information_request__in=requests_for(request).values("pk"))
            | Q(recommendation__in=recommendations_for(request).values("pk"))
        )
        .select_related("superseded_by", "organisation")
        .prefetch_related("attachments", "action_plan")
        .order_by("received_at", "id")
    )


def visits_for(request):
    """Enter and View visits to the acting body's premises that the policy shows (from the
    factual-accuracy check on), newest first."""
    return (
        Visit.all_objects.visible_to(policy.actor_of(request))
        .filter(site__body_id__in=acting_body_ids(request))
        .select_related("network", "site__body", "due_rule")
        .prefetch_related("recommendations")
        .order_by("-published_on", "-sent_for_check_on", "-id")
    )


def webhooks_for(request):
    return (
        Webhook.objects.filter(organisation_id__in=acting_body_ids(request))
        .select_related("organisation")
        .order_by("-created_at", "-id")
    )


# --- Public -----------------------------------------------------------------------------------
# Through the casework's publication selectors, the ones every public page and feed uses: published
# topics in a publishable state, issued requests and recommendations, current responses.


# The page's rows come from the public selectors; what is prefetched for them is filtered by
# their ids only (Django's `IN (page ids)`), never by the whole public filter again, which made
# PostgreSQL materialise every public request and recommendation (257k + 197k rows) per page.
# A request or recommendation of a public topic is public once issued; a response of a public
# item is public while no correction supersedes it.


def _public_responses_prefetch():
    return Prefetch(
        "responses",
        queryset=ProviderResponse.objects.current()
        .select_related("superseded_by")
        .prefetch_related("attachments", "action_plan")
        .order_by("received_at", "id"),
    )


def public_topics_for_api():
    return (
        topics_published()
        .select_related("partnership", "body", "lead_body")
        .prefetch_related(
            "health_bodies",
            Prefetch(
                "requests",
                queryset=InformationRequest.all_objects.issued()
                .select_related("requested_by", "recipient")
                .prefetch_related(_public_responses_prefetch())
                .order_by("issued_on", "id"),
                to_attr="public_requests",
            ),
            Prefetch(
                "recommendations",
                queryset=Recommendation.all_objects.issued()
                .select_related("made_by", "recipient")
                .prefetch_related(_public_responses_prefetch(), "implementation_updates")
                .order_by("issued_on", "id"),
                to_attr="public_recommendations",
            ),
        )
        .order_by("-published_at", "-id")
    )


def public_recommendations_for_api():
    return (
        recommendations_public()
        .select_related("topic", "made_by", "recipient")
        .prefetch_related(
            _public_responses_prefetch(),
            Prefetch("implementation_updates"),
        )
        .order_by("-issued_on", "-id")
    )


def public_meetings_for_api():
    """Meetings with a published agenda, with their non-exempt items only (never an exempt
    item, its decision or its papers)."""
    items = Prefetch(
        "items",
        queryset=AgendaItem.objects.public()
        .select_related("topic")
        .prefetch_related(Prefetch("papers", queryset=Paper.objects.order_by("uploaded_at", "id")))
        .order_by("position", "id"),
        to_attr="public_items",
    )
    return meetings_published().prefetch_related(items).order_by("date", "start_time", "id")
